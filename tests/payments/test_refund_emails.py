"""Refund notices and paid cancellations tell each side what is refunded, as full emails."""

from html import unescape

import pytest

from availability.models import SessionType
from booking.emails import booking_message
from payments.emails import refund_messages
from payments.models import Payment
from payments.services import booking_cancel_with_refund
from tests.factories import book
from tests.payments.conftest import NOW, TUESDAY_9
from tests.support.mail import body_parts, html_elements, parse, subject

pytestmark = pytest.mark.django_db


def paid_booking(session_type, language="fr"):
    booking = book(session_type, TUESDAY_9, now=NOW, name="Zoé Martin", email="zoe@example.org",
                   language=language)
    Payment.objects.create(booking=booking, status=Payment.Status.PAID, amount=9000,
                           currency="eur", payment_intent="pi_test")
    return booking


def refund_notices(booking) -> dict[str, object]:
    payment = Payment.objects.get(booking=booking)
    payment.refund_status, payment.refund_amount = Payment.RefundStatus.PENDING, 9000
    payment.refund_reason = Payment.RefundReason.CANCELLED
    payment.save()
    invitee, coach = refund_messages(payment)
    return {"invitee": invitee, "coach": coach}


def test_refund_notices_are_complete_multipart_emails_from_the_right_people(paid_type):
    notices = refund_notices(paid_booking(paid_type))
    invitee = parse(notices["invitee"])
    assert invitee["From"].addresses[0].display_name == "Claire Martin"
    assert invitee["From"].addresses[0].addr_spec == "noreply@localhost"
    assert invitee["Reply-To"].addresses[0].addr_spec == paid_type.coach.user.email
    coach = parse(notices["coach"])
    assert coach["Reply-To"].addresses[0].addr_spec == "zoe@example.org"
    for role, message in notices.items():
        text, html = body_parts(message)
        assert "90,00\u00a0€" in text and "90,00\u00a0€" in unescape(html)
        assert text.startswith("Bonjour Zoé," if role == "invitee" else "Bonjour Claire,")
        elements, stylesheet = html_elements(html)
        assert all(attrs.get("style") for tag, attrs in elements if tag in ("p", "td"))
        assert stylesheet.strip().startswith("@media")
    assert "5 à 10 jours" in body_parts(notices["invitee"])[0]
    assert "Stripe" in body_parts(notices["coach"])[0]


def test_an_english_refund_notice_uses_english_money_and_the_english_session_name(paid_type):
    paid_type.name_en = "Coaching session"
    paid_type.save()
    notices = refund_notices(paid_booking(paid_type, language="en"))
    parsed = parse(notices["invitee"])
    assert subject(parsed) == "Refund: Coaching session with Claire Martin"
    text, _html = body_parts(notices["invitee"])
    assert "€90.00" in text and text.startswith("Hello Zoé,")


def cancellation(booking, role):
    return body_parts(booking_message(booking, role=role, kind="cancelled", now=NOW))


def test_a_paid_cancellation_says_what_will_be_refunded(paid_type):
    booking = booking_cancel_with_refund(booking=paid_booking(paid_type), by="coach",
                                         reason="Empêchée", now=NOW)
    text, html = cancellation(booking, "invitee")
    assert "Vous serez remboursé·e de 90,00\u00a0€" in text
    assert "90,00\u00a0€" in unescape(html)
    coach_text, _ = cancellation(booking, "coach")
    assert "Zoé Martin sera remboursé·e de 90,00\u00a0€" in coach_text


def test_a_cancellation_the_policy_does_not_refund_says_so(paid_type):
    SessionType.objects.filter(pk=paid_type.pk).update(
        refund_policy=SessionType.RefundPolicy.NEVER)
    booking = booking_cancel_with_refund(booking=paid_booking(paid_type), by="invitee", now=NOW)
    assert Payment.objects.get(booking=booking).refund_status == "none"
    text, _ = cancellation(booking, "invitee")
    assert "n’est pas remboursée (90,00\u00a0€ payés)" in text
    coach_text, _ = cancellation(booking, "coach")
    assert "Pas de remboursement" in coach_text


def test_a_free_cancellation_says_nothing_of_money(session_type):
    booking = booking_cancel_with_refund(booking=book(session_type, TUESDAY_9, now=NOW),
                                         by="coach", now=NOW)
    for role in ("invitee", "coach"):
        text, _ = cancellation(booking, role)
        assert "rembours" not in text.lower()
