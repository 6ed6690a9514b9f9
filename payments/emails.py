"""The refund notice, to the invitee and to the coach, each in their language.

Plain text for now: the HTML layouts live in templates/, which another change is reworking.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from booking.addresses import header_address
from booking.emails import When, header_safe
from payments.models import Payment
from payments.money import format_money


def _facts(payment: Payment, zone: ZoneInfo, language: str) -> dict[str, str]:
    booking = payment.booking
    return {"session": booking.session_type.name, "coach": booking.coach.display_name,
            "name": booking.invitee_name, "email": booking.invitee_email,
            "when": str(When.of(booking.start, booking.end, zone)),
            "amount": format_money(payment.refund_amount, payment.currency, language)}


def _why(payment: Payment) -> str:
    if payment.refund_reason == Payment.RefundReason.UNAVAILABLE:
        return _("The payment arrived after the slot had been released, and the slot is no "
                 "longer available, so the session is not booked.")
    return _("The booking was cancelled.")


def _invitee_message(payment: Payment) -> EmailMessage:
    booking = payment.booking
    with translation.override(booking.invitee_language):
        facts = _facts(payment, ZoneInfo(str(booking.invitee_timezone)),
                       booking.invitee_language)
        body = "\n\n".join([
            _("Hello %(name)s,") % facts,
            _("%(session)s with %(coach)s, %(when)s.") % facts + " " + _why(payment),
            _("You will be refunded %(amount)s. A refund usually reaches your account within "
              "5 to 10 days.") % facts,
        ])
        subject = _("Refund: %(session)s with %(coach)s") % facts
    return EmailMessage(subject=header_safe(subject), body=body,
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[header_address(header_safe(booking.invitee_name),
                                           booking.invitee_email)])


def _coach_message(payment: Payment) -> EmailMessage:
    booking = payment.booking
    coach = booking.coach
    with translation.override(coach.language):
        facts = _facts(payment, coach.zone, coach.language)
        body = "\n\n".join([
            _("%(name)s <%(email)s> — %(session)s, %(when)s.") % facts + " " + _why(payment),
            _("A refund of %(amount)s has been requested from Stripe; nothing to do on your "
              "side.") % facts,
        ])
        subject = _("Refund to %(name)s: %(amount)s") % facts
    return EmailMessage(subject=header_safe(subject), body=body,
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[header_address(header_safe(coach.display_name),
                                           coach.notification_address)])


def refund_messages(payment: Payment) -> list[EmailMessage]:
    """The invitee's and the coach's notice of `payment`'s refund."""
    return [_invitee_message(payment), _coach_message(payment)]
