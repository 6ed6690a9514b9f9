"""The refund notice, to the invitee and to the coach, each in their language.

Multipart like the booking emails (text/plain and inlined HTML in the same layout), from the
coach by name to the invitee, with Reply-To set to the other side.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from booking.emails import When
from booking.mail_layout import (
    addressing,
    greeting_name,
    header_safe,
    plain_text,
    render_html,
)
from payments.models import Payment
from payments.money import format_money

Role = str  # "invitee" or "coach"


def _context(payment: Payment, role: Role) -> dict:
    booking = payment.booking
    coach = booking.coach
    zone = ZoneInfo(str(booking.invitee_timezone)) if role == "invitee" else coach.zone
    language = translation.get_language()
    return {
        "role": role, "booking": booking, "language": language,
        "greeting": greeting_name(booking.invitee_name if role == "invitee"
                                  else coach.display_name),
        "coach_name": coach.display_name, "session_name": booking.session_type.display_name(),
        "when": When.of(booking.start, booking.end, zone),
        "amount": format_money(payment.refund_amount, payment.currency, language),
        "unavailable": payment.refund_reason == Payment.RefundReason.UNAVAILABLE,
        "site_url": settings.SITE_URL,
        "coach_url": settings.SITE_URL + coach.get_absolute_url(),
        "workspace_url": booking.workspace_url if role == "coach" else "",
    }


def _subject(role: Role, context: dict) -> str:
    if role == "invitee":
        return _("Refund: %(session)s with %(coach)s") % {
            "session": context["session_name"], "coach": context["coach_name"]}
    return _("Refund to %(name)s: %(amount)s") % {"name": context["booking"].invitee_name,
                                                   "amount": context["amount"]}


def _message(payment: Payment, role: Role) -> EmailMultiAlternatives:
    booking = payment.booking
    coach = booking.coach
    language = booking.invitee_language if role == "invitee" else coach.language
    with translation.override(language):
        context = _context(payment, role)
        template = f"email/refund_{role}"
        from_email, to, reply_to = addressing(booking, role)
        message = EmailMultiAlternatives(
            subject=header_safe(_subject(role, context)),
            body=plain_text(render_to_string(f"{template}.txt", context)),
            from_email=from_email, to=[to], reply_to=[reply_to])
        message.attach_alternative(render_html(f"{template}.html", context), "text/html")
    return message


def refund_messages(payment: Payment) -> list[EmailMultiAlternatives]:
    """The invitee's and the coach's notice of `payment`'s refund."""
    return [_message(payment, "invitee"), _message(payment, "coach")]
