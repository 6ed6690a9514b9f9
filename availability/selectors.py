"""Reads of availability: expanded windows (cached under the calendars' version), rules."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Q, QuerySet
from schedule.models import Event, Occurrence
from schedule.periods import Period

from accounts.models import Coach
from availability import raw_reads
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


@dataclass(frozen=True, slots=True)
class AvailabilityRef:
    """What the windows cache needs of a coach's Availability: its calendars and version."""

    pk: int
    version: int
    windows_id: int
    time_off_id: int


@dataclass(frozen=True, slots=True)
class SlotSubject:
    """Whose slots, under which rules: what the slot path needs of a coach's session type."""

    coach_id: int
    rules: SlotRules
    availability: AvailabilityRef | None

    @property
    def zone(self) -> ZoneInfo:
        return self.rules.zone


# Expanded months this process has used, in front of the shared cache: a month of slots reads
# two or three chunks, and unpickling them (or asking Redis) was a tenth of the request. Safe
# under the same key: a new version is a new key. Tests empty it with the cache.
_recent_windows: dict[str, tuple[list[Interval], list[Interval]]] = {}
RECENT_WINDOWS_MAX = 512
# And the ranges cut from them: visitors ask for the same days, and cutting and sorting a
# month's windows again was a tenth of the request (bench/README.md). Keyed by the same
# version, so just as safe.
_recent_ranges: dict[tuple, tuple[list[Interval], list[Interval]]] = {}


def forget_recent_windows() -> None:
    _recent_windows.clear()
    _recent_ranges.clear()


def _remember(store: dict, key: object, value: tuple) -> None:
    if len(store) >= RECENT_WINDOWS_MAX:
        store.clear()  # rare, and atomic where threads serve requests
    store[key] = value


def _month_windows(availability: AvailabilityRef, zone: ZoneInfo,
                   month: datetime) -> tuple[list[Interval], list[Interval]]:
    # "2": the cached value's format (lists of Interval tuples).
    key = f"windows:2:{availability.pk}:{availability.version}:{zone}:{month:%Y-%m}"
    found = _recent_windows.get(key)
    if found is not None:
        return found
    found = cache.get(key)
    if found is None:
        next_month = _next_month(month)
        events = list(_events([availability.windows_id, availability.time_off_id], month,
                              next_month))
        opened = [e for e in events if e.calendar_id == availability.windows_id]
        closed = [e for e in events if e.calendar_id == availability.time_off_id]
        found = (_expand(opened, month, next_month, zone),
                 _expand(closed, month, next_month, zone))
        cache.set(key, found, CACHE_TIMEOUT)
    _remember(_recent_windows, key, found)
    return found


# The hand-written reads below (raw_reads says why) name tables from each model's _meta
# and pass every value as a parameter: S608 cannot see that.
def _subject_sql(*, by_slug: bool) -> str:
    types, coaches = SessionType._meta.db_table, Coach._meta.db_table
    availabilities = Availability._meta.db_table
    return (
        "SELECT t.duration, t.step, t.notice, t.horizon, t.buffer_before, t.buffer_after, "  # noqa: S608
        "t.daily_cap, c.id, c.timezone, a.id, a.version, a.windows_id, a.time_off_id "
        f"FROM {types} t JOIN {coaches} c ON c.id = t.coach_id "
        f"LEFT JOIN {availabilities} a ON a.coach_id = c.id "
        "WHERE c.slug = %s AND t.is_active = %s"
        + (" AND t.slug = %s" if by_slug else "")
        + " ORDER BY t.position, t.id LIMIT 1")


def _availability_ref(row: Sequence) -> AvailabilityRef | None:
    return None if row[0] is None else AvailabilityRef(*row)


def slot_subject(*, coach_slug: str, slug: str | None) -> SlotSubject | None:
    """The coach's active type of that slug (her first one if None) as a SlotSubject, her
    availability joined: what `active_session_type` finds, in one hand-written query."""
    params = [coach_slug, True] + ([slug] if slug is not None else [])
    rows = raw_reads.fetch(_subject_sql(by_slug=slug is not None), params, prepare=True)
    if not rows:
        return None
    row = rows[0]
    duration, step, notice, horizon, before, after = map(raw_reads.to_duration, row[:6])
    rules = SlotRules(zone=ZoneInfo(str(row[8])), duration=duration, step=step, notice=notice,
                      horizon=horizon, buffer_before=before, buffer_after=after,
                      daily_cap=row[6])
    return SlotSubject(coach_id=row[7], rules=rules, availability=_availability_ref(row[9:]))


def current_availability(*, coach_id: int) -> AvailabilityRef | None:
    """Her availability's calendars and version, as the windows cache keys them."""
    # Read afresh, never `coach.availability`: a Coach loaded before an edit caches the old
    # version and would keep serving the windows that were cached under it.
    rows = raw_reads.fetch(
        f"SELECT id, version, windows_id, time_off_id FROM {Availability._meta.db_table} "  # noqa: S608
        "WHERE coach_id = %s", [coach_id], prepare=True)
    return _availability_ref(rows[0]) if rows else None


def slot_subject_of(session_type: SessionType) -> SlotSubject:
    """The SlotSubject of a type already loaded (its coach too), her availability read afresh."""
    zone = session_type.coach.zone
    return SlotSubject(coach_id=session_type.coach_id,
                       rules=session_type_rules(session_type, zone),
                       availability=current_availability(coach_id=session_type.coach_id))


def availability_windows(*, availability: AvailabilityRef | None, zone: ZoneInfo,
                         start: datetime, end: datetime) -> tuple[list[Interval],
                                                                  list[Interval]]:
    """(open windows, time off) overlapping [start, end) as sorted UTC intervals, shared
    with later callers (kept per process): read them, never change them.

    Rules are expanded in the coach's zone, so local times hold across daylight-saving changes.
    """
    if availability is None or start >= end:
        return [], []
    key = (availability, zone, start, end)
    found = _recent_ranges.get(key)
    if found is not None:
        return found
    opened: set[Interval] = set()
    closed: set[Interval] = set()
    for month in _month_starts(start, end):
        month_open, month_closed = _month_windows(availability, zone, month)
        # A window across a month's edge is in both months' chunks: the sets keep it once.
        opened.update(w for w in month_open if w.start < end and w.end > start)
        closed.update(w for w in month_closed if w.start < end and w.end > start)
    found = sorted(opened), sorted(closed)
    _remember(_recent_ranges, key, found)
    return found


def windows_for(*, coach: Coach, start: datetime, end: datetime) -> tuple[list[Interval],
                                                                           list[Interval]]:
    """`availability_windows` of this coach's current availability."""
    return availability_windows(availability=current_availability(coach_id=coach.pk),
                                zone=coach.zone, start=start, end=end)


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


def busy_times_sql(*, coach_id: int, start: datetime, end: datetime,
                   also: str = "") -> tuple[str, list]:
    """(sql, params) selecting her imported busy times overlapping [start, end) as
    `raw_reads.instant` columns, then the `also` expression if given (for a UNION)."""
    starts, ends = raw_reads.instant('"start"'), raw_reads.instant('"end"')
    extra = f", {also}" if also else ""
    return (f"SELECT {starts}, {ends}{extra} FROM {BusyInterval._meta.db_table} "  # noqa: S608
            'WHERE coach_id = %s AND "start" < %s AND "end" > %s',
            [coach_id, raw_reads.param(end), raw_reads.param(start)])


def busy_intervals_for(*, coach: Coach, start: datetime, end: datetime) -> list[Interval]:
    """Imported busy times overlapping [start, end), sorted by start (hand-written SQL)."""
    sql, params = busy_times_sql(coach_id=coach.pk, start=start, end=end)
    spans = raw_reads.fetch_instants(sql + ' ORDER BY "start"', params, prepare=True)
    return [Interval(*span) for span in spans]


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
