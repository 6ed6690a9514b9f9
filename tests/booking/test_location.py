"""Where the session happens: stored on the type and the booking, carried by the pages'
invitee views, both emails, the invite and the coach's feed (never the room on public pages)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from icalendar import Calendar

from booking.emails import booking_message
from booking.feed import render_feed
from booking.feed_events import feed_facts
from booking.invites import InviteFacts, invite_ics, vevent
from booking.location import MEETING_BASE, clean_phone, new_meeting_url
from booking.models import Booking
from tests.factories import book
from tests.support.icalcheck import assert_ical_check_passes
from tests.support.mail import parse, parts

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
START = datetime(2027, 3, 3, 9, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


def _where(session_type, kind, details="", room=False):
    session_type.location_kind = kind
    session_type.location_details = details
    session_type.location_room_per_booking = room
    session_type.save()
    return session_type


def _event(ics: bytes):
    return Calendar.from_ical(ics).walk("VEVENT")[0]


def _email(booking, role="invitee"):
    parsed = parse(booking_message(booking, role=role, kind="confirmed", now=NOW))
    found = parts(parsed)
    return (found["text/plain"].get_content(), found["text/html"].get_content(),
            found["application/ics"].get_payload(decode=True))


def test_meeting_rooms_are_jitsi_and_unguessable():
    first, second = new_meeting_url(), new_meeting_url()
    assert first.startswith(MEETING_BASE) and first != second
    assert len(first.removeprefix(MEETING_BASE + "Creneau-")) >= 22  # 128 bits, base64


@pytest.mark.parametrize("number", ["+33 6 12 34 56 78", "(555) 123-4567", "061234"])
def test_phone_numbers_written_many_ways_are_accepted(number):
    assert clean_phone(f"  {number} ") == number


@pytest.mark.parametrize("number", ["12345", "call me", "+33 6 12 34 56 78 90 12 34 56 78",
                                    "06\n12345678", "0612345678" + " -" * 20])
def test_phone_numbers_that_are_not_refused(number):
    with pytest.raises(ValueError):
        clean_phone(number)


def test_a_room_is_made_for_each_booking(session_type, tmp_path):
    _where(session_type, "video", room=True)
    booking = book(session_type, START, now=NOW)
    other = book(session_type, START.replace(hour=10), now=NOW, email="bob@example.org")
    assert booking.meeting_url.startswith(MEETING_BASE)
    assert other.meeting_url != booking.meeting_url
    text, html, ics = _email(booking)
    assert booking.meeting_url in text and booking.meeting_url in html
    event = _event(ics)
    assert str(event["LOCATION"]) == booking.meeting_url
    assert str(event["CONFERENCE"]) == booking.meeting_url
    assert event["CONFERENCE"].params["FEATURE"] == "VIDEO"
    assert event["CONFERENCE"].params["VALUE"] == "URI"
    assert str(event["URL"]) == booking.manage_url  # the manage link stays the URL
    assert booking.meeting_url in str(event["DESCRIPTION"])
    assert_ical_check_passes(ics, tmp_path, "room")


def test_her_fixed_video_link_reaches_both_sides(session_type, tmp_path):
    link = "https://zoom.example/j/123"
    _where(session_type, "video", link)
    booking = book(session_type, START, now=NOW)
    assert booking.meeting_url == ""
    for role in ("invitee", "coach"):
        text, _html, ics = _email(booking, role)
        assert link in text
        assert str(_event(ics)["CONFERENCE"]) == link
        assert_ical_check_passes(ics, tmp_path, f"video-{role}")


def test_a_phone_call_asks_for_a_number_and_carries_it(session_type, tmp_path):
    _where(session_type, "phone")
    with pytest.raises(ValidationError) as refused:
        book(session_type, START, now=NOW)
    assert "invitee_phone" in refused.value.message_dict
    with pytest.raises(ValidationError):
        book(session_type, START, now=NOW, phone="not a number")
    booking = book(session_type, START, now=NOW, phone="+33 6 12 34 56 78")
    assert booking.invitee_phone == "+33 6 12 34 56 78"
    text, _html, ics = _email(booking, "coach")
    assert "+33 6 12 34 56 78" in text
    event = _event(ics)
    assert str(event["LOCATION"]) == "+33 6 12 34 56 78"
    assert "CONFERENCE" not in event
    assert_ical_check_passes(ics, tmp_path, "phone")


def test_an_address_is_the_location(session_type, tmp_path):
    _where(session_type, "in_person", "12 rue de la Paix, 75002 Paris")
    booking = book(session_type, START, now=NOW, language="en")
    text, _html, ics = _email(booking)
    assert "In person: 12 rue de la Paix, 75002 Paris" in text
    assert str(_event(ics)["LOCATION"]) == "12 rue de la Paix, 75002 Paris"
    assert_ical_check_passes(ics, tmp_path, "address")
    cancel = invite_ics(InviteFacts.from_booking(booking, dtstamp=NOW,
                                                 manage_url=booking.manage_url), "CANCEL")
    assert_ical_check_passes(cancel, tmp_path, "address-cancel")


def test_no_location_says_nothing(session_type):
    booking = book(session_type, START, now=NOW)
    text, _html, ics = _email(booking)
    event = _event(ics)
    assert "LOCATION" not in event and "CONFERENCE" not in event
    assert "Où" not in text


def test_the_feed_carries_the_room_and_follows_a_changed_place(session_type, tmp_path):
    _where(session_type, "video", room=True)
    booking = book(session_type, START, now=NOW)
    feed = render_feed(coach=session_type.coach, now=NOW)
    event = Calendar.from_ical(feed).walk("VEVENT")[0]
    assert str(event["CONFERENCE"]) == booking.meeting_url
    assert booking.meeting_url in str(event["DESCRIPTION"])
    assert_ical_check_passes(feed, tmp_path, "feed-room")
    _where(session_type, "in_person", "8 place Bellecour, Lyon")
    feed = render_feed(coach=session_type.coach, now=NOW)
    assert b"8 place Bellecour" in feed and b"CONFERENCE" not in feed
    stored = Booking.objects.get(pk=booking.pk)
    assert bytes(stored.feed_event) == vevent(feed_facts(stored)).to_ical()
