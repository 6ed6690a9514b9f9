"""The slot path's hand-written reads agree with the ORM, to the microsecond, on both vendors."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from availability.models import Availability, BusyInterval
from availability.selectors import (
    active_session_type,
    busy_intervals_for,
    session_type_rules,
    slot_subject,
    slot_subject_of,
)
from booking.feed import feed_vevents
from booking.models import Booking
from booking.selectors import blocked_spans
from tests.factories import BookingFactory, CoachFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db

INSTANTS = [
    datetime(2027, 3, 28, 0, 59, 59, 999999, tzinfo=UTC),  # a microsecond before Paris springs
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, 1, tzinfo=UTC),  # before the epoch
    datetime(2999, 12, 31, 23, 30, 0, 123456, tzinfo=UTC),
]


@pytest.mark.parametrize("start", INSTANTS)
def test_busy_intervals_are_the_stored_instants_to_the_microsecond(start):
    coach = CoachFactory()
    BusyInterval.objects.create(coach=coach, start=start, end=start + timedelta(minutes=30))
    found = busy_intervals_for(coach=coach, start=start - timedelta(days=1),
                               end=start + timedelta(days=1))
    assert [(i.start, i.end) for i in found] == [(start, start + timedelta(minutes=30))]
    assert found[0].start.utcoffset() == timedelta(0)


def test_busy_intervals_come_back_sorted_exact_and_only_those_overlapping():
    coach = CoachFactory()
    other = CoachFactory()
    base = datetime(2027, 3, 1, 9, 0, 0, 1, tzinfo=UTC)
    for hours in (5, 1, 3, 30):
        BusyInterval.objects.create(coach=coach, start=base + timedelta(hours=hours),
                                    end=base + timedelta(hours=hours, minutes=45))
    BusyInterval.objects.create(coach=other, start=base, end=base + timedelta(hours=1))
    # Touching the range's edge is not overlapping it: [base+1h, …) starts where it ends.
    found = busy_intervals_for(coach=coach, start=base + timedelta(minutes=5),
                               end=base + timedelta(hours=24))
    assert [i.start for i in found] == [base + timedelta(hours=h) for h in (1, 3, 5)]


@pytest.mark.parametrize("start", INSTANTS[:1] + INSTANTS[3:])
def test_blocked_spans_are_active_bookings_and_busy_times_to_the_microsecond(start):
    taken = BookingFactory(start=start, blocked_start=start - timedelta(minutes=10),
                           blocked_end=start + timedelta(minutes=45))
    coach = taken.coach
    BookingFactory(session_type=taken.session_type, start=start + timedelta(hours=1),
                   status=Booking.Status.CANCELLED)
    pending = BookingFactory(session_type=taken.session_type, start=start + timedelta(hours=2),
                             status=Booking.Status.PENDING_PAYMENT)
    busy = BusyInterval.objects.create(coach=coach, start=start + timedelta(hours=5),
                                       end=start + timedelta(hours=6, microseconds=7))
    BusyInterval.objects.create(coach=CoachFactory(), start=start, end=busy.end)
    window = {"start": start - timedelta(days=1), "end": start + timedelta(days=1)}

    spans, starts = blocked_spans(coach_id=coach.pk, with_starts=True, **window)

    assert sorted(spans) == [(taken.blocked_start, taken.blocked_end),
                             (pending.blocked_start, pending.blocked_end),
                             (busy.start, busy.end)]
    assert sorted(starts) == [taken.start, pending.start]
    assert blocked_spans(coach_id=coach.pk, **window)[1] == []
    assert sorted(blocked_spans(coach_id=coach.pk, exclude_pk=taken.pk, **window)[0]) == [
        (pending.blocked_start, pending.blocked_end), (busy.start, busy.end)]
    assert blocked_spans(coach_id=CoachFactory().pk, **window) == ([], [])


@pytest.mark.parametrize("slug", ["discovery", "suivi", None])
def test_slot_subject_is_what_the_orm_reads(slug):
    coach = CoachFactory(timezone="America/St_Johns")
    SessionTypeFactory(coach=coach, slug="suivi", position=2, daily_cap=3,
                       duration=timedelta(minutes=45), step=timedelta(minutes=15),
                       notice=timedelta(hours=1, seconds=1), horizon=timedelta(days=400),
                       buffer_before=timedelta(minutes=5), buffer_after=timedelta(minutes=10))
    SessionTypeFactory(coach=coach, slug="discovery", position=1)
    SessionTypeFactory(coach=coach, slug="old", position=0, is_active=False)
    subject = slot_subject(coach_slug=coach.slug, slug=slug)
    session_type = active_session_type(coach_slug=coach.slug, slug=slug)
    availability = Availability.objects.get(coach=coach)
    assert subject.coach_id == coach.pk
    assert subject.zone == ZoneInfo("America/St_Johns")
    assert subject.rules == session_type_rules(session_type, coach.zone)
    assert (subject.availability.pk, subject.availability.version) == (availability.pk,
                                                                       availability.version)
    assert subject == slot_subject_of(session_type)


def test_slot_subject_misses_like_the_orm():
    coach = CoachFactory()
    SessionTypeFactory(coach=coach, slug="old", is_active=False)
    assert slot_subject(coach_slug=coach.slug, slug="old") is None
    assert slot_subject(coach_slug=coach.slug, slug=None) is None
    assert slot_subject(coach_slug="nobody", slug=None) is None
    Availability.objects.filter(coach=coach).delete()
    SessionTypeFactory(coach=coach, slug="new")
    assert slot_subject(coach_slug=coach.slug, slug="new").availability is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_slot_path_reads_are_prepared_and_the_feed_read_is_not():
    """Django turns psycopg's preparation off; the settings allow it and the slot path asks
    for it (raw_reads.fetch): without either, these reads are planned again per request."""
    taken = BookingFactory()
    coach = taken.coach
    window = {"start": taken.start - timedelta(days=1), "end": taken.start + timedelta(days=1)}

    slot_subject(coach_slug=coach.slug, slug=taken.session_type.slug)
    blocked_spans(coach_id=coach.pk, **window)
    busy_intervals_for(coach=coach, **window)
    assert feed_vevents(coach=coach, now=taken.start - timedelta(days=1))

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any(Booking._meta.db_table in sql and "blocked_start" in sql for sql in prepared)
    assert any("t.daily_cap" in sql for sql in prepared)
    assert any(BusyInterval._meta.db_table in sql and "ORDER BY" in sql for sql in prepared)
    assert not any("feed_event" in sql for sql in prepared)


def test_logged_hand_written_reads_keep_their_sql():
    """Django's query log (DEBUG, query-counting tests) shows each hand-written read's SQL,
    prepared statements or not (psycopg leaves a prepared execution's text unset)."""
    taken = BookingFactory()
    window = {"start": taken.start - timedelta(days=1), "end": taken.start + timedelta(days=1)}
    for _ in range(3):  # past any preparing threshold
        with CaptureQueriesContext(connection) as captured:
            slot_subject(coach_slug=taken.coach.slug, slug=taken.session_type.slug)
            blocked_spans(coach_id=taken.coach.pk, **window)
        sqls = [query["sql"] for query in captured.captured_queries]
        assert len(sqls) == 2 and all(isinstance(sql, str) for sql in sqls), sqls
        assert "t.daily_cap" in sqls[0] and "blocked_start" in sqls[1]
