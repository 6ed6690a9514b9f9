"""The only module that imports `stripe`: Checkout Sessions, refunds, webhook verification.

Everything returned is a plain value (dataclass or dict), and every Stripe failure becomes a
GatewayError that says whether a later attempt may succeed, so services never see stripe's
types. `STRIPE_API_BASE` (an origin without /v1) points the client at a local server.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import stripe
from django.conf import settings


class GatewayError(Exception):
    """Stripe refused, failed or did not answer in time."""

    def __init__(self, message: str, *, transient: bool, code: str | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.code = code


class InvalidEvent(Exception):
    """A webhook whose signature is missing, wrong or too old, or whose body is not JSON."""


@dataclass(frozen=True, slots=True)
class CheckoutSession:
    id: str
    url: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    status: str  # Stripe's: pending, requires_action, succeeded, failed, canceled


def _client() -> stripe.StripeClient:
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    # A short timeout and no silent retries: the checkout call runs inside the booking
    # request, and refunds retry through their task's backoff instead.
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, base_addresses=base,
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS))


def _transient(exc: stripe.StripeError) -> bool:
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError):
        return True
    status = exc.http_status or 0
    return status >= 500 or status in (409, 429)


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.StripeError as exc:
        raise GatewayError(exc.user_message or str(exc), transient=_transient(exc),
                           code=exc.code) from exc


def create_checkout_session(*, idempotency_key: str, reference: str, email: str, name: str,
                            amount: int, currency: str, locale: str, expires_at: datetime,
                            success_url: str, cancel_url: str,
                            metadata: dict[str, str]) -> CheckoutSession:
    """A hosted Checkout Session for one line item of `amount` minor units."""
    params = {
        "mode": "payment",
        "client_reference_id": reference,
        "customer_email": email,
        "locale": locale,
        "expires_at": int(expires_at.timestamp()),
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": metadata,
        "line_items": [{"quantity": 1, "price_data": {
            "currency": currency, "unit_amount": amount, "product_data": {"name": name}}}],
    }
    session = _call(_client().v1.checkout.sessions.create, params,
                    {"idempotency_key": idempotency_key})
    return CheckoutSession(id=session.id, url=session.url,
                           expires_at=datetime.fromtimestamp(session.expires_at, tz=UTC))


def expire_checkout_session(session_id: str) -> None:
    """Close an open session so it can no longer be paid."""
    _call(_client().v1.checkout.sessions.expire, session_id)


def create_refund(*, payment_intent: str, amount: int, idempotency_key: str,
                  metadata: dict[str, str]) -> Refund:
    refund = _call(_client().v1.refunds.create,
                   {"payment_intent": payment_intent, "amount": amount, "metadata": metadata},
                   {"idempotency_key": idempotency_key})
    return Refund(id=refund.id, status=refund.status)


def verify_event(payload: bytes, signature: str) -> dict:
    """The event as a plain dict, once its signature and age (≤ 5 min) check out."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret or not signature:
        raise InvalidEvent("missing secret or signature")
    try:
        stripe.Webhook.construct_event(payload, signature, secret, tolerance=300)
        return json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise InvalidEvent(str(exc)) from exc
