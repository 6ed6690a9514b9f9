"""The week view: her bookings over her availability, in half-hour rows of her local time.

A table (days as columns) rather than positioned blocks: the strict CSP allows no style
attributes, and a table reads well with a screen reader. On a narrow screen CSS shows one
day's column at a time and a row of links switches days, with no script.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import Coach
from availability.selectors import busy_intervals_for, windows_for
from availability.slots import Interval
from booking.agenda import week_bookings
from booking.models import Booking
from web.parsing import date_or_none
from workspace.common import page, workspace_view

STEP = timedelta(minutes=30)
# Hours always shown; the grid grows to whatever the week holds outside them.
FIRST_HOUR, LAST_HOUR = 8, 19


@dataclass(frozen=True, slots=True)
class Item:
    kind: str  # "booking" or "busy"
    label: str
    booking: Booking | None = None


@dataclass
class Cell:
    classes: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Row:
    label: str
    cells: list[Cell]


@dataclass(frozen=True, slots=True)
class DayHead:
    day: date
    title: str
    short: str
    url: str
    shown: bool  # the one day a narrow screen shows


@dataclass
class WeekGrid:
    monday: date
    title: str
    days: list[DayHead]
    rows: list[Row]
    previous_url: str
    next_url: str
    today_url: str
    previous_day_url: str
    next_day_url: str


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _at(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone).astimezone(UTC)


def _link(monday: date, day: date) -> str:
    return "?" + urlencode({"week": monday.isoformat(), "day": day.isoformat()})


def _overlaps(intervals: list[Interval], start: datetime, end: datetime) -> bool:
    return any(i.start < end and start < i.end for i in intervals)


def _minutes_range(days: list[date], zone: ZoneInfo, intervals: list[Interval]) -> range:
    """Minutes of the day the rows cover: the usual hours, widened to what the week holds."""
    first, last = FIRST_HOUR * 60, LAST_HOUR * 60
    week_start = datetime.combine(days[0], time.min, tzinfo=zone)
    week_end = datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=zone)
    for interval in intervals:
        start = max(interval.start.astimezone(zone), week_start)
        end = min(interval.end.astimezone(zone), week_end)
        if start >= end:
            continue
        first = min(first, start.hour * 60 + start.minute // 30 * 30)
        end_minutes = 24 * 60 if end.date() > start.date() else end.hour * 60 + end.minute
        last = max(last, end_minutes)
    return range(first, last, int(STEP.total_seconds() // 60))


def _cell(start: datetime, facts: dict, labels, *, shown: bool) -> Cell:
    end = start + STEP
    # Narrow screens show one day: the other days' cells are hidden by CSS.
    classes = ["cell"] if shown else ["cell", "week__other"]
    if _overlaps(facts["open"], start, end) and not _overlaps(facts["closed"], start, end):
        classes.append("cell--open")
    else:
        classes.append("cell--closed")
    items = [Item("booking", f"{labels(b.start)} {b.invitee_name or _('Anonymised')}", b)
             for b in facts["bookings"] if start <= b.start < end]
    if _overlaps(facts["busy"], start, end):
        classes.append("cell--busy")
        items += [Item("busy", _("%(time)s busy (your calendar)") % {"time": labels(i.start)})
                  for i in facts["busy"] if start <= i.start < end]
    return Cell(" ".join(classes), items)


def build_week(coach: Coach, monday: date, shown_day: date, now: datetime) -> WeekGrid:
    zone = coach.zone
    days = [monday + timedelta(days=i) for i in range(7)]
    start = datetime.combine(monday, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(monday + timedelta(days=7), time.min, tzinfo=zone).astimezone(UTC)
    opened, closed = windows_for(coach=coach, start=start, end=end)
    bookings = week_bookings(coach=coach, start=start, end=end)
    busy = busy_intervals_for(coach=coach, start=start, end=end)
    facts = {"open": opened, "closed": closed, "busy": busy, "bookings": bookings}
    time_format = get_format("TIME_FORMAT")

    def labels(instant: datetime) -> str:
        return dateformat.time_format(instant.astimezone(zone), time_format)

    spans = [*opened, *busy, *(Interval(b.start, b.end) for b in bookings)]
    rows = []
    for minutes in _minutes_range(days, zone, spans):
        label = f"{minutes // 60:02d}:{minutes % 60:02d}"
        rows.append(Row(label, [_cell(_at(day, minutes, zone), facts, labels,
                                      shown=day == shown_day) for day in days]))
    heads = [DayHead(day=day, title=capfirst(dateformat.format(day, "l j F")),
                     short=capfirst(dateformat.format(day, "D j")), url=_link(monday, day),
                     shown=day == shown_day) for day in days]
    before, after = shown_day - timedelta(days=1), shown_day + timedelta(days=1)
    today = now.astimezone(zone).date()
    return WeekGrid(
        monday=monday, title=_("Week of %(day)s") % {"day": dateformat.format(monday, "j F Y")},
        days=heads, rows=rows,
        previous_url=_link(monday - timedelta(days=7), monday - timedelta(days=7)),
        next_url=_link(monday + timedelta(days=7), monday + timedelta(days=7)),
        today_url=_link(monday_of(today), today),
        previous_day_url=_link(monday_of(before), before),
        next_day_url=_link(monday_of(after), after))


@workspace_view
def week(request: HttpRequest, coach: Coach) -> HttpResponse:
    now = timezone.now()
    today = now.astimezone(coach.zone).date()
    asked = date_or_none(request.GET.get("week"))
    monday = monday_of(asked or today)
    shown_day = date_or_none(request.GET.get("day"))
    if shown_day is None or monday_of(shown_day) != monday:
        shown_day = today if monday_of(today) == monday else monday
    notice = None
    if request.GET.get("week") and asked is None:
        notice = _("Unknown week; showing this week.")
    grid = build_week(coach, monday, shown_day, now)
    return page(request, coach, "week", {"grid": grid, "notice": notice, "nav": "week"},
                status=400 if notice else 200)
