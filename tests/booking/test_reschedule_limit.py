"""An invitee moves a booking at most `max_reschedules` times; a move to its own time is a
no-op; the coach's moves are never limited (booking.services.booking_reschedule)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from booking import errors
from booking.models import Booking, BookingEvent
from booking.services import booking_reschedule
from tests.factories import book
from tests.support.outbox import notify_args

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
TUESDAY_9 = datetime(2027, 3, 2, 9, tzinfo=PARIS)
INVITEE = Booking.CancelledBy.INVITEE
COACH = Booking.CancelledBy.COACH

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def slot(n: int) -> datetime:
    return TUESDAY_9 + timedelta(minutes=30 * n)


def test_the_default_allows_three_moves_by_the_invitee(session_type):
    assert session_type.max_reschedules == 3
    booking = book(session_type, slot(0))
    for n in (1, 2, 3):
        booking = booking_reschedule(booking=booking, start=slot(n), by=INVITEE)

    with pytest.raises(errors.RescheduleLimitReached) as caught:
        booking_reschedule(booking=booking, start=slot(4), by=INVITEE)

    assert caught.value.code == "reschedule_limit"
    booking.refresh_from_db()
    assert (booking.start, booking.sequence) == (slot(3), 3)
    assert len(notify_args(booking)) == 4  # the booking and its three moves


def test_the_limit_is_the_session_type_s(session_type):
    session_type.max_reschedules = 0
    session_type.save()
    booking = book(session_type, slot(0))
    with pytest.raises(errors.RescheduleLimitReached):
        booking_reschedule(booking=booking, start=slot(1), by=INVITEE)


def test_the_coach_moves_as_often_as_she_likes_and_her_moves_do_not_count(session_type):
    session_type.max_reschedules = 1
    session_type.save()
    booking = book(session_type, slot(0))
    for n in (1, 2, 3, 4):
        booking = booking_reschedule(booking=booking, start=slot(n), by=COACH)
    booking = booking_reschedule(booking=booking, start=slot(5), by=INVITEE)
    assert booking.start == slot(5)
    with pytest.raises(errors.RescheduleLimitReached):
        booking_reschedule(booking=booking, start=slot(0), by=INVITEE)
    assert booking_reschedule(booking=booking, start=slot(0), by=COACH).start == slot(0)


@pytest.mark.parametrize("by", [INVITEE, COACH])
def test_a_move_to_the_same_time_changes_and_sends_nothing(session_type, by):
    booking = book(session_type, slot(0))
    for _ in range(5):
        same = booking_reschedule(booking=booking, start=slot(0), by=by)
        assert same.sequence == 0
    booking.refresh_from_db()
    assert booking.sequence == 0
    assert notify_args(booking) == [[booking.pk, 0]]
    assert not booking.events.filter(kind=BookingEvent.Kind.RESCHEDULED).exists()
    # and it did not spend the allowance
    for n in (1, 2, 3):
        booking = booking_reschedule(booking=booking, start=slot(n), by=INVITEE)
