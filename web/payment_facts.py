"""What pages show about money: a type's price, and a booking's payment and refund.

Amounts are written in the viewer's language (the active one), as payments.money writes them.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext as _

from availability.models import SessionType
from booking.models import Booking
from payments.models import Payment
from payments.money import format_money
from payments.services import refund_amount_for


def _language() -> str:
    return translation.get_language() or "fr"


def price_label(session_type: SessionType) -> str:
    """"Gratuit" / "Free", or the price as the viewer's language writes it."""
    if not session_type.is_paid:
        return _("Free")
    return format_money(session_type.price_amount, session_type.price_currency, _language())


@dataclass(frozen=True, slots=True)
class PaymentFacts:
    status: str  # Payment.Status
    status_label: str
    amount: str
    refund_status: str  # Payment.RefundStatus; "none" when no refund was decided
    refund_status_label: str
    refund_amount: str | None  # set once a refund is decided
    # What cancelling now (by `by`) would refund, for the cancel page; None: not paid.
    cancel_refund: str | None
    cancel_refunds_something: bool


def payment_facts(booking: Booking, *, by: str, now: datetime) -> PaymentFacts | None:
    """The booking's payment as a page shows it; None for a free booking."""
    payment = Payment.objects.filter(booking=booking).first()
    if payment is None:
        return None
    language = _language()

    def money(amount: int) -> str:
        return format_money(amount, payment.currency, language)

    decided = payment.refund_status != Payment.RefundStatus.NONE
    due = None  # only a paid, active booking with no refund yet has one to announce
    if payment.status == Payment.Status.PAID and not decided and booking.is_active:
        due = refund_amount_for(booking, payment, by=by, now=now)
    return PaymentFacts(
        status=payment.status, status_label=payment.get_status_display(),
        amount=money(payment.amount), refund_status=payment.refund_status,
        refund_status_label=payment.get_refund_status_display(),
        refund_amount=money(payment.refund_amount) if decided else None,
        cancel_refund=None if due is None else money(due),
        cancel_refunds_something=bool(due))
