"""Reads of availability: expanded windows (cached under the calendars' version), rules."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection
from django.db.models import BigIntegerField, F, Func, Q, QuerySet
from schedule.models import Event, Occurrence
from schedule.periods import Period

from accounts.models import Coach
from availability.models import Availability, BusyInterval, ExternalCalendar, SessionType
from availability.slots import Interval, SlotRules

# Windows are expanded and cached per UTC month: a month of slots touches two chunks at most.
CACHE_TIMEOUT = 24 * 3600


def session_type_rules(session_type: SessionType, zone: ZoneInfo) -> SlotRules:
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


def _next_month(month: datetime) -> datetime:
    return (month + timedelta(days=32)).replace(day=1)


def _month_starts(start: datetime, end: datetime) -> list[datetime]:
    month = start.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    months = []
    while month < end:
        months.append(month)
        month = _next_month(month)
    return months


def local_instant(naive: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time of `zone` as a UTC instant, the way RFC 5545 reads it.

    An ambiguous time (a fall-back hour) is its first occurrence; a time that does not exist
    (a spring-forward gap) is read with the offset before the gap, so it lands as far after
    the gap as it was inside it.
    """
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _occurrence_interval(occurrence: Occurrence, zone: ZoneInfo) -> Interval:
    """One occurrence as UTC instants, its end kept at the event's local (wall-clock) end.

    django-scheduler gives every occurrence of a rule the first one's length in absolute
    time, so a window crossing a daylight-saving change would end an hour off. Its generated
    occurrences carry the rule's naive local start (pytz `localize` keeps the wall fields),
    which is read again here under RFC 5545; the end is that wall start plus the event's
    wall length. Stored occurrences (moved ones) and one-off events are exact instants.
    """
    event = occurrence.event
    if occurrence.pk is not None or event.rule_id is None:
        return Interval(occurrence.start.astimezone(UTC), occurrence.end.astimezone(UTC))
    wall_start = occurrence.start.replace(tzinfo=None)
    wall_length = (event.end.astimezone(zone).replace(tzinfo=None)
                   - event.start.astimezone(zone).replace(tzinfo=None))
    return Interval(local_instant(wall_start, zone), local_instant(wall_start + wall_length, zone))


def _expand(events: list[Event], start: datetime, end: datetime,
            zone: ZoneInfo) -> list[Interval]:
    """Occurrences of these events overlapping [start, end), as sorted UTC intervals.

    django-scheduler expands rules in the zone of the datetimes it is given, so a 09:00 weekly
    window stays 09:00 in the coach's zone across daylight-saving changes. The events' own
    datetimes are moved into the zone too: a rule with `by…` params reads the weekday and hour
    from `event.start` as it is, which would be the UTC ones otherwise.
    """
    if not events:
        return []
    for event in events:
        event.start = event.start.astimezone(zone)
        event.end = event.end.astimezone(zone)
        if event.end_recurring_period is not None:
            event.end_recurring_period = event.end_recurring_period.astimezone(zone)
    intervals = set()
    for occurrence in Period(events, start.astimezone(zone), end.astimezone(zone),
                             tzinfo=zone).get_occurrences():
        if occurrence.cancelled:
            continue
        interval = _occurrence_interval(occurrence, zone)
        if interval.start < interval.end and interval.start < end and interval.end > start:
            intervals.add(interval)
    return sorted(intervals)


def _events(calendar_ids: list[int], month: datetime, next_month: datetime) -> QuerySet[Event]:
    """Events of these calendars that may occur in [month, next_month)."""
    recurring = (Q(rule__isnull=False, start__lt=next_month)
                 & (Q(end_recurring_period__isnull=True) | Q(end_recurring_period__gte=month)))
    one_off = Q(rule__isnull=True, start__lt=next_month, end__gt=month)
    return (Event.objects.filter(calendar_id__in=calendar_ids).filter(recurring | one_off)
            .select_related("rule").order_by("pk"))


def _month_windows(availability: Availability, zone: ZoneInfo,
                   month: datetime) -> tuple[list[Interval], list[Interval]]:
    key = f"windows:{availability.pk}:{availability.version}:{zone}:{month:%Y-%m}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    next_month = _next_month(month)
    events = list(_events([availability.windows_id, availability.time_off_id], month,
                          next_month))
    opened = [e for e in events if e.calendar_id == availability.windows_id]
    closed = [e for e in events if e.calendar_id == availability.time_off_id]
    result = (_expand(opened, month, next_month, zone), _expand(closed, month, next_month, zone))
    cache.set(key, result, CACHE_TIMEOUT)
    return result


def _current_availability(coach: Coach) -> Availability | None:
    # Read afresh, never `coach.availability`: a Coach loaded before an edit caches the old
    # version and would keep serving the windows that were cached under it.
    return (Availability.objects.only("pk", "version", "windows_id", "time_off_id")
            .filter(coach_id=coach.pk).first())


def windows_for(*, coach: Coach, start: datetime, end: datetime) -> tuple[list[Interval],
                                                                           list[Interval]]:
    """(open windows, time off) overlapping [start, end) as sorted UTC intervals.

    Rules are expanded in the coach's zone, so local times hold across daylight-saving changes.
    """
    availability = _current_availability(coach)
    if availability is None or start >= end:
        return [], []
    zone = coach.zone
    opened: set[Interval] = set()
    closed: set[Interval] = set()
    for month in _month_starts(start, end):
        month_open, month_closed = _month_windows(availability, zone, month)
        # A window across a month's edge is in both months' chunks: the sets keep it once.
        opened.update(w for w in month_open if w.start < end and w.end > start)
        closed.update(w for w in month_closed if w.start < end and w.end > start)
    return sorted(opened), sorted(closed)


def availability_events(*, availability: Availability) -> list[tuple[str, Event]]:
    """The coach's events as (kind, event): "weekly", "extra" windows, then "time_off"."""
    events = (Event.objects.filter(calendar_id__in=[availability.windows_id,
                                                    availability.time_off_id])
              .select_related("rule").order_by("start", "pk"))
    kinds = []
    for event in events:
        if event.calendar_id == availability.time_off_id:
            kind = "time_off"
        else:
            kind = "weekly" if event.rule_id else "extra"
        kinds.append((kind, event))
    order = {"weekly": 0, "extra": 1, "time_off": 2}
    return sorted(kinds, key=lambda pair: order[pair[0]])


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _EpochMicros(Func):
    """PostgreSQL: a timestamptz as exact integer microseconds since the Unix epoch."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


def utc_rows(queryset: QuerySet, *fields: str) -> list[tuple[datetime, ...]]:
    """The rows of these datetime fields as aware UTC datetimes, without Django's converters.

    Those cost ~15 µs a value on SQLite and, at a few hundred bookings a month, were half of
    the slots endpoint's time. The database holds UTC already: SQLite's driver parses it to
    naive datetimes (Django registers the parser) and psycopg returns aware ones.
    """
    if connection.vendor == "postgresql":
        # psycopg parses each timestamptz text into an aware datetime (~8 µs); an exact
        # bigint of microseconds since the epoch loads several times faster.
        micros = {f"_{field}_us": _EpochMicros(F(field)) for field in fields}
        rows = queryset.annotate(**micros).values_list(*micros)
        return [tuple(_EPOCH + timedelta(microseconds=value) for value in row) for row in rows]
    values = queryset.values_list(*fields)
    if connection.vendor != "sqlite":
        return list(values)
    sql, params = values.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(value.replace(tzinfo=UTC) for value in row) for row in cursor.fetchall()]


def busy_intervals_for(*, coach: Coach, start: datetime, end: datetime) -> list[Interval]:
    """Imported busy times overlapping [start, end), sorted by start."""
    rows = (BusyInterval.objects.filter(coach=coach, start__lt=end, end__gt=start)
            .order_by("start"))
    return [Interval(s, e) for s, e in utc_rows(rows, "start", "end")]


def active_session_types(*, coach: Coach) -> QuerySet[SessionType]:
    return SessionType.objects.filter(coach=coach, is_active=True)


def active_session_type(*, coach_slug: str, slug: str | None) -> SessionType | None:
    """The coach's active type of that slug (her first one if None), coach joined; one query."""
    types = SessionType.objects.select_related("coach").filter(coach__slug=coach_slug,
                                                               is_active=True)
    return types.filter(slug=slug).first() if slug is not None else types.first()


def coach_external_calendars(*, coach: Coach) -> QuerySet[ExternalCalendar]:
    """The coach's imported calendars, oldest first."""
    return ExternalCalendar.objects.filter(coach=coach).order_by("pk")


def coach_external_calendar(*, coach: Coach, pk: int) -> ExternalCalendar | None:
    """One of this coach's calendars, or None (another coach's looks like a missing one)."""
    return ExternalCalendar.objects.filter(coach=coach, pk=pk).first()


def coach_session_types(*, coach: Coach) -> QuerySet[SessionType]:
    """All her types, active or not, in her order: what her editor and her API list."""
    return SessionType.objects.filter(coach=coach).order_by("position", "id")


def coach_session_type(*, coach: Coach, slug: str) -> SessionType | None:
    """Her type with that slug; None for another coach's, as for one that does not exist."""
    return SessionType.objects.filter(coach=coach, slug=slug).first()
