"""Date overrides: one or more dates with their own hours, or none (unavailable all day).

An override is stored as time off for the rest of its day plus extra hours for the hours it
gives (events tagged `hours.OVERRIDE`), so it holds whatever her weekly ranges are or become;
the editor shows the pieces of one day as one line.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from schedule.models import Event

from accounts.models import Coach
from availability import services
from availability.hours import (
    NO_DAYS,
    OVERLAPS_EXTRA,
    OVERLAPS_TIME_OFF,
    OVERRIDE,
    Range,
    calendars_of,
    check_ranges,
    lock_hours,
    one_offs_overlapping,
    when_label,
)
from availability.models import Availability
from availability.selectors import local_instant
from availability.slots import Interval


@dataclass(frozen=True, slots=True)
class Override:
    """One date with its own hours: none (unavailable all day) or `hours` instead."""

    day: date
    hours: tuple[Range, ...]


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return local_instant(datetime.combine(day, time(0)), zone)


def override_plan(*, zone: ZoneInfo, day: date,
                  hours: Sequence[Range]) -> tuple[list[Interval], list[Interval]]:
    """(closed, opened) for one date: closed all day, or all day but `hours`, which open.

    Closing the rest of the day rather than the weekly ranges makes `hours` the day's hours
    whatever the weekly ranges are or become.
    """
    check_ranges(hours)
    cursor, last = _midnight(day, zone), _midnight(day + timedelta(days=1), zone)
    closed, opened = [], []
    for start, end in sorted(hours):
        begins = local_instant(datetime.combine(day, start), zone)
        ends = local_instant(datetime.combine(day, end), zone)
        if begins > cursor:
            closed.append(Interval(cursor, begins))
        opened.append(Interval(begins, ends))
        cursor = ends
    if cursor < last:
        closed.append(Interval(cursor, last))
    return closed, opened


def _override_events(availability: Availability, day: date, zone: ZoneInfo):
    return Event.objects.filter(
        calendar_id__in=[availability.windows_id, availability.time_off_id],
        description=OVERRIDE, start__gte=_midnight(day, zone),
        start__lt=_midnight(day + timedelta(days=1), zone))


def overrides_plan(*, coach: Coach, days: Iterable[date],
                   hours: Sequence[Range]) -> tuple[list[Interval], list[Interval]]:
    """What `overrides_set` would close and open, checked against what she already has
    (an override of the same day is replaced, so it does not count)."""
    days = sorted(set(days))
    if not days:
        raise ValidationError(NO_DAYS, code="no_days")
    availability = calendars_of(coach)
    closed, opened, replaced = [], [], []
    for day in days:
        day_closed, day_opened = override_plan(zone=coach.zone, day=day, hours=hours)
        closed += day_closed
        opened += day_opened
        replaced += _override_events(availability, day, coach.zone).values_list("pk", flat=True)
    for interval in closed:
        other = one_offs_overlapping(availability.time_off_id, interval, replaced).first()
        if other is not None:
            raise ValidationError(OVERLAPS_TIME_OFF % {
                "when": when_label(Interval(other.start, other.end), coach.zone)}, code="overlap")
    for interval in opened:
        other = one_offs_overlapping(availability.windows_id, interval, replaced).first()
        if other is not None:
            raise ValidationError(OVERLAPS_EXTRA % {
                "when": when_label(Interval(other.start, other.end), coach.zone)}, code="overlap")
    return closed, opened


@transaction.atomic
def overrides_set(*, coach: Coach, days: Iterable[date], hours: Sequence[Range]) -> None:
    """Give each of `days` its own hours: none (unavailable all day) or `hours` instead.

    A day's earlier override is replaced; other time off or extra hours that would overlap
    are refused (ValidationError), and nothing changes then.
    """
    days = sorted(set(days))
    lock_hours(coach)
    closed, opened = overrides_plan(coach=coach, days=days, hours=hours)
    availability = calendars_of(coach)
    for day in days:
        for event in _override_events(availability, day, coach.zone):
            event.delete()
    for interval in closed:
        services.time_off_add(coach=coach, start=interval.start, end=interval.end,
                              description=OVERRIDE)
    for interval in opened:
        services.extra_window_add(coach=coach, start=interval.start, end=interval.end,
                                  description=OVERRIDE)


@transaction.atomic
def override_remove(*, coach: Coach, day: date) -> int:
    """Remove that date's override (its weekly hours apply again); how many events went."""
    availability = calendars_of(coach)
    removed = 0
    for event in _override_events(availability, day, coach.zone):
        event.delete()
        removed += 1
    return removed


def overrides(*, coach: Coach, now: datetime) -> list[Override]:
    """Her date overrides not yet over, by date."""
    availability = calendars_of(coach)
    zone = coach.zone
    events = Event.objects.filter(
        calendar_id__in=[availability.windows_id, availability.time_off_id],
        description=OVERRIDE, end__gt=now).order_by("start")
    days: dict[date, list[Range]] = {}
    for event in events:
        start = event.start.astimezone(zone)
        hours = days.setdefault(start.date(), [])
        if event.calendar_id == availability.windows_id:
            hours.append((start.time(), event.end.astimezone(zone).time()))
    return [Override(day=day, hours=tuple(sorted(hours))) for day, hours in days.items()]
