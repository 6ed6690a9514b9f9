"""What a paid booking's cancellation email says about the money (registered in apps.py).

The refund itself and its own notice are tasks (payments.tasks); this only tells both sides,
in the cancellation email, what the coach's policy gives back.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from booking.models import Booking
from payments.models import Payment
from payments.money import format_money
from payments.services import refund_amount_for


def refund_note(booking: Booking, role: str) -> list[str]:
    """One paragraph on the refund of a paid, cancelled booking; none for a free one.

    The refund decision is written in the cancelling transaction, so it is known when this
    email is built. A refund the policy would give but nobody scheduled (an operator's
    cancellation outside the doors) says nothing rather than something untrue.
    """
    payment = Payment.objects.filter(booking=booking, status=Payment.Status.PAID).first()
    if payment is None:
        return []
    language = translation.get_language()
    if payment.refund_status != Payment.RefundStatus.NONE and payment.refund_amount:
        values = {"amount": format_money(payment.refund_amount, payment.currency, language),
                  "name": booking.invitee_name}
        if role == "invitee":
            return [_("You will be refunded %(amount)s; a separate email confirms it.")
                    % values]
        return [_("%(name)s will be refunded %(amount)s; the refund is requested from Stripe "
                  "automatically.") % values]
    by, at = booking.cancelled_by, booking.cancelled_at
    if not at or refund_amount_for(booking, payment, by=by, now=at) != 0:
        return []
    values = {"paid": format_money(payment.amount, payment.currency, language),
              "coach": booking.coach.display_name}
    if role == "invitee":
        return [_("Under %(coach)s's refund policy, this cancellation is not refunded "
                  "(%(paid)s paid).") % values]
    return [_("No refund under your refund policy (%(paid)s paid).") % values]
