"""Each booking keeps its feed event as icalendar wrote it; the feed joins the stored events."""

import ast
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command

from booking import feed, feed_events, invites
from booking.invites import booking_uid
from booking.models import Booking
from booking.services import booking_mark_no_show, booking_reschedule
from tests.factories import BookingFactory
from tests.support.feed import (
    NOW,
    PARIS,
    book,
    events_of,
    feed_url,
    invite_facts,
    make,
    varied_bookings,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def icalendar_bytes(booking: Booking) -> bytes:
    return invites.vevent(invite_facts(booking)).to_ical()


def stored(booking: Booking) -> Booking:
    return Booking.objects.select_related("coach__user", "session_type").get(pk=booking.pk)


def served_events(coach) -> list[bytes]:
    body = feed.render_feed(coach=coach, now=NOW)
    return [b"BEGIN:VEVENT" + part.split(b"END:VCALENDAR")[0]
            for part in body.split(b"BEGIN:VEVENT")[1:]]


def test_each_served_event_is_the_bytes_icalendar_writes_for_its_booking(session_type):
    bookings = varied_bookings(session_type)
    events = served_events(session_type.coach)
    assert events == [icalendar_bytes(booking) for booking in bookings]
    assert any(b"\r\n " in event for event in events)  # long lines were folded
    assert b"STATUS:CANCELLED" in b"".join(events)


def test_save_stores_the_event_for_the_row_it_writes(session_type):
    booking = book(session_type, NOW.astimezone(PARIS).replace(day=3, hour=10),
                   name="Ada, \"the\" Countess", message="Line 1\nLine 2")
    row = stored(booking)
    assert bytes(row.feed_event) == icalendar_bytes(row)
    assert row.feed_event_at == row.updated_at
    assert row.created_at == row.updated_at  # one instant for the insert, CREATED included


def test_an_outcome_saved_with_update_fields_stores_its_event_too(session_type, clock):
    booking = make(session_type, NOW - timedelta(days=2), 1)
    clock.shift(timedelta(minutes=5))
    booking_mark_no_show(booking=booking)
    row = stored(booking)
    assert row.updated_at == NOW + timedelta(minutes=5)
    assert row.feed_event_at == row.updated_at
    assert bytes(row.feed_event) == icalendar_bytes(row)


def test_a_rescheduled_booking_stores_its_new_time_and_sequence(session_type, clock):
    booking = book(session_type, NOW.astimezone(PARIS).replace(day=3, hour=10))
    clock.shift(timedelta(seconds=1))
    booking_reschedule(booking=booking, start=NOW.astimezone(PARIS).replace(day=4, hour=14),
                       by=Booking.CancelledBy.COACH)
    row = stored(booking)
    event = bytes(row.feed_event)
    assert b"SEQUENCE:1\r\n" in event and b"DTSTART:20270304T130000Z" in event
    assert event == icalendar_bytes(row)


def test_a_renamed_coach_gets_new_events_and_a_new_etag(client, session_type):
    coach = session_type.coach
    booking = make(session_type, NOW + timedelta(days=1), 1)
    before = client.get(feed_url(coach))
    updated_at = stored(booking).updated_at
    coach.display_name = "Claire Martin-Dubois"
    coach.save()
    after = client.get(feed_url(coach))
    assert after["ETag"] != before["ETag"]
    [event] = events_of(after.content).values()
    assert event["ORGANIZER"].params["CN"] == "Claire Martin-Dubois"
    row = stored(booking)
    assert row.updated_at == updated_at  # the booking did not change: DTSTAMP stays
    assert bytes(row.feed_event) == icalendar_bytes(row)  # and it was stored again


def test_a_renamed_session_type_shows_in_the_next_render(client, session_type, clock):
    coach = session_type.coach
    bookings = [make(session_type, NOW + timedelta(days=i), i) for i in (1, 2)]
    client.get(feed_url(coach))
    session_type.name = "Entretien découverte"
    session_type.save()
    # The ETag does not follow session types (feed_state): the next booking change or the
    # next day renders the feed again, then with the new name in every event.
    clock.shift(timedelta(seconds=1))
    booking_mark_no_show(booking=make(session_type, NOW - timedelta(days=3), 3))
    events = events_of(client.get(feed_url(coach)).content)
    assert {str(events[booking_uid(b.uid)]["SUMMARY"]) for b in bookings} == {
        "Entretien découverte · Person 1", "Entretien découverte · Person 2"}
    assert all(bytes(stored(b).feed_event) == icalendar_bytes(stored(b)) for b in bookings)


def test_a_new_coach_email_is_rendered_again(session_type):
    booking = make(session_type, NOW + timedelta(days=1), 1)
    user = session_type.coach.user
    user.email = "claire@new.example"
    user.save()
    coach = type(session_type.coach).objects.select_related("user").get(pk=user.coach.pk)
    [event] = served_events(coach)
    assert b"mailto:claire@new.example" in event
    assert event == icalendar_bytes(stored(booking))


def test_a_bulk_created_booking_is_rendered_by_the_feed_and_stored(session_type, client):
    start = NOW + timedelta(days=1)
    [booking] = Booking.objects.bulk_create([Booking(
        coach=session_type.coach, session_type=session_type, start=start,
        end=start + timedelta(minutes=30), blocked_start=start,
        blocked_end=start + timedelta(minutes=30), invitee_name="Bulk, Ünïcode \"B\"",
        invitee_email="bulk@example.org", consent_at=NOW, message="x" * 300)])
    assert bytes(stored(booking).feed_event) == b""
    body = client.get(feed_url(session_type.coach)).content
    row = stored(booking)
    assert bytes(row.feed_event) == icalendar_bytes(row)
    assert bytes(row.feed_event) in body


def test_a_row_changed_behind_saves_back_is_rendered_again(session_type):
    booking = make(session_type, NOW + timedelta(days=1), 1)
    Booking.objects.filter(pk=booking.pk).update(
        sequence=3, invitee_name="Changed", updated_at=NOW + timedelta(seconds=3))
    [event] = served_events(session_type.coach)
    assert b"SEQUENCE:3" in event and event == icalendar_bytes(stored(booking))


def test_a_new_builder_renders_every_event_again(session_type, monkeypatch):
    booking = make(session_type, NOW + timedelta(days=1), 1)
    Booking.objects.filter(pk=booking.pk).update(feed_event=b"BEGIN:VEVENT\r\nOLD\r\n")
    assert b"OLD" in b"".join(served_events(session_type.coach))  # the key still matches
    monkeypatch.setattr(feed_events, "BUILDER_VERSION", "next-deploy")
    [event] = served_events(session_type.coach)
    assert event == icalendar_bytes(stored(booking))


def test_the_cold_body_after_a_change_is_the_body_of_a_first_render(session_type, clock):
    coach = session_type.coach
    bookings = [make(session_type, NOW + timedelta(days=i), i) for i in range(1, 4)]
    clock.shift(timedelta(seconds=1))
    booking_mark_no_show(booking=make(session_type, NOW - timedelta(days=1), 9))
    stored_body = feed.render_feed(coach=coach, now=NOW)
    Booking.objects.update(feed_event=b"", feed_event_key="", feed_event_at=None)
    cache.clear()
    assert feed.render_feed(coach=coach, now=NOW) == stored_body
    assert all(bytes(stored(b).feed_event) for b in bookings)


def test_the_invite_and_event_builders_do_not_import_the_orm():
    for module in (invites, feed_events):
        # Module-level imports only: booking.models is imported under TYPE_CHECKING alone.
        body = ast.parse(Path(module.__file__).read_text()).body
        imported = {alias.name for node in body if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {node.module for node in body if isinstance(node, ast.ImportFrom)}
        assert not {name for name in imported
                    if name.startswith("django") or name == "booking.models"}, module.__name__


def test_the_render_command_stores_the_events_bulk_create_left_out(session_type):
    booking = BookingFactory.build(session_type=session_type, coach=session_type.coach)
    Booking.objects.bulk_create([booking])
    assert not Booking.objects.get().feed_event
    out = StringIO()
    call_command("feed_render_events", stdout=out)
    assert b"BEGIN:VEVENT" in bytes(Booking.objects.get().feed_event)
    assert "demo: 1 events current" in out.getvalue()
