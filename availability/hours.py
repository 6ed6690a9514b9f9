"""The coach's hours as she edits them: ranges per weekday, time off, extras (date overrides
are in `availability.overrides`).

Storage stays on django-scheduler (weekly events, one-off extra windows, time-off events)
through `availability.services`; this module adds what an editor needs on top: reading the
events back as wall-clock ranges of her zone, and refusing inverted, empty or overlapping
ranges with a message instead of letting the slot engine merge them silently. Every write
either changes everything it was asked to or, raising ValidationError, nothing.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from schedule.models import Event

from accounts.models import Coach
from availability import services
from availability.models import Availability
from availability.selectors import local_instant
from availability.slots import Interval

# Events written for a date override carry this description, so the editor can show the
# pieces of one override (closed parts and opened hours of one day) as one line.
OVERRIDE = "creneau:override"

RANGE_INCOMPLETE = _("Give both the start and the end of each range.")
RANGES_OVERLAP = _("%(first)s and %(second)s overlap: change one or remove it.")
OVERLAPS_TIME_OFF = _("This overlaps your time off %(when)s: change it or remove that first.")
OVERLAPS_EXTRA = _("This overlaps your extra hours %(when)s: change them or remove them first.")
NO_DAYS = _("Choose at least one day.")
WHOLE_MINUTES = _("Use whole minutes (no seconds).")

Range = tuple[time, time]


@dataclass(frozen=True, slots=True)
class WeeklyRange:
    """One weekly window as she reads it: a weekday and wall-clock times of her zone."""

    id: int
    weekday: int  # 0 = Monday
    start: time
    end: time
    first_day: date
    last_day: date | None


def calendars_of(coach: Coach) -> Availability:
    """Her availability, for its two calendars' ids (which never change): read once per
    Coach object, created on first use."""
    found = getattr(coach, "_hours_calendars", None)
    if found is None:
        found = (Availability.objects.only("pk", "windows_id", "time_off_id")
                 .filter(coach_id=coach.pk).first()
                 or services.availability_for_coach(coach=coach))
        coach._hours_calendars = found
    return found


def lock_hours(coach: Coach) -> None:
    """Serialise a coach's edits: two saves at once must not both pass the overlap checks.
    (SQLite's write transactions already start IMMEDIATE and run one at a time.)"""
    Availability.objects.select_for_update().filter(pk=calendars_of(coach).pk).first()


def _label(start: time, end: time) -> str:
    return f"{start:%H:%M}–{end:%H:%M}"


def when_label(interval: Interval, zone: ZoneInfo) -> str:
    start, end = interval.start.astimezone(zone), interval.end.astimezone(zone)
    return f"{date_format(start, 'D j M Y H:i')} → {date_format(end, 'D j M Y H:i')}"


def check_ranges(ranges: Sequence[Range]) -> None:
    """Refuse inverted, empty or overlapping ranges of one day, with every reason at once."""
    problems: list[str] = []
    for start, end in ranges:
        if end <= start:
            problems.append(gettext("%(range)s: %(problem)s") % {
                "range": _label(start, end), "problem": services.END_BEFORE_START})
    reaching: Range | None = None  # of the ranges so far, the one ending last
    for start, end in sorted((s, e) for s, e in ranges if s < e):
        if reaching is not None and start < reaching[1]:
            problems.append(RANGES_OVERLAP % {"first": _label(*reaching),
                                              "second": _label(start, end)})
        if reaching is None or end > reaching[1]:
            reaching = (start, end)
    if problems:
        raise ValidationError(problems, code="bad_ranges")


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone)


def _weekly_events(availability: Availability, now: datetime) -> list[Event]:
    """Her weekly windows still in force (not ended before `now`)."""
    events = Event.objects.filter(calendar_id=availability.windows_id, rule__isnull=False)
    return [e for e in events.order_by("start", "pk")
            if e.end_recurring_period is None or e.end_recurring_period >= now]


def _as_range(event: Event, zone: ZoneInfo) -> WeeklyRange:
    start, end = _wall(event.start, zone), _wall(event.end, zone)
    last = event.end_recurring_period
    return WeeklyRange(id=event.pk, weekday=start.weekday(), start=start.time(),
                       end=end.time(), first_day=start.date(),
                       last_day=_wall(last, zone).date() if last else None)


def weekly_ranges(*, coach: Coach, now: datetime) -> dict[int, list[WeeklyRange]]:
    """Her weekly ranges by weekday (0 = Monday … 6), each day sorted by start."""
    availability = calendars_of(coach)
    days: dict[int, list[WeeklyRange]] = {day: [] for day in range(7)}
    for event in _weekly_events(availability, now):
        found = _as_range(event, coach.zone)
        days[found.weekday].append(found)
    for ranges in days.values():
        ranges.sort(key=lambda r: (r.start, r.end, r.id))
    return days


def _day_errors(day: int, exc: ValidationError) -> list[str]:
    return [gettext("%(day)s: %(problem)s") % {"day": capfirst(WEEKDAYS[day]), "problem": message}
            for message in exc.messages]


@transaction.atomic
def weekly_days_save(*, coach: Coach, days: Mapping[int, Sequence[Range]], today: date,
                     now: datetime) -> None:
    """Make each weekday of `days` hold exactly these ranges (an empty list: the day off).

    Ranges already there are kept as they are (same id, same first and last day); the others
    are removed, and new ones start on `today`. Refuses (ValidationError naming the days)
    inverted, empty or overlapping ranges; nothing changes then.
    """
    problems: list[str] = []
    for day, ranges in days.items():
        if day not in range(7):
            raise ValidationError(services.BAD_WEEKDAY, code="bad_weekday")
        try:
            check_ranges(ranges)
        except ValidationError as exc:
            problems += _day_errors(day, exc)
    if problems:
        raise ValidationError(problems, code="bad_ranges")
    lock_hours(coach)
    availability = calendars_of(coach)
    current = weekly_ranges(coach=coach, now=now)
    for day, ranges in days.items():
        wanted = set(ranges)
        for existing in current[day]:
            key = (existing.start, existing.end)
            if key in wanted:
                wanted.discard(key)
            else:
                services.availability_event_delete(availability=availability,
                                                   event_id=existing.id)
        for start, end in sorted(wanted):
            services.weekly_window_add(coach=coach, weekday=day, start=start, end=end,
                                       first_day=today)


def weekly_days_copy(*, coach: Coach, source: int, targets: Iterable[int], today: date,
                     now: datetime) -> None:
    """Give each target weekday the source day's ranges (replacing theirs)."""
    targets = {day for day in targets if day != source}
    if not targets:
        raise ValidationError(NO_DAYS, code="no_days")
    ranges = [(r.start, r.end) for r in weekly_ranges(coach=coach, now=now)[source]]
    weekly_days_save(coach=coach, days={day: ranges for day in targets}, today=today, now=now)


@transaction.atomic
def weekly_range_add(*, coach: Coach, weekday: int, start: time, end: time, today: date,
                     now: datetime) -> Event:
    """One more weekly range; refused when it overlaps one of that day's ranges."""
    if weekday not in range(7):
        raise ValidationError(services.BAD_WEEKDAY, code="bad_weekday")
    lock_hours(coach)
    day = weekly_ranges(coach=coach, now=now)[weekday]
    try:
        check_ranges([(r.start, r.end) for r in day] + [(start, end)])
    except ValidationError as exc:
        raise ValidationError(_day_errors(weekday, exc), code="bad_ranges") from None
    return services.weekly_window_add(coach=coach, weekday=weekday, start=start, end=end,
                                      first_day=today)


def one_offs_overlapping(calendar_id: int, interval: Interval, exclude: Sequence[int] = ()):
    return (Event.objects.filter(calendar_id=calendar_id, rule__isnull=True,
                                 start__lt=interval.end, end__gt=interval.start)
            .exclude(pk__in=exclude).order_by("start"))


def _check_whole_minutes(interval: Interval) -> None:
    for instant in (interval.start, interval.end):
        if instant.second or instant.microsecond:
            raise ValidationError(WHOLE_MINUTES, code="whole_minutes")


def check_time_off(*, coach: Coach, intervals: Sequence[Interval]) -> None:
    """Refuse time off that is inverted or overlaps time off she already has."""
    availability = calendars_of(coach)
    for interval in intervals:
        _check_whole_minutes(interval)
        if interval.end <= interval.start:
            raise ValidationError(services.END_BEFORE_START, code="end_before_start")
        other = one_offs_overlapping(availability.time_off_id, interval).first()
        if other is not None:
            raise ValidationError(OVERLAPS_TIME_OFF % {
                "when": when_label(Interval(other.start, other.end), coach.zone)}, code="overlap")


def check_extra(*, coach: Coach, intervals: Sequence[Interval]) -> None:
    """Refuse extra hours that are inverted or overlap extra hours she already has."""
    availability = calendars_of(coach)
    for interval in intervals:
        _check_whole_minutes(interval)
        if interval.end <= interval.start:
            raise ValidationError(services.END_BEFORE_START, code="end_before_start")
        other = one_offs_overlapping(availability.windows_id, interval).first()
        if other is not None:
            raise ValidationError(OVERLAPS_EXTRA % {
                "when": when_label(Interval(other.start, other.end), coach.zone)}, code="overlap")


@transaction.atomic
def time_off_create(*, coach: Coach, start: datetime, end: datetime) -> Event:
    """Time off between two instants, refused when it overlaps time off she has."""
    lock_hours(coach)
    check_time_off(coach=coach, intervals=[Interval(start, end)])
    return services.time_off_add(coach=coach, start=start, end=end)


@transaction.atomic
def extra_create(*, coach: Coach, start: datetime, end: datetime) -> Event:
    """Extra hours between two instants, refused when they overlap extra hours she has."""
    lock_hours(coach)
    check_extra(coach=coach, intervals=[Interval(start, end)])
    return services.extra_window_add(coach=coach, start=start, end=end)


def time_off_interval(*, zone: ZoneInfo, first_day: date, last_day: date | None = None,
                      start: time | None = None, end: time | None = None) -> Interval:
    """What `time_off_add_local` would close: `start` on the first day (midnight if None) to
    `end` on the last day (its end if None); the last day defaults to the first."""
    last_day = last_day or first_day
    begins = datetime.combine(first_day, start or time(0))
    ends = (datetime.combine(last_day, end) if end is not None
            else datetime.combine(last_day + timedelta(days=1), time(0)))
    return Interval(local_instant(begins, zone), local_instant(ends, zone))


def one_off_events(*, coach: Coach, kind: str, now: datetime,
                   with_overrides: bool = True) -> list[Event]:
    """Her time off (`kind` "time_off") or extra hours ("extra") not yet over, by start."""
    availability = calendars_of(coach)
    calendar_id = availability.time_off_id if kind == "time_off" else availability.windows_id
    events = Event.objects.filter(calendar_id=calendar_id, rule__isnull=True, end__gt=now)
    if not with_overrides:
        events = events.exclude(description=OVERRIDE)
    return list(events.order_by("start", "pk"))


def coach_event(*, coach: Coach, kind: str, pk: int) -> Event | None:
    """Her weekly range, time off or extra hours of this id; None for another coach's."""
    availability = calendars_of(coach)
    if kind == "time_off":
        found = Event.objects.filter(calendar_id=availability.time_off_id)
    else:
        found = Event.objects.filter(calendar_id=availability.windows_id,
                                     rule__isnull=kind != "weekly")
    return found.filter(pk=pk).first()


def event_delete(*, coach: Coach, event: Event) -> None:
    availability = calendars_of(coach)
    services.availability_event_delete(availability=availability, event_id=event.pk)
