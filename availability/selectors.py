"""Reads of availability: expanded windows (cached under the calendars' version), rules."""

from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from schedule.models import Event
from schedule.periods import Period

from accounts.models import Coach
from availability.models import Availability, BusyInterval, SessionType
from availability.slots import Interval, SlotRules

# Windows are expanded and cached per UTC month: a month of slots touches two chunks at most.
CACHE_TIMEOUT = 24 * 3600


def session_type_rules(session_type: SessionType, zone) -> SlotRules:
    return SlotRules(
        zone=zone,
        duration=session_type.duration,
        step=session_type.step,
        notice=session_type.notice,
        horizon=session_type.horizon,
        buffer_before=session_type.buffer_before,
        buffer_after=session_type.buffer_after,
        daily_cap=session_type.daily_cap,
    )


def _month_starts(start: datetime, end: datetime) -> list[datetime]:
    month = start.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    months = []
    while month < end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _expand(events: list[Event], start: datetime, end: datetime, zone) -> list[Interval]:
    """Occurrences of these events overlapping [start, end), as UTC intervals.

    django-scheduler expands rules in the zone of the datetimes it is given, so a 09:00 weekly
    window stays 09:00 in the coach's zone across daylight-saving changes. It gives each
    occurrence the first one's length in absolute time; recompute the end in wall-clock time so
    that a window crossing a change still ends at its local end.
    """
    if not events:
        return []
    intervals = []
    for occurrence in Period(events, start.astimezone(zone), end.astimezone(zone),
                             tzinfo=zone).get_occurrences():
        if occurrence.cancelled:
            continue
        event = occurrence.event
        wall_length = (event.end.astimezone(zone).replace(tzinfo=None)
                       - event.start.astimezone(zone).replace(tzinfo=None))
        local_start = occurrence.start.astimezone(zone)
        naive_end = local_start.replace(tzinfo=None) + wall_length
        local_end = naive_end.replace(tzinfo=zone)
        intervals.append(Interval(local_start, local_end))
    return intervals


def _month_windows(availability: Availability, zone, month: datetime) -> tuple[list, list]:
    key = f"windows:{availability.pk}:{availability.version}:{zone}:{month:%Y-%m}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    next_month = (month + timedelta(days=32)).replace(day=1)
    events = list(Event.objects.filter(calendar_id__in=[availability.windows_id,
                                                        availability.time_off_id])
                  .select_related("rule"))
    opened = [e for e in events if e.calendar_id == availability.windows_id]
    closed = [e for e in events if e.calendar_id == availability.time_off_id]
    result = (_expand(opened, month, next_month, zone), _expand(closed, month, next_month, zone))
    cache.set(key, result, CACHE_TIMEOUT)
    return result


def windows_for(*, coach: Coach, start: datetime, end: datetime) -> tuple[list[Interval],
                                                                           list[Interval]]:
    """(open windows, time off) overlapping [start, end), expanded in the coach's zone."""
    availability = coach.availability
    opened: list[Interval] = []
    closed: list[Interval] = []
    for month in _month_starts(start - timedelta(days=1), end + timedelta(days=1)):
        month_open, month_closed = _month_windows(availability, coach.zone, month)
        opened.extend(month_open)
        closed.extend(month_closed)
    return ([w for w in opened if w.start < end and w.end > start],
            [w for w in closed if w.start < end and w.end > start])


def busy_intervals_for(*, coach: Coach, start: datetime, end: datetime) -> list[Interval]:
    """Imported busy times overlapping [start, end)."""
    rows = BusyInterval.objects.filter(coach=coach, start__lt=end, end__gt=start)
    return [Interval(s, e) for s, e in rows.values_list("start", "end")]


def active_session_types(*, coach: Coach):
    return SessionType.objects.filter(coach=coach, is_active=True)
