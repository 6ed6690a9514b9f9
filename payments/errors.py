"""Domain errors of payments; the delivery layer maps them (PaymentUnavailable → 503)."""

from django.utils.translation import gettext_lazy as _

from booking.errors import BookingError

PAYMENT_UNAVAILABLE = _("Online payment is unavailable at the moment, so this slot was not "
                        "held. Please try again in a few minutes.")


class PaymentUnavailable(BookingError):
    """Stripe failed or timed out at checkout start; the hold has been released."""

    code = "payment_unavailable"

    def __init__(self, message=PAYMENT_UNAVAILABLE) -> None:
        super().__init__(message)
