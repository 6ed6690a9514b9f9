"""The slot picker's calendar: which week or month to show in the visitor's zone, and its links.

Labels, times and links are formatted here, once per shown slot, rather than by template
filters: a week holds up to ~60 slots and filters per slot were most of the page's time.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from django.http import QueryDict
from django.utils import dateformat, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from availability.models import SessionType
from availability.slots import Slot
from booking.clock import clock_format
from booking.selectors import Bookable, bookable_days

WEEK, MONTH = "week", "month"
DAY_FORMAT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MONTH_FORMAT = re.compile(r"[0-9]{4}-[0-9]{2}")
A_MONDAY = date(2024, 1, 1)


@dataclass(frozen=True, slots=True)
class ShownSlot:
    iso: str  # UTC, as the booking form's ?start= takes it
    label: str  # the local time, in the page's language
    href: str
    current: bool = False  # the booking's own time, on the reschedule page


@dataclass
class Day:
    date: date
    title: str
    slots: list[ShownSlot] = field(default_factory=list)


@dataclass
class NextFree:
    """The first free day after an empty week or month, and where it is shown."""

    title: str
    url: str


@dataclass
class Week:
    monday: date
    title: str
    days: list[Day]
    previous_url: str | None
    next_url: str | None
    next_free: NextFree | None
    any_free: bool  # whether any bookable day has a free slot


@dataclass(frozen=True, slots=True)
class Cell:
    number: int
    label: str  # the date and how many times are free, for screen readers
    url: str | None  # None when the day has no free time
    selected: bool


@dataclass
class Month:
    first: date
    title: str
    weekdays: list[tuple[str, str]]  # (short, full) names, Monday first
    rows: list[list[Cell | None]]  # None pads the days of the other months
    previous_url: str | None
    next_url: str | None
    chosen: Day | None  # the day whose times are listed below the grid
    next_free: NextFree | None
    any_free: bool


@dataclass
class Calendar:
    view: str
    week: Week | None
    month: Month | None
    week_url: str
    month_url: str
    keep: list[tuple[str, str]]  # hidden fields the zone form sends, to stay on this page
    shown: tuple[date, date]  # the first and last day on screen, for the zone's offsets
    announcement: str  # what screen readers hear when htmx swaps this calendar in


class Links:
    """Picker and booking URLs for one zone; they work with and without htmx.

    The reschedule page uses them with its own URL, no zone (the booking's is shown) and
    `current`, the booking's own start, which its calendar marks.
    """

    def __init__(self, picker_url: str, book_url: str, zone: ZoneInfo | None,
                 current: str | None = None, *, embed: bool = False) -> None:
        self.picker_url = picker_url
        self.book_url = book_url
        # The zone, and in an embedded picker the flag, go with every link (no cookies).
        self.tail = ("" if zone is None else f"&tz={quote(zone.key, safe='/')}") + (
            "&embed=1" if embed else "")
        self.current = current

    def _picker(self, params: dict[str, str]) -> str:
        return f"{self.picker_url}?{urlencode(params)}{self.tail}"

    def week(self, monday: date) -> str:
        return self._picker({"week": monday.isoformat()})

    def month(self, first: date, day: date | None = None) -> str:
        params = {"view": MONTH, "month": first.strftime("%Y-%m")}
        if day is not None:
            params["day"] = day.isoformat()
        return self._picker(params)

    def book(self, iso: str) -> str:
        return f"{self.book_url}?start={iso}{self.tail}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _clamp(day: date, low: date, high: date) -> date:
    return min(max(day, low), high)


def next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def iso_utc(instant: datetime) -> str:
    """An instant as the booking form's ?start= and the reschedule form take it."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def first_monday(span: Bookable) -> date:
    return monday_of(span.first)


def last_monday(span: Bookable) -> date:
    return monday_of(span.last)


def day_title(day: date, with_year: bool = False) -> str:
    return capfirst(dateformat.format(day, "l j F Y" if with_year else "l j F"))


class TimeLabels:
    """Local times in the page's language; the same times recur day after day, and
    formatting one costs ~25 µs, so each is formatted once per page."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.format = clock_format()
        self.known: dict[tuple, str] = {}

    def __call__(self, instant: datetime) -> str:
        local = instant.astimezone(self.zone)
        key = (local.hour, local.minute, local.utcoffset())
        if (label := self.known.get(key)) is None:
            label = self.known[key] = dateformat.time_format(local, self.format)
        return label


def shown_day(day: date, slots: list[Slot], labels: TimeLabels, links: Links) -> Day:
    shown = []
    for slot in slots:
        iso = iso_utc(slot.start)
        shown.append(ShownSlot(iso=iso, label=labels(slot.start), href=links.book(iso),
                               current=iso == links.current))
    return Day(date=day, title=day_title(day), slots=shown)


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if DAY_FORMAT.fullmatch(value) else None
    except ValueError:
        return None


def _parse_month(value: str) -> date | None:
    if not MONTH_FORMAT.fullmatch(value):
        return None
    try:
        return date(int(value[:4]), int(value[5:]), 1)
    except ValueError:
        return None


def asked_view(params: QueryDict, notices: list[str]) -> str:
    value = params.get("view") or WEEK
    if value in (WEEK, MONTH):
        return value
    notices.append(_("Unknown view; showing the week."))
    return WEEK


def asked_week(params: QueryDict, span: Bookable, notices: list[str]) -> date | None:
    """The Monday of ?week= clamped to the bookable weeks, or None to show the first free."""
    value = params.get("week")
    if not value:
        return None
    asked = _parse_day(value)
    if asked is None:
        notices.append(_("Unknown week; showing the first week with free slots."))
        return None
    asked = monday_of(asked)
    if not first_monday(span) <= asked <= last_monday(span):
        notices.append(_("That week cannot be booked; showing the nearest one that can."))
        return _clamp(asked, first_monday(span), last_monday(span))
    return asked


def asked_month(params: QueryDict, span: Bookable,
                notices: list[str]) -> tuple[date | None, date | None]:
    """(first of the month, chosen day) from ?month= and ?day=; None where not given or bad.

    A day alone picks its month; a day outside the month shown is dropped with a notice.
    """
    day = None
    if value := params.get("day"):
        day = _parse_day(value)
        if day is None:
            notices.append(_("Unknown day; showing the first day with free slots."))
    month = None
    if value := params.get("month"):
        month = _parse_month(value)
        if month is None:
            notices.append(_("Unknown month; showing the first month with free slots."))
    if month is None and day is not None:
        month = day.replace(day=1)
    if month is not None and not span.first.replace(day=1) <= month <= span.last.replace(day=1):
        notices.append(_("That month cannot be booked; showing the nearest one that can."))
        month = _clamp(month, span.first.replace(day=1), span.last.replace(day=1))
    if day is not None and (month is None or day.replace(day=1) != month):
        notices.append(_("That day is not in the month shown."))
        day = None
    return month, day


def build_week(span: Bookable, monday: date | None, zone: ZoneInfo, links: Links) -> Week:
    if monday is None:
        free = span.first_free_from(span.first)
        monday = monday_of(free) if free else first_monday(span)
    week_end = monday + timedelta(days=7)
    labels = TimeLabels(zone)
    days = [shown_day(day, slots, labels, links) for day, slots in span.by_day.items()
            if monday <= day < week_end]
    next_free = None
    if not days and (free := span.first_free_from(week_end)) is not None:
        next_free = NextFree(title=day_title(free), url=links.week(free))
    return Week(
        monday=monday,
        title=_("Week of %(day)s") % {"day": dateformat.format(monday, "j F Y")},
        days=days,
        previous_url=links.week(monday - timedelta(days=7)) if monday > first_monday(span)
        else None,
        next_url=links.week(week_end) if week_end <= last_monday(span) else None,
        next_free=next_free, any_free=bool(span.by_day))


def _weekdays() -> list[tuple[str, str]]:
    days = [A_MONDAY + timedelta(days=i) for i in range(7)]
    return [(capfirst(dateformat.format(d, "D")), capfirst(dateformat.format(d, "l")))
            for d in days]


def _cell(day: date, span: Bookable, chosen: date | None, links: Links) -> Cell:
    title = day_title(day, with_year=True)
    slots = span.by_day.get(day, ())
    count = len(slots) - (links.current is not None
                          and any(iso_utc(slot.start) == links.current for slot in slots))
    if not count:
        return Cell(number=day.day, label=_("%(day)s: no free times") % {"day": title},
                    url=None, selected=day == chosen)
    label = ngettext("%(day)s: %(count)s free time", "%(day)s: %(count)s free times",
                     count) % {"day": title, "count": count}
    return Cell(number=day.day, label=label, url=links.month(day.replace(day=1), day),
                selected=day == chosen)


def _rows(first: date, span: Bookable, chosen: date | None, links: Links) -> list[list]:
    end = next_month(first)
    rows: list[list[Cell | None]] = []
    day = monday_of(first)
    while day < end:
        rows.append([_cell(d, span, chosen, links) if first <= d < end else None
                     for d in (day + timedelta(days=i) for i in range(7))])
        day += timedelta(days=7)
    return rows


def build_month(span: Bookable, first: date | None, chosen: date | None, zone: ZoneInfo,
                links: Links) -> Month:
    if first is None:
        free = span.first_free_from(span.first)
        first = free.replace(day=1) if free else span.first.replace(day=1)
    end = next_month(first)
    if chosen is None:
        chosen = next((d for d in span.by_day if first <= d < end), None)
    next_free = None
    free = span.first_free_from(first)
    if free is not None and free >= end:
        next_free = NextFree(title=day_title(free), url=links.month(free.replace(day=1), free))
    return Month(
        first=first, title=capfirst(dateformat.format(first, "F Y")), weekdays=_weekdays(),
        rows=_rows(first, span, chosen, links),
        previous_url=links.month(first - timedelta(days=1)) if first > span.first.replace(day=1)
        else None,
        next_url=links.month(end) if end <= span.last.replace(day=1) else None,
        chosen=None if chosen is None else shown_day(chosen, span.by_day.get(chosen, []),
                                                     TimeLabels(zone), links),
        next_free=next_free, any_free=bool(span.by_day))


def _offered(day: Day) -> int:
    """How many times of `day` can be chosen (the reschedule page's current time cannot)."""
    return sum(not slot.current for slot in day.slots)


def week_announcement(week: Week) -> str:
    count = sum(_offered(day) for day in week.days)
    return ngettext("%(week)s: %(count)s free time", "%(week)s: %(count)s free times",
                    count) % {"week": week.title, "count": count}


def month_announcement(month: Month) -> str:
    if month.chosen is None:
        return _("%(month)s: no free times") % {"month": month.title}
    count = _offered(month.chosen)
    return ngettext("%(month)s, %(day)s: %(count)s free time",
                    "%(month)s, %(day)s: %(count)s free times", count) % {
        "month": month.title, "day": month.chosen.title, "count": count}


def picker_span(session_type: SessionType, zone: ZoneInfo) -> Bookable:
    return bookable_days(session_type=session_type, zone=zone, now=timezone.now())


def build_calendar(params: QueryDict, span: Bookable, zone: ZoneInfo, notices: list[str],
                   links: Links) -> Calendar:
    """The week or the month `params` (a request's GET) ask for, with links between the two."""
    if asked_view(params, notices) == MONTH:
        first, day = asked_month(params, span, notices)
        month = build_month(span, first, day, zone, links)
        anchor = month.chosen.date if month.chosen else max(month.first, span.first)
        monday = _clamp(monday_of(anchor), first_monday(span), last_monday(span))
        keep = [("view", MONTH), ("month", month.first.strftime("%Y-%m"))]
        if day is not None:
            keep.append(("day", day.isoformat()))
        return Calendar(view=MONTH, week=None, month=month, week_url=links.week(monday),
                        month_url=links.month(month.first), keep=keep,
                        shown=(month.first, next_month(month.first) - timedelta(days=1)),
                        announcement=month_announcement(month))
    week = build_week(span, asked_week(params, span, notices), zone, links)
    anchor = week.days[0].date if week.days else max(week.monday, span.first)
    first = _clamp(anchor.replace(day=1), span.first.replace(day=1), span.last.replace(day=1))
    return Calendar(view=WEEK, week=week, month=None, week_url=links.week(week.monday),
                    month_url=links.month(first), keep=[("week", week.monday.isoformat())],
                    shown=(week.monday, week.monday + timedelta(days=6)),
                    announcement=week_announcement(week))
