"""Reproducible bench data for the demo coach, written in bulk (the benchmarks measure reads).

The demo coach of `seed_demo` (10 weekly windows, Mon–Fri 09–12 and 14–18 Europe/Paris), her
windows moved two years back so that they cover the seeded past, 50 time-off periods, 300
imported busy intervals, a second session type with a long horizon and no per-person limit (so
the load test finds thousands of free slots), and 10,000 bookings on 30-minute slots of her
windows, never overlapping each other or her time off. Every random choice comes from a fixed
seed, relative to the `now` the run starts at.
"""

import io
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.db import connection
from django.db.models import F, QuerySet
from django.test import override_settings
from schedule.models import Event

from accounts.models import Coach
from availability.models import Availability, BusyInterval, ExternalCalendar, SessionType
from availability.services import time_off_add
from booking.models import Booking

SEED = 20270301
BOOKINGS = 10_000
TIME_OFF_PERIODS = 50
BUSY_INTERVALS = 300
SPAN_DAYS = 730  # bookings spread over ±2 years
FEED_PAST_DAYS = 89  # the feed shows the future and the last 90 days
FEED_FUTURE_DAYS = 1400  # enough weekdays for 10,000 slots in the feed window
SLOT = timedelta(minutes=30)
BENCH_PREFIX = "bench-"  # the emails of bookings made by the benchmarks
SLOT_TIMES = [time(h, m) for h in (9, 10, 11, 14, 15, 16, 17) for m in (0, 30)]
ZONES = ["Europe/Paris"] * 6 + ["Europe/Brussels", "Europe/Zurich", "America/Montreal",
                                 "Africa/Casablanca"]
FIRST_NAMES = ["Camille", "Léa", "Hugo", "Chloé", "Lucas", "Manon", "Louis", "Inès", "Jules",
               "Sarah", "Nathan", "Emma", "Paul", "Alice", "Théo", "Julie"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
              "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "Fournier"]
MESSAGE = ("Bonjour, j'ai lu votre article sur la prise de parole en public et j'aimerais "
           "en discuter avec vous. Merci !")


@dataclass(frozen=True)
class World:
    coach: Coach
    discovery: SessionType  # seed_demo's free type: 60-day horizon, once per person
    followup: SessionType  # long horizon, unlimited: thousands of free slots for load tests
    now: datetime
    time_off: list[tuple[datetime, datetime]]

    @property
    def today(self) -> date:
        return self.now.astimezone(self.coach.zone).date()


def seed_world(now: datetime) -> World:
    """Empty the bench database and seed it; bookings laid out by `layout_bookings`."""
    call_command("flush", interactive=False, verbosity=0)
    # A throw-away database on the loopback: the demo's printed password harms nothing here.
    with override_settings(SEED_DEMO_ALLOWED=True):
        call_command("seed_demo", stdout=io.StringIO())
    coach = Coach.objects.select_related("availability").get(slug="demo")
    windows = Event.objects.filter(calendar_id=coach.availability.windows_id)
    if windows.count() != 10:
        raise RuntimeError(f"seed_demo made {windows.count()} weekly windows, expected 10")
    _backdate(list(windows), coach.zone, weeks=105)
    rng = random.Random(SEED)
    today = now.astimezone(coach.zone).date()
    time_off = _seed_time_off(coach, rng, today)
    _seed_busy_intervals(coach, rng, today)
    followup = SessionType.objects.create(
        coach=coach, slug="suivi", name="Séance de suivi", position=10,
        horizon=timedelta(days=5 * 365), limit_policy=SessionType.LimitPolicy.UNLIMITED)
    # Windows and time off were written behind the services' back: invalidate cached expansions.
    Availability.objects.filter(coach=coach).update(version=F("version") + 1)
    discovery = SessionType.objects.get(coach=coach, slug="discovery")
    return World(coach=coach, discovery=discovery, followup=followup, now=now,
                 time_off=time_off)


def _backdate(events: list[Event], zone: ZoneInfo, *, weeks: int) -> None:
    """Start weekly windows `weeks` earlier, keeping their wall-clock times in the coach's zone."""
    for event in events:
        event.start = _local_shift(event.start, zone, weeks)
        event.end = _local_shift(event.end, zone, weeks)
        event.save(update_fields=["start", "end"])


def _local_shift(instant: datetime, zone: ZoneInfo, weeks: int) -> datetime:
    wall = instant.astimezone(zone).replace(tzinfo=None) - timedelta(weeks=weeks)
    return wall.replace(tzinfo=zone)


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)


def _seed_time_off(coach: Coach, rng: random.Random,
                   today: date) -> list[tuple[datetime, datetime]]:
    """50 periods: holidays of 5–12 days, single days and afternoons, never overlapping."""
    zone = coach.zone
    periods: list[tuple[datetime, datetime]] = []
    kinds = ["holiday"] * 8 + ["day"] * 30 + ["afternoon"] * 12
    for kind in kinds:
        while True:
            day = today + timedelta(days=rng.randint(-SPAN_DAYS, SPAN_DAYS))
            if kind == "holiday":
                start, end = _local(day, time(0), zone), _local(
                    day + timedelta(days=rng.randint(5, 12)), time(0), zone)
            elif kind == "day":
                start, end = _local(day, time(0), zone), _local(day + timedelta(days=1),
                                                                 time(0), zone)
            else:
                start, end = _local(day, time(14), zone), _local(day, time(18), zone)
            if not any(start < e and s < end for s, e in periods):
                break
        periods.append((start, end))
        time_off_add(coach=coach, start=start, end=end, title=kind)
    return sorted((s.astimezone(UTC), e.astimezone(UTC)) for s, e in periods)


def _seed_busy_intervals(coach: Coach, rng: random.Random, today: date) -> None:
    source = ExternalCalendar.objects.create(coach=coach, name="Agenda personnel",
                                             url="https://calendar.example.com/private.ics")
    rows = []
    for _ in range(BUSY_INTERVALS):
        day = today + timedelta(days=rng.randint(-SPAN_DAYS, SPAN_DAYS))
        start = _local(day, time(rng.randint(7, 19), rng.choice((0, 15, 30, 45))), coach.zone)
        rows.append(BusyInterval(coach=coach, source=source, start=start.astimezone(UTC),
                                 end=(start + timedelta(minutes=rng.choice((30, 60, 90, 120,
                                                                            180))))
                                 .astimezone(UTC)))
    BusyInterval.objects.bulk_create(rows)


def layout_bookings(world: World, *, in_feed_window: bool = False) -> int:
    """Replace the demo coach's bookings with the seeded 10,000; return how many the feed shows.

    By default they spread over ±2 years; `in_feed_window` puts all of them in the feed's
    window (the future and the last 90 days), cancelled ones cancelled in the last 30 days.
    """
    _delete_bookings(Booking.objects.filter(coach=world.coach))
    rng = random.Random(SEED + (1 if in_feed_window else 0))
    first, last = ((world.today - timedelta(days=FEED_PAST_DAYS),
                    world.today + timedelta(days=FEED_FUTURE_DAYS)) if in_feed_window
                   else (world.today - timedelta(days=SPAN_DAYS),
                         world.today + timedelta(days=SPAN_DAYS)))
    starts = rng.sample(_candidate_starts(world, first, last), BOOKINGS)
    starts.sort()
    rows = [_booking(world, rng, index, start, recent_cancel=in_feed_window)
            for index, start in enumerate(starts)]
    Booking.objects.bulk_create(rows, batch_size=1000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE booking_booking")
    feed_from = world.now - timedelta(days=FEED_PAST_DAYS + 1)
    return sum(1 for row in rows if row.start >= feed_from and (
        row.status != Booking.Status.CANCELLED
        or row.cancelled_at >= world.now - timedelta(days=30)))


def remove_bench_bookings(world: World) -> int:
    """Delete the bookings the benchmarks made (emails `bench-…`), leaving the seeded ones."""
    return _delete_bookings(Booking.objects.filter(coach=world.coach,
                                                   invitee_email__startswith=BENCH_PREFIX))


def _delete_bookings(bookings: QuerySet[Booking]) -> int:
    """Delete in a few statements: rows pointing at these bookings first, then the bookings.

    QuerySet.delete() would load every booking to cascade by hand (seconds for 10,000).
    """
    for relation in Booking._meta.related_objects:
        relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": bookings}).delete()
    return bookings._raw_delete(bookings.db)


def _candidate_starts(world: World, first: date, last: date) -> list[datetime]:
    """Every slot of the weekly windows from `first` to `last` that no time off touches."""
    zone = world.coach.zone
    starts = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            for at in SLOT_TIMES:
                start = _local(day, at, zone).astimezone(UTC)
                end = start + SLOT
                if not any(start < off_end and off_start < end
                           for off_start, off_end in world.time_off):
                    starts.append(start)
        day += timedelta(days=1)
    return starts


def _booking(world: World, rng: random.Random, index: int, start: datetime, *,
             recent_cancel: bool) -> Booking:
    now = world.now
    session_type = world.followup if rng.random() < 0.15 else world.discovery
    roll = rng.random()
    status = Booking.Status.CONFIRMED
    cancelled_at = None
    if roll < 0.10:
        status = Booking.Status.CANCELLED
        latest = now if recent_cancel else min(now, start - timedelta(days=1))
        cancelled_at = latest - timedelta(hours=rng.uniform(1, 24 * 25))
    elif start < now and roll < 0.13:
        status = Booking.Status.NO_SHOW
    elif start < now and roll < 0.30:
        status = Booking.Status.COMPLETED
    booked_at = (cancelled_at or min(start, now)) - timedelta(hours=rng.uniform(1, 24 * 30))
    first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return Booking(
        uid=uuid.UUID(int=rng.getrandbits(128), version=4),
        coach=world.coach, session_type=session_type,
        start=start, end=start + SLOT, blocked_start=start, blocked_end=start + SLOT,
        status=status,
        invitee_name=f"{first_name} {last_name}",
        invitee_email=f"prospect{index:05d}@example.com",
        invitee_timezone=ZoneInfo(rng.choice(ZONES)),
        invitee_language="en" if rng.random() < 0.1 else "fr",
        message=MESSAGE if rng.random() < 0.3 else "",
        consent_at=booked_at,
        sequence=1 if cancelled_at else 0,
        cancelled_at=cancelled_at,
        cancelled_by=(rng.choice((Booking.CancelledBy.INVITEE, Booking.CancelledBy.COACH))
                      if cancelled_at else ""),
    )
