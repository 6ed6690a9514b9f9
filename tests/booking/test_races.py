"""The guard under real concurrency: real threads, real transactions, one database.

Every thread waits at a barrier, then all call the service at once; each closes its own
database connection when done. Run on SQLite (a file database, IMMEDIATE transactions) and on
PostgreSQL (exclusion constraint and advisory locks).
"""

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction

from availability.models import SessionType
from booking import errors
from booking.models import Booking
from booking.selectors import SlotFacts, free_slots_for
from booking.services import Invitee, booking_cancel, booking_create, booking_reschedule
from tests.factories import BookingFactory, SessionTypeFactory
from tests.support.outbox import notify_args
from tests.support.races import race as support_race

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
TUESDAY_9 = datetime(2027, 3, 2, 9, tzinfo=PARIS)
BOOKED = "booked"
Policy = SessionType.LimitPolicy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.serial]

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the exclusion constraint booking_no_overlap exists only on PostgreSQL; "
           "SQLite relies on IMMEDIATE transactions, raced in the other tests")


def person(n: int | str) -> Invitee:
    return Invitee(name=f"Invitee {n}", email=f"invitee{n}@example.org", timezone=PARIS)


def _booked_or_code(attempt: Callable[[], object]) -> str:
    """"booked", or the BookingError's code (anything else is counted as its repr)."""
    try:
        attempt()
    except errors.BookingError as exc:
        return exc.code
    return BOOKED


def race(attempts: list[Callable[[], object]]) -> Counter:
    """Run every attempt at once (tests.support.races); count "booked" and refusal codes."""
    return support_race(attempts, _booked_or_code)


def create(session_type: SessionType, start: datetime, invitee: Invitee) -> Callable[[], object]:
    return lambda: booking_create(session_type=session_type, start=start, invitee=invitee,
                                  now=NOW)


def test_sqlite_races_run_on_a_file_database_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("checks the SQLite test set-up")
    assert connection.settings_dict["NAME"] not in {":memory:", ""}
    assert "mode=memory" not in str(connection.settings_dict["NAME"])
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_fifty_simultaneous_bookings_of_one_slot_make_exactly_one(session_type):
    outcomes = race([create(session_type, TUESDAY_9, person(n)) for n in range(50)])
    assert outcomes == {BOOKED: 1, "slot_taken": 49}
    assert Booking.objects.filter(start=TUESDAY_9).count() == 1


def test_fifty_simultaneous_overlapping_bookings_of_different_lengths_make_one(coach,
                                                                             session_type):
    hour = SessionTypeFactory(coach=coach, slug="hour", duration=timedelta(hours=1))
    half_past = TUESDAY_9 + timedelta(minutes=30)
    # 09:00–10:00, 09:30–10:30 and 09:30–10:00 all overlap one another.
    starts = [(hour, TUESDAY_9), (hour, half_past), (session_type, half_past)]
    attempts = [create(*starts[n % 3], person(n)) for n in range(50)]
    outcomes = race(attempts)
    assert outcomes == {BOOKED: 1, "slot_taken": 49}
    assert Booking.objects.count() == 1


def test_simultaneous_back_to_back_bookings_all_succeed(session_type):
    starts = [TUESDAY_9 + timedelta(minutes=30 * n) for n in range(6)]  # 09:00 … 11:30
    outcomes = race([create(session_type, start, person(n)) for n, start in enumerate(starts)])
    assert outcomes == {BOOKED: 6}


def test_simultaneous_bookings_by_one_person_make_exactly_one(coach):
    once = SessionTypeFactory(coach=coach, limit_policy=Policy.ONCE)
    # Different days, so only the per-person lock (or SQLite's write lock) orders them.
    first_of_day: dict = {}
    for slot in free_slots_for(session_type=once, start=NOW, end=NOW + timedelta(days=60),
                               now=NOW):
        first_of_day.setdefault(slot.start.astimezone(PARIS).date(), slot.start)
    days = list(first_of_day.values())[:20]
    assert len(days) == 20
    outcomes = race([create(once, start, person("same")) for start in days])
    assert outcomes == {BOOKED: 1, "limit_reached": 19}
    assert Booking.objects.filter(invitee_email="inviteesame@example.org").count() == 1


@pytest.mark.parametrize("policy", [Policy.ONCE, Policy.UNLIMITED])
def test_two_identical_requests_at_once_make_one_booking_both_answered_with_it(coach, policy):
    kind = SessionTypeFactory(coach=coach, limit_policy=policy)
    answers: list[Booking] = []

    def attempt() -> None:
        answers.append(booking_create(session_type=kind, start=TUESDAY_9,
                                      invitee=person("twice"), now=NOW))

    assert race([attempt, attempt]) == {BOOKED: 2}
    booking = Booking.objects.get()
    assert [a.pk for a in answers] == [booking.pk, booking.pk]
    assert {a.manage_token for a in answers} == {booking.manage_token}
    assert notify_args() == [[booking.pk, 0]]  # one set of emails


def test_simultaneous_bookings_cannot_exceed_the_daily_cap(coach):
    capped = SessionTypeFactory(coach=coach, daily_cap=2, limit_policy=Policy.UNLIMITED)
    day_slots = free_slots_for(session_type=capped, start=TUESDAY_9,
                               end=TUESDAY_9 + timedelta(hours=10), now=NOW)
    assert len(day_slots) == 14
    outcomes = race([create(capped, slot.start, person(n)) for n, slot in enumerate(day_slots)])
    assert outcomes == {BOOKED: 2, "slot_unavailable": 12}
    assert Booking.objects.count() == 2


def test_simultaneous_reschedules_into_one_slot_move_exactly_one(session_type):
    bookings = [booking_create(session_type=session_type, invitee=person(n), now=NOW,
                               start=TUESDAY_9 + timedelta(days=days))
                for n, days in enumerate([1, 2, 3, 6, 7, 8, 9, 10, 13, 14])]  # weekdays
    target = TUESDAY_9 + timedelta(hours=2)
    outcomes = race([
        lambda booking=booking: booking_reschedule(booking=booking, start=target,
                                                   by=Booking.CancelledBy.INVITEE, now=NOW)
        for booking in bookings])
    assert outcomes == {BOOKED: 1, "slot_taken": 9}
    assert Booking.objects.filter(start=target).count() == 1


def test_a_slot_freed_by_a_cancellation_racing_new_bookings_is_booked_at_most_once(
        session_type):
    taken = booking_create(session_type=session_type, start=TUESDAY_9, invitee=person("first"),
                           now=NOW)
    attempts = [create(session_type, TUESDAY_9, person(n)) for n in range(20)]
    attempts.append(lambda: booking_cancel(booking=taken, by=Booking.CancelledBy.COACH, now=NOW))
    outcomes = race(attempts)
    assert outcomes[BOOKED] in {1, 2}  # the cancellation, and perhaps one booking after it
    assert sum(outcomes.values()) == 21
    assert set(outcomes) <= {BOOKED, "slot_taken"}
    assert Booking.objects.active().filter(start=TUESDAY_9).count() == outcomes[BOOKED] - 1


@postgres_only
def test_a_lost_race_past_the_recheck_becomes_slot_taken_never_a_500(session_type,
                                                                     monkeypatch):
    # Blind the re-check, as if every thread had read before any other committed: only the
    # exclusion constraint stands, and the service must turn its refusal into "slot taken".
    monkeypatch.setattr(SlotFacts, "refusal", lambda self, start, *, now: None)
    outcomes = race([create(session_type, TUESDAY_9, person(n)) for n in range(20)])
    assert outcomes == {BOOKED: 1, "slot_taken": 19}
    assert Booking.objects.count() == 1


@postgres_only
def test_database_refuses_overlapping_active_bookings_of_one_coach(coach, session_type):
    BookingFactory(session_type=session_type, start=TUESDAY_9)
    with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic():
        BookingFactory(session_type=session_type, start=TUESDAY_9 + timedelta(minutes=15))
    with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic():
        # Buffers count: this one's blocked range reaches back into the first session.
        BookingFactory(session_type=session_type, start=TUESDAY_9 + timedelta(minutes=30),
                       blocked_start=TUESDAY_9 + timedelta(minutes=20))
    assert Booking.objects.count() == 1


@postgres_only
def test_database_accepts_touching_cancelled_and_other_coaches_bookings(coach, session_type):
    other = SessionTypeFactory()
    BookingFactory(session_type=session_type, start=TUESDAY_9)
    BookingFactory(session_type=session_type,
                   start=TUESDAY_9 + timedelta(minutes=30))  # back to back
    BookingFactory(session_type=session_type, start=TUESDAY_9, status=Booking.Status.CANCELLED)
    BookingFactory(session_type=session_type, start=TUESDAY_9, status=Booking.Status.COMPLETED)
    BookingFactory(session_type=other, start=TUESDAY_9)
    assert Booking.objects.count() == 5
