from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from booking.invites import InviteFacts, booking_uid, invite_ics, status_for, vevent
from booking.services import Invitee, booking_create
from tests.support.icalcheck import assert_ical_check_passes

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)


def facts(**changes) -> InviteFacts:
    base = InviteFacts(
        uid="6f1c2f9e-0000-4000-8000-000000000001@creneau",
        sequence=0,
        start=datetime(2027, 3, 3, 9, tzinfo=PARIS),
        end=datetime(2027, 3, 3, 9, 30, tzinfo=PARIS),
        summary="30 min d'entretien personnalisé · Claire Martin",
        description="What to expect: a call.\nManage: https://creneau.test/b/abc/",
        url="https://creneau.test/b/abc/",
        organizer_email="claire@example.com",
        organizer_name="Claire Martin",
        attendee_email="ada@example.org",
        attendee_name="Ada Lovelace",
        dtstamp=NOW,
    )
    return replace(base, **changes)


def only_event(ics: bytes):
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_request_has_method_uid_sequence_and_utc_times():
    calendar, event = only_event(invite_ics(facts(), "REQUEST"))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == "6f1c2f9e-0000-4000-8000-000000000001@creneau"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART") == datetime(2027, 3, 3, 8, tzinfo=UTC)
    assert event["DTSTART"].to_ical() == b"20270303T080000Z"
    assert event["DTEND"].to_ical() == b"20270303T083000Z"
    assert event["DTSTAMP"].to_ical() == b"20270301T080000Z"
    assert "TZID" not in invite_ics(facts(), "REQUEST").decode()


def test_request_names_organizer_and_attendee_by_mailto():
    _, event = only_event(invite_ics(facts(), "REQUEST"))
    organizer, attendee = event["ORGANIZER"], event["ATTENDEE"]
    assert str(organizer) == "mailto:claire@example.com"
    assert organizer.params["CN"] == "Claire Martin"
    assert str(attendee) == "mailto:ada@example.org"
    assert attendee.params["CN"] == "Ada Lovelace"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["RSVP"] == "FALSE"


def test_request_carries_manage_link_and_an_alarm():
    _, event = only_event(invite_ics(facts(), "REQUEST"))
    assert str(event["URL"]) == "https://creneau.test/b/abc/"
    assert "https://creneau.test/b/abc/" in str(event["DESCRIPTION"])
    alarms = event.walk("VALARM")
    assert len(alarms) == 1
    assert alarms[0].decoded("TRIGGER") == timedelta(minutes=-15)


def test_calendar_has_no_random_uid_and_same_facts_give_same_bytes():
    ics = invite_ics(facts(), "REQUEST")
    calendar = Calendar.from_ical(ics)
    assert "UID" not in calendar
    assert ics == invite_ics(facts(), "REQUEST")
    assert ics.count(b"BEGIN:VEVENT") == 1
    assert b"\r\n" in ics and b"\n" not in ics.replace(b"\r\n", b"")


def test_cancel_keeps_uid_says_cancelled_and_drops_alarm():
    calendar, event = only_event(invite_ics(facts(sequence=1), "CANCEL"))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == facts().uid
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert event.walk("VALARM") == []


def test_request_of_cancelled_facts_is_refused():
    with pytest.raises(ValueError, match="CANCEL"):
        invite_ics(facts(status="CANCELLED"), "REQUEST")


def test_unknown_method_is_refused():
    with pytest.raises(ValueError):
        invite_ics(facts(), "PUBLISH")


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        facts(start=datetime(2027, 3, 3, 9), end=datetime(2027, 3, 3, 9, 30))


def test_names_with_line_breaks_or_quotes_cannot_break_the_content_line():
    evil = facts(attendee_name='Ada\r\nATTENDEE:mailto:evil@example.com', organizer_name='C "x"')
    ics = invite_ics(evil, "REQUEST")
    _, event = only_event(ics)
    assert not isinstance(event["ATTENDEE"], list)
    assert event["ATTENDEE"].params["CN"] == "Ada ATTENDEE:mailto:evil@example.com"
    assert event["ORGANIZER"].params["CN"] == "C 'x'"
    assert b"\r\nATTENDEE:mailto:evil" not in ics


def test_vevent_is_method_agnostic_and_can_skip_the_alarm():
    event = vevent(facts(alarm_minutes=None))
    assert "METHOD" not in event
    assert event.walk("VALARM") == []
    assert vevent(facts(status="CANCELLED")).walk("VALARM") == []
    assert str(vevent(facts(status="CANCELLED"))["TRANSP"]) == "TRANSPARENT"


def test_status_for_maps_booking_statuses():
    assert status_for("confirmed") == "CONFIRMED"
    assert status_for("pending_payment") == "TENTATIVE"
    assert status_for("cancelled") == "CANCELLED"
    assert status_for("completed") == "CONFIRMED"


def test_request_and_cancel_pass_ical_check(tmp_path):
    assert_ical_check_passes(invite_ics(facts(), "REQUEST"), tmp_path, "request")
    assert_ical_check_passes(invite_ics(facts(sequence=1), "CANCEL"), tmp_path, "cancel")
    moved = facts(sequence=2, start=datetime(2027, 3, 4, 14, tzinfo=PARIS),
                  end=datetime(2027, 3, 4, 14, 30, tzinfo=PARIS))
    assert_ical_check_passes(invite_ics(moved, "REQUEST"), tmp_path, "rescheduled")


def test_awkward_text_passes_ical_check(tmp_path):
    awkward = facts(summary="Entretien ; virgule, deux-points: « guillemets » " + "é" * 80,
                    description="Ligne 1\r\nLigne 2\\ antislash\n" + "x" * 200,
                    attendee_name='Zoë "Zed" O\'Brien, Jr.')
    assert_ical_check_passes(invite_ics(awkward, "REQUEST"), tmp_path, "awkward")


@pytest.mark.django_db
def test_from_booking_reads_the_booking(session_type):
    with time_machine.travel(NOW, tick=False):
        booking = booking_create(
            session_type=session_type, start=datetime(2027, 3, 3, 9, tzinfo=PARIS),
            invitee=Invitee(name="Ada Lovelace", email="Ada@Example.org", timezone=PARIS))
    result = InviteFacts.from_booking(booking, dtstamp=NOW, manage_url=booking.manage_url)
    assert result.uid == booking_uid(booking.uid) == f"{booking.uid}@creneau"
    assert result.sequence == booking.sequence
    assert result.start == datetime(2027, 3, 3, 8, tzinfo=UTC)
    assert result.organizer_email == session_type.coach.user.email
    assert result.organizer_name == "Claire Martin"
    assert result.attendee_email == "ada@example.org"
    assert result.url == booking.manage_url == f"https://creneau.test/b/{booking.manage_token}/"
    assert result.status == "CONFIRMED"
    assert session_type.name in result.summary


def test_ical_check_helper_rejects_a_cancellation_sent_as_request(tmp_path):
    ics = invite_ics(facts(), "REQUEST").replace(b"STATUS:CONFIRMED", b"STATUS:CANCELLED")
    with pytest.raises(AssertionError, match="rejected"):
        assert_ical_check_passes(ics, tmp_path, "broken")
