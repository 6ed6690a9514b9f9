"""What one side writes when cancelling or moving reaches the other side, and only them."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from booking.emails import booking_message
from booking.models import Booking
from booking.services import booking_cancel, booking_reschedule
from booking.tasks import notify_booking_changed
from tests.factories import book
from tests.support.mail import body_parts

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
START = datetime(2027, 3, 3, 9, tzinfo=PARIS)
WORDS = "Je dois m'absenter <ce jour-là>."

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def cancelled_emails(session_type, by: str) -> dict[str, tuple[str, str]]:
    booking = booking_cancel(booking=book(session_type, START, now=NOW), by=by, reason=WORDS,
                             now=NOW)
    return {role: body_parts(booking_message(booking, role=role, kind="cancelled", now=NOW))
            for role in ("invitee", "coach")}


def test_the_coachs_cancellation_message_reaches_the_invitee_and_is_hers_in_her_copy(
        session_type):
    emails = cancelled_emails(session_type, "coach")
    text, html = emails["invitee"]
    assert f"Message de Claire Martin\u00a0: {WORDS}" in text
    assert "Message de Claire Martin" in html and "&lt;ce jour-là&gt;" in html
    coach_text, coach_html = emails["coach"]
    assert "Message de" not in coach_text + coach_html
    assert f"Votre message\u00a0: {WORDS}" in coach_text
    assert "Votre message" in coach_html


def test_the_invitees_cancellation_reason_reaches_the_coach_only(session_type):
    emails = cancelled_emails(session_type, "invitee")
    coach_text, coach_html = emails["coach"]
    assert f"Message de Ada Lovelace\u00a0: {WORDS}" in coach_text
    assert "Message de Ada Lovelace" in coach_html
    text, html = emails["invitee"]
    assert "absenter" not in text + html
    assert "Message" not in text


def moved_emails(session_type, by: str) -> dict[str, tuple[str, str]]:
    """Book, send the invitations, move (with words), send again: what each side got."""
    booking = book(session_type, START, now=NOW)
    notify_booking_changed.call(booking.pk, booking.sequence)
    booking_reschedule(booking=booking, start=START + timedelta(days=1), by=by, now=NOW,
                       message=WORDS)
    booking = Booking.objects.get(pk=booking.pk)
    mail.outbox.clear()
    assert notify_booking_changed.call(booking.pk, booking.sequence) == "done"
    sent = {}
    for message in mail.outbox:
        role = "invitee" if "ada@example.org" in message.to[0] else "coach"
        sent[role] = body_parts(message)
    return sent


def test_the_coachs_move_message_reaches_the_invitee_not_back_to_her(session_type):
    sent = moved_emails(session_type, "coach")
    assert f"Message de Claire Martin\u00a0: {WORDS}" in sent["invitee"][0]
    assert "Message de" not in "".join(sent["coach"])
    assert f"Votre message\u00a0: {WORDS}" in sent["coach"][0]


def test_the_invitees_move_message_reaches_the_coach_not_back_to_her(session_type):
    sent = moved_emails(session_type, "invitee")
    assert f"Message de Ada Lovelace\u00a0: {WORDS}" in sent["coach"][0]
    assert "absenter" not in "".join(sent["invitee"])
