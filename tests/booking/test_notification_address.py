"""Her booking notifications go to the address she chose, her sign-in address otherwise;
the invitee's side (reply-to, the invite's organizer) keeps her sign-in address."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from booking.emails import booking_message
from tests.factories import book
from tests.support.mail import parse, parts

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
START = datetime(2027, 3, 3, 9, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["confirmed", "cancelled"])
def test_her_notification_goes_to_her_chosen_address(session_type, kind):
    coach = session_type.coach
    coach.notification_email = "agenda@claire.example"
    coach.save()
    booking = book(session_type, START, now=NOW)
    parsed = parse(booking_message(booking, role="coach", kind=kind, now=NOW))
    assert [a.addr_spec for a in parsed["To"].addresses] == ["agenda@claire.example"]
    assert parsed["To"].addresses[0].display_name == coach.display_name


def test_without_one_it_goes_to_her_sign_in_address(session_type):
    booking = book(session_type, START, now=NOW)
    parsed = parse(booking_message(booking, role="coach", kind="confirmed", now=NOW))
    assert parsed["To"].addresses[0].addr_spec == session_type.coach.user.email


def test_invitees_reply_to_her_notification_address_and_the_invite_names_her_account(
        session_type):
    coach = session_type.coach
    coach.notification_email = "agenda@claire.example"
    coach.save()
    booking = book(session_type, START, now=NOW)
    parsed = parse(booking_message(booking, role="invitee", kind="confirmed", now=NOW))
    assert parsed["Reply-To"].addresses[0].addr_spec == "agenda@claire.example"
    ics = parts(parsed)["application/ics"].get_payload(decode=True)
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(event["ORGANIZER"]) == f"mailto:{coach.user.email}"
