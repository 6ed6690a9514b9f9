"""Time off over bookings: which it covers, keeping them, or cancelling them with a message."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from availability import hours
from availability.slots import Interval
from booking.closing import ConflictsChanged, bookings_covered, close_time
from booking.models import Booking
from tests.factories import BookingFactory, book
from tests.support.outbox import notify_args

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 7, tzinfo=UTC)  # Monday 08:00 in Paris
WEEK = Interval(datetime(2027, 3, 8, tzinfo=PARIS), datetime(2027, 3, 13, tzinfo=PARIS))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def bookings(session_type):
    inside = book(session_type, datetime(2027, 3, 9, 10, tzinfo=PARIS), email="in@example.org")
    pending = book(session_type, datetime(2027, 3, 10, 10, tzinfo=PARIS),
                   email="pending@example.org", status=Booking.Status.PENDING_PAYMENT)
    book(session_type, datetime(2027, 3, 15, 10, tzinfo=PARIS), email="after@example.org")
    BookingFactory(session_type=session_type, start=datetime(2027, 3, 11, 10, tzinfo=PARIS),
                   status=Booking.Status.CANCELLED)
    return inside, pending


def _write(coach):
    return lambda: hours.time_off_create(coach=coach, start=WEEK.start, end=WEEK.end)


def test_covered_bookings_are_the_active_ones_inside(coach, bookings):
    assert bookings_covered(coach=coach, intervals=[WEEK], now=NOW) == list(bookings)
    edge = Interval(datetime(2027, 3, 9, 10, 29, tzinfo=PARIS),
                    datetime(2027, 3, 9, 11, tzinfo=PARIS))
    assert bookings_covered(coach=coach, intervals=[edge], now=NOW) == [bookings[0]]
    assert bookings_covered(coach=coach, intervals=[], now=NOW) == []


def test_saving_without_cancelling_keeps_the_bookings(coach, bookings,
                                                      django_capture_on_commit_callbacks):
    before = notify_args()
    event, covered = close_time(coach=coach, intervals=[WEEK], write=_write(coach), now=NOW)
    assert event.pk and covered == list(bookings)
    assert {b.status for b in Booking.objects.filter(pk__in=[b.pk for b in bookings])} == {
        Booking.Status.CONFIRMED, Booking.Status.PENDING_PAYMENT}
    assert notify_args() == before


def test_cancelling_tells_each_invitee_with_the_message(coach, bookings):
    before = notify_args()
    close_time(coach=coach, intervals=[WEEK], write=_write(coach), now=NOW, cancel=True,
               message="Je suis en formation cette semaine.",
               seen=[b.uid for b in bookings])
    for booking in bookings:
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CANCELLED
        assert booking.cancelled_by == Booking.CancelledBy.COACH
        assert booking.cancel_reason == "Je suis en formation cette semaine."
    assert len(notify_args()) == len(before) + 2
    assert len(hours.one_off_events(coach=coach, kind="time_off", now=NOW)) == 1


def test_a_booking_made_since_the_warning_stops_everything(coach, bookings):
    with pytest.raises(ConflictsChanged) as changed:
        close_time(coach=coach, intervals=[WEEK], write=_write(coach), now=NOW, cancel=True,
                   seen=[bookings[0].uid])
    assert changed.value.conflicts == list(bookings)
    assert hours.one_off_events(coach=coach, kind="time_off", now=NOW) == []
    assert Booking.objects.active().count() == 3


def test_a_refused_write_cancels_nothing(coach, bookings):
    hours.time_off_create(coach=coach, start=WEEK.start, end=WEEK.start + timedelta(hours=1))
    with pytest.raises(ValidationError):
        close_time(coach=coach, intervals=[WEEK], write=_write(coach), now=NOW, cancel=True,
                   seen=[b.uid for b in bookings])
    assert Booking.objects.active().count() == 3
