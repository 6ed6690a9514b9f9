"""Starting Stripe Checkout for a held paid booking, the same way from every door.

The return pages live under the type's picker (`…/paid/<token>/` and `…/unpaid/<token>/`);
Stripe replaces `{CHECKOUT_SESSION_ID}` in the success URL, so it is appended verbatim rather
than URL-encoded.
"""

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse

from booking.models import Booking
from payments.services import checkout_start

SESSION_PARAM = "?session_id={CHECKOUT_SESSION_ID}"
STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"


def checkout_origin() -> str:
    """Where Checkout pages live: Stripe's, or a local Stripe-compatible server's (tests, demos),
    which serves its hosted pages on its API origin."""
    base = settings.STRIPE_API_BASE.rstrip("/")
    return base if base and not base.endswith("api.stripe.com") else STRIPE_CHECKOUT_ORIGIN


def allow_checkout_redirect(response: HttpResponse) -> HttpResponse:
    """Let the page's form be answered by a redirect to Checkout.

    CSP `form-action` also governs where a submission may be redirected (Chromium enforces
    it), and the site's policy is 'self': the paid booking form's page must name Checkout.
    """
    response._csp_update = {"form-action": [checkout_origin()]}  # read by django-csp
    return response


def return_urls(booking: Booking, origin: str) -> tuple[str, str]:
    """(success URL, cancel URL) on `origin` (scheme and host, no trailing slash)."""
    args = [booking.coach.slug, booking.session_type.slug, booking.manage_token]
    success = origin + reverse("pages:paid", args=args) + SESSION_PARAM
    return success, origin + reverse("pages:unpaid", args=args)


def checkout_url_for(booking: Booking, origin: str) -> str:
    """The Checkout URL; call once the hold has committed. Raises PaymentUnavailable."""
    success, cancel = return_urls(booking, origin)
    return checkout_start(booking=booking, success_url=success, cancel_url=cancel)
