"""A booking's history is written by the services, in the change's own transaction."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from booking import errors
from booking.agenda import booking_history
from booking.models import BookingEvent
from booking.services import (
    Invitee,
    booking_cancel,
    booking_complete,
    booking_create,
    booking_note_add,
    booking_reschedule,
)
from booking.tasks import notify_booking_changed

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
START = datetime(2027, 3, 3, 10, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def book(session_type):
    return booking_create(session_type=session_type, start=START, invitee=Invitee(
        name="Ada", email="ada@example.org", timezone=PARIS))


def test_each_change_writes_one_event_with_actor_and_times(session_type, clock):
    booking = book(session_type)
    booking = booking_reschedule(booking=booking, start=START + timedelta(hours=1), by="invitee")
    booking = booking_reschedule(booking=booking, start=START + timedelta(days=1), by="coach",
                                 message="  Désolée  ")
    clock.move_to(START + timedelta(days=1, minutes=40))
    booking_complete(booking=booking)
    booking_complete(booking=booking)  # a second click adds nothing
    events = list(booking.events.values_list("kind", "actor", "sequence", "message"))
    assert events == [("created", "invitee", 0, ""), ("rescheduled", "invitee", 1, ""),
                      ("rescheduled", "coach", 2, "Désolée"), ("completed", "coach", 2, "")]
    moved = booking.events.filter(kind="rescheduled").last()
    assert moved.old_start == START + timedelta(hours=1)
    assert moved.new_start == START + timedelta(days=1)


def test_cancel_records_the_message(session_type):
    booking = booking_cancel(booking=book(session_type), by="coach", reason="Malade")
    event = booking.events.get(kind=BookingEvent.Kind.CANCELLED)
    assert (event.actor, event.message, event.sequence) == ("coach", "Malade", 1)


def test_a_refused_change_leaves_no_event(session_type, clock):
    booking = book(session_type)
    clock.move_to(START + timedelta(hours=2))
    with pytest.raises(errors.ChangeNotAllowed):
        booking_cancel(booking=booking, by="coach")
    assert list(booking.events.values_list("kind", flat=True)) == ["created"]


def test_history_merges_events_and_sent_emails_in_order(session_type):
    booking = book(session_type)
    notify_booking_changed.call(booking.pk, 0)
    booking = booking_cancel(booking=booking, by="invitee")
    notify_booking_changed.call(booking.pk, 1)
    kinds = [item.event.kind if item.event else f"mail:{item.email.kind}:{item.email.role}"
             for item in booking_history(booking=booking)]
    assert kinds == ["created", "mail:request:invitee", "mail:request:coach", "cancelled",
                     "mail:cancel:invitee", "mail:cancel:coach"]


def test_notes_are_validated(session_type):
    booking = book(session_type)
    note = booking_note_add(booking=booking, text="  Rappeler en avril\r\nMerci ")
    assert note.text == "Rappeler en avril\nMerci"
    for bad in ("", "   ", "x" * 2001, "nul\x00"):
        with pytest.raises(ValidationError):
            booking_note_add(booking=booking, text=bad)
    assert booking.notes.count() == 1
