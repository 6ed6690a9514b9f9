import email
from datetime import UTC, datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from booking.emails import booking_message, header_safe, reminder_message
from booking.invites import booking_uid
from booking.services import booking_cancel, booking_reschedule
from tests.factories import book
from tests.support.icalcheck import assert_ical_check_passes
from tests.support.mail import parse, parts, subject

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
START = datetime(2027, 3, 3, 9, tzinfo=PARIS)  # Wednesday, 08:00 UTC, 03:00 in New York

pytestmark = pytest.mark.django_db


def test_confirmation_has_the_layout_calendar_clients_expect(session_type):
    parsed = parse(booking_message(book(session_type, START, now=NOW), role="invitee",
                                   kind="confirmed", now=NOW))
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == [
        "text/plain", "text/html", "text/calendar"]
    calendar_part = alternative.get_payload()[2]
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_params().count(("charset", "utf-8")) == 1
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() == "application/ics"
    # The attachment keeps the CRLF bytes exactly; the 8bit part gets CRLF from SMTP itself.
    ics = attachment.get_payload(decode=True)
    assert ics.count(b"\r\n") == ics.count(b"\n")
    assert ics.splitlines() == calendar_part.get_payload(decode=True).splitlines()


def test_invite_in_the_confirmation_is_the_booking(session_type, tmp_path):
    booking = book(session_type, START, now=NOW)
    parsed = parse(booking_message(booking, role="invitee", kind="confirmed", now=NOW))
    ics = parts(parsed)["application/ics"].get_payload(decode=True)
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(event["UID"]) == booking_uid(booking.uid)
    assert event.decoded("DTSTART") == START.astimezone(UTC)
    assert str(event["ATTENDEE"]) == "mailto:ada@example.org"
    assert str(event["ORGANIZER"]) == f"mailto:{session_type.coach.user.email}"
    assert booking.manage_url in str(event["DESCRIPTION"])
    assert_ical_check_passes(ics, tmp_path, "confirmation")


def test_confirmation_headers(session_type):
    booking = book(session_type, START, now=NOW)
    parsed = parse(booking_message(booking, role="invitee", kind="confirmed", now=NOW))
    assert parsed["To"].addresses[0].addr_spec == "ada@example.org"
    assert parsed["To"].addresses[0].display_name == "Ada Lovelace"
    assert parsed["Reply-To"].addresses[0].addr_spec == session_type.coach.user.email
    assert "Claire Martin" in parsed["Subject"]


def test_names_with_commas_quotes_and_accents_survive_in_headers(session_type):
    booking = book(session_type, START, now=NOW, name='Zoë "Z" Martin, Jr.')
    parsed = parse(booking_message(booking, role="invitee", kind="confirmed", now=NOW))
    assert len(parsed["To"].addresses) == 1
    assert parsed["To"].addresses[0].display_name == 'Zoë "Z" Martin, Jr.'
    assert parsed["To"].addresses[0].addr_spec == "ada@example.org"


def test_a_name_with_line_breaks_never_reaches_the_headers(session_type):
    booking = book(session_type, START, now=NOW)
    booking.invitee_name = "Ada\r\nBcc: victim@example.com\r\nX-Evil: 1"
    for role in ("invitee", "coach"):
        raw = booking_message(booking, role=role, kind="confirmed", now=NOW).message().as_bytes()
        headers = raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
        parsed = email.message_from_bytes(raw, policy=policy.default)
        assert parsed["Bcc"] is None
        assert parsed["X-Evil"] is None
        assert b"\nBcc:" not in headers and b"\nX-Evil" not in headers
        assert "\n" not in str(parsed["Subject"])


def test_header_safe_flattens_control_characters():
    assert header_safe("a\r\nb\tc\u2028d  e") == "a b c d e"
    assert len(header_safe("x" * 1000)) <= 180


def test_french_and_english_invitees_get_their_language_and_zone(session_type):
    fr = parse(booking_message(book(session_type, START, now=NOW), role="invitee", kind="confirmed",
                               now=NOW))
    booking_cancel(booking=session_type.bookings.get(), by="coach", now=NOW)  # once per person
    en = parse(booking_message(book(session_type, START, now=NOW, language="en", zone=NEW_YORK),
                               role="invitee", kind="confirmed", now=NOW))
    fr_text = parts(fr)["text/plain"].get_content()
    en_text = parts(en)["text/plain"].get_content()
    assert "mars" in fr["Subject"] and "mercredi" in fr["Subject"]
    assert "March" in en["Subject"] and "Wednesday" in en["Subject"]
    assert "09:00" in fr_text and "Europe/Paris" in fr_text
    # The New York invitee sees 3:00 AM their time, named, and the coach's 9:00 Paris time.
    assert "America/New_York" in en_text and "3:00 AM" in en_text
    assert "Europe/Paris" in en_text and "9:00 AM" in en_text
    assert "UTC-05:00" in en_text and "UTC+01:00" in en_text
    assert '<html lang="fr"' in parts(fr)["text/html"].get_content()
    assert '<html lang="en"' in parts(en)["text/html"].get_content()


def test_invitee_email_says_what_to_expect_and_gives_the_manage_link(session_type):
    session_type.description = "We will talk about your public speaking."
    session_type.save()
    booking = book(session_type, START, now=NOW)
    parsed = parse(booking_message(booking, role="invitee", kind="confirmed", now=NOW))
    for content_type in ("text/plain", "text/html"):
        body = parts(parsed)[content_type].get_content()
        assert "We will talk about your public speaking." in body
        assert booking.manage_url in body


def test_coach_gets_the_invitee_details_in_her_language(session_type):
    coach = session_type.coach
    coach.language = "en"
    coach.save()
    booking = book(session_type, START, now=NOW, language="fr", zone=NEW_YORK,
                   message="Je voudrais parler de <b>prise de parole</b>.")
    parsed = parse(booking_message(booking, role="coach", kind="confirmed", now=NOW))
    text = parts(parsed)["text/plain"].get_content()
    html = parts(parsed)["text/html"].get_content()
    assert parsed["To"].addresses[0].addr_spec == coach.user.email
    assert parsed["Reply-To"].addresses[0].addr_spec == "ada@example.org"
    assert "Ada Lovelace" in parsed["Subject"] and "March" in parsed["Subject"]
    assert "ada@example.org" in text and "America/New_York" in text
    assert "Je voudrais parler de <b>prise de parole</b>." in text
    assert "&lt;b&gt;prise de parole&lt;/b&gt;" in html and "<b>prise" not in html
    assert "Europe/Paris" in text and "9:00 AM" in text
    ics = parts(parsed)["application/ics"].get_payload(decode=True)
    assert "Ada Lovelace" in str(Calendar.from_ical(ics).walk("VEVENT")[0]["SUMMARY"])
    # The manage link is the invitee's credential; the coach's copy never carries it.
    for content in (text, html, ics.decode()):
        assert booking.manage_token not in content


def test_coach_and_invitee_get_the_same_event(session_type):
    booking = book(session_type, START, now=NOW)
    events = []
    for role in ("invitee", "coach"):
        parsed = parse(booking_message(booking, role=role, kind="confirmed", now=NOW))
        ics = parts(parsed)["text/calendar"].get_payload(decode=True)
        events.append(Calendar.from_ical(ics).walk("VEVENT")[0])
    for name in ("UID", "SEQUENCE", "DTSTART", "DTEND", "ORGANIZER", "ATTENDEE", "DTSTAMP"):
        assert events[0][name].to_ical() == events[1][name].to_ical()


def test_cancellation_sends_cancel_with_same_uid_and_higher_sequence(session_type, tmp_path):
    booking = book(session_type, START, now=NOW)
    cancelled = booking_cancel(booking=booking, by="invitee", reason="Ill", now=NOW)
    for role in ("invitee", "coach"):
        parsed = parse(booking_message(cancelled, role=role, kind="cancelled", now=NOW))
        calendar_part = parts(parsed)["text/calendar"]
        assert calendar_part.get_param("method") == "CANCEL"
        ics = parts(parsed)["application/ics"].get_payload(decode=True)
        calendar = Calendar.from_ical(ics)
        event = calendar.walk("VEVENT")[0]
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(event["UID"]) == booking_uid(booking.uid)
        assert str(event["STATUS"]) == "CANCELLED"
        assert int(event["SEQUENCE"]) == 1
        assert parts(parsed)["application/ics"].get_payload(decode=True).splitlines() == (
            ics.splitlines())
        # The invitee's reason reaches the coach; it is not echoed back to the invitee.
        assert ("Ill" in parts(parsed)["text/plain"].get_content()) == (role == "coach")
        assert_ical_check_passes(ics, tmp_path, f"cancel-{role}")


def test_rescheduled_invite_has_new_time_and_names_the_old_one(session_type, tmp_path):
    booking = book(session_type, START, now=NOW, language="en")
    new_start = START + timedelta(days=1, hours=5)  # Thursday 14:00 Paris
    moved = booking_reschedule(booking=booking, start=new_start, by="invitee", now=NOW)
    parsed = parse(booking_message(moved, role="invitee", kind="rescheduled", now=NOW,
                                   previous_start=START))
    assert subject(parsed).startswith("Moved")
    text = parts(parsed)["text/plain"].get_content()
    assert "Thursday" in text and "2:00 PM" in text
    assert "Previously" in text and "Wednesday" in text
    ics = parts(parsed)["application/ics"].get_payload(decode=True)
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(Calendar.from_ical(ics)["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == booking_uid(booking.uid)
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == new_start.astimezone(UTC)
    assert_ical_check_passes(ics, tmp_path, "rescheduled")


def test_reminder_is_in_the_invitee_language_with_the_manage_link(session_type):
    booking = book(session_type, START, now=NOW, language="en", zone=NEW_YORK)
    parsed = parse(reminder_message(booking))
    text = parts(parsed)["text/plain"].get_content()
    assert subject(parsed).startswith("Reminder")
    assert "Wednesday" in parsed["Subject"]
    assert booking.manage_url in text and "America/New_York" in text
    assert "text/calendar" not in parts(parsed)
