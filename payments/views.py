"""Stripe's webhook: verify the raw body's signature first, then apply the event once."""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import gateway
from payments.services import handle_event

logger = logging.getLogger(__name__)


@csrf_exempt  # Stripe cannot carry a CSRF token; the signature is the credential
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """400 for a bad or stale signature (nothing changes); 200 for any verified event,
    duplicate, late or unhandled alike, so Stripe stops retrying it."""
    try:
        event = gateway.verify_event(request.body, request.headers.get("Stripe-Signature", ""))
    except gateway.InvalidEvent as exc:
        logger.warning("Refused a Stripe webhook: %s", exc)
        return HttpResponse(status=400)
    outcome = handle_event(event)
    logger.info("Stripe event %s (%s): %s", event.get("id"), event.get("type"), outcome)
    return JsonResponse({"received": True, "outcome": outcome})
