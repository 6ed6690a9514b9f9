"""Starting Stripe Checkout for a held paid booking, the same way from every door.

The return pages live under the type's picker (`…/paid/<token>/` and `…/unpaid/<token>/`);
Stripe replaces `{CHECKOUT_SESSION_ID}` in the success URL, so it is appended verbatim rather
than URL-encoded.
"""

from django.urls import reverse

from booking.models import Booking
from payments.services import checkout_start

SESSION_PARAM = "?session_id={CHECKOUT_SESSION_ID}"


def return_urls(booking: Booking, origin: str) -> tuple[str, str]:
    """(success URL, cancel URL) on `origin` (scheme and host, no trailing slash)."""
    args = [booking.coach.slug, booking.session_type.slug, booking.manage_token]
    success = origin + reverse("pages:paid", args=args) + SESSION_PARAM
    return success, origin + reverse("pages:unpaid", args=args)


def checkout_url_for(booking: Booking, origin: str) -> str:
    """The Checkout URL; call once the hold has committed. Raises PaymentUnavailable."""
    success, cancel = return_urls(booking, origin)
    return checkout_start(booking=booking, success_url=success, cancel_url=cancel)
