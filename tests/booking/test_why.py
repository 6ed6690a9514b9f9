""""Why is this time not offered?" agrees with the slots list, and names the cause."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from availability import hours
from availability.models import BusyInterval, ExternalCalendar
from booking.models import Booking
from booking.selectors import free_slots_for
from booking.why import Reason, why_not_offered
from tests.factories import BookingFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 7, tzinfo=UTC)  # Monday 08:00 in Paris


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """March `day`, 2027, at that wall-clock time in Paris."""
    return datetime(2027, 3, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def scene(coach):
    """Her week (Mon–Fri 9–12, 14–18), a type with a 30-minute buffer after, a cap of 3 a day
    and a 4-day horizon, with bookings, a busy time of a named calendar and time off."""
    session_type = SessionTypeFactory(coach=coach, buffer_after=timedelta(minutes=30),
                                      daily_cap=3, horizon=timedelta(days=4))
    booked = BookingFactory(session_type=session_type, start=at(2, 10))
    BookingFactory(session_type=session_type, start=at(2, 15),
                   status=Booking.Status.PENDING_PAYMENT)
    BookingFactory(session_type=session_type, start=at(2, 16, 30),
                   status=Booking.Status.CANCELLED)  # frees its slot
    for hour in (9, 11, 16):  # Thursday reaches the cap
        BookingFactory(session_type=session_type, start=at(4, hour))
    calendar = ExternalCalendar.objects.create(coach=coach, name="Agenda perso",
                                               url="https://example.com/perso.ics")
    BusyInterval.objects.create(coach=coach, source=calendar, start=at(3, 9, 30),
                                end=at(3, 10, 15))
    hours.time_off_create(coach=coach, start=at(3, 14), end=at(3, 16))
    return session_type, booked


@pytest.mark.parametrize(("start", "reason"), [
    (at(1, 7), Reason.PAST),
    (at(1, 15), Reason.TOO_SOON),
    (at(5, 15), Reason.TOO_FAR),
    (at(2, 12, 30), Reason.OUTSIDE_WINDOWS),
    (at(3, 14, 30), Reason.TIME_OFF),
    (at(2, 9, 15), Reason.OFF_GRID),
    (at(4, 14), Reason.DAILY_CAP),
    (at(2, 10), Reason.BOOKED),
    (at(2, 15), Reason.BOOKED),  # pending payment holds its slot
    (at(2, 10, 30), Reason.BUFFER),  # the booking's 30 minutes after it
    (at(2, 9, 30), Reason.BUFFER),  # this slot's own buffer would reach the booking
    (at(3, 10), Reason.BUSY),
    (at(2, 16, 30), Reason.OFFERED),
    (at(2, 11), Reason.OFFERED),
])
def test_each_cause_is_named(scene, start, reason):
    session_type, _booked = scene
    assert why_not_offered(session_type=session_type, start=start, now=NOW).reason == reason


def test_a_busy_time_names_its_calendar_and_a_booking_is_given(scene):
    session_type, booked = scene
    busy = why_not_offered(session_type=session_type, start=at(3, 9, 30), now=NOW)
    assert busy.calendar == "Agenda perso"
    assert why_not_offered(session_type=session_type, start=at(2, 10),
                           now=NOW).booking == booked


def test_a_start_centuries_ahead_is_beyond_the_horizon_without_expanding(
        scene, django_assert_max_num_queries):
    session_type, _booked = scene
    with django_assert_max_num_queries(0):
        why = why_not_offered(session_type=session_type,
                              start=datetime(8999, 1, 1, tzinfo=UTC), now=NOW)
    assert why.reason == Reason.TOO_FAR


def test_the_answer_is_offered_exactly_for_the_listed_slots(scene):
    """Every 15 minutes from yesterday to past the horizon: bookings, buffers, a busy time,
    time off, a full day, off-grid and past starts all included."""
    session_type, _booked = scene
    first = datetime.combine(date(2027, 2, 28), time(0), tzinfo=PARIS)
    last = first + timedelta(days=7)
    offered = {s.start for s in free_slots_for(session_type=session_type, start=first,
                                                 end=last, now=NOW)}
    assert len(offered) == 15  # Tuesday 8, Wednesday 7
    seen = set()
    start = first
    while start < last:
        reason = why_not_offered(session_type=session_type, start=start, now=NOW).reason
        assert (reason == Reason.OFFERED) == (start in offered), (start, reason)
        seen.add(reason)
        start += timedelta(minutes=15)
    assert seen == set(Reason)
