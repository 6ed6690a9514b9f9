"""Busy instants from an iCalendar file: bytes, the coach's zone and a window in, UTC out.

Pure: no ORM, no clock, no settings, so it can be tested and benchmarked alone. Only the
instants leave this module; titles, places and attendees are never read.

How the calendar is read:
- Google's `X-WR-TIMEZONE` is applied first (`x_wr_timezone`): its UTC and floating times are
  meant in that zone, so a weekly 09:00 series written as 08:00Z stays 09:00 after a change.
- Series are expanded by `recurring_ical_events` (RRULE, RDATE, EXDATE, RECURRENCE-ID
  overrides, THISANDFUTURE).
- All-day events block the whole local day in the coach's zone; times with no zone (floating)
  are read in the coach's zone too.
- Transparent ("free") and cancelled events block nothing. A free or cancelled occurrence of a
  series becomes an EXDATE of it, so it frees just that occurrence.
- One-off events days away from the window are dropped by a text pass before parsing: parsing
  is most of an import's cost, and a calendar's history most of its events.
"""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
import x_wr_timezone
from django.utils.translation import gettext_lazy as _

from availability.calendar_fetch import CalendarError

# Protects a worker from a calendar that expands to millions of occurrences.
MAX_OCCURRENCES = 100_000
# Rules this fine would make dateutil walk every second or minute since DTSTART.
IGNORED_FREQUENCIES = {"SECONDLY", "MINUTELY"}
# recurring_ical_events compares floating times with the span's wall clock: query a day wider
# on each side and clip exactly once everything is UTC.
QUERY_MARGIN = timedelta(days=1)

# Local dates in any zone are within a day of the UTC date; two leave room for all offsets.
PREFILTER_MARGIN = timedelta(days=2)
_FOLD = re.compile(rb"\r?\n[ \t]")
_EVENT = re.compile(rb"^BEGIN:VEVENT\r?$.*?^END:VEVENT\r?\n?", re.M | re.S | re.I)
_REPEATS = re.compile(rb"^(?:RRULE|RDATE|RECURRENCE-ID|DURATION)[;:]", re.M | re.I)

UNREADABLE = _("This calendar could not be read as iCalendar.")
TOO_MANY_EVENTS = _("This calendar has too many events to import.")

BusyTime = tuple[datetime, datetime]


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, datetime.min.time())
    if value.tzinfo is None:
        # RFC 5545 reading, as availability.selectors.local_instant: first of an ambiguous
        # hour, the offset before a gap for a time the clock skips.
        value = value.replace(tzinfo=zone, fold=0)
    return value.astimezone(UTC)


def _day(block: bytes, name: bytes) -> date | None:
    found = re.search(rb"^" + name + rb"[;:]([^\r\n]*)", block, re.M | re.I)
    if found is None:
        return None
    # The value follows the last colon: parameters (TZID=…) come before it.
    value = found.group(1).rsplit(b":", 1)[-1].strip()
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def _may_overlap(block: bytes, first: date, last: date) -> bool:
    if _REPEATS.search(block):
        return True  # series, their moved occurrences and DURATIONs are left to the parser
    start = _day(block, b"DTSTART")
    if start is None:
        return True
    end = _day(block, b"DTEND") or start
    return end >= first and start <= last


def prefilter(data: bytes, start: datetime, end: datetime) -> bytes:
    """The calendar without the one-off events that lie days away from [start, end).

    Parsing is most of an import's cost and a calendar's history is most of its events; a
    plain text pass over each VEVENT's dates drops those before icalendar reads them. Anything
    this pass is unsure of (a series, an unreadable date) is kept for the parser to judge.
    """
    first = (start - PREFILTER_MARGIN).date()
    last = (end + PREFILTER_MARGIN).date()
    unfolded = _FOLD.sub(b"", data)
    return _EVENT.sub(lambda m: m.group(0) if _may_overlap(m.group(0), first, last) else b"",
                      unfolded)


def parse(data: bytes) -> icalendar.Calendar:
    """The calendar, with Google's X-WR-TIMEZONE turned into RFC 5545 times."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError…
        raise CalendarError(UNREADABLE, "unreadable") from exc
    if not isinstance(calendar, icalendar.Calendar):
        raise CalendarError(UNREADABLE, "unreadable")
    try:
        return x_wr_timezone.to_standard(calendar)
    except (ZoneInfoNotFoundError, ValueError):
        # An unknown X-WR-TIMEZONE: read the times as written rather than refuse the calendar.
        return calendar


def _rules(event: icalendar.Event) -> list:
    rules = event.get("RRULE")
    return [] if rules is None else rules if isinstance(rules, list) else [rules]


def _repair_rule(rule):
    """A rule icalendar could not parse, read again without the blanks Exchange leaves in.

    Microsoft's CDO writes `BYDAY=MO, TU, WE`; dropping the blanks is what the RFC meant.
    """
    if not isinstance(rule, icalendar.prop.vBroken):
        return rule
    try:
        return icalendar.vRecur.from_ical("".join(str(rule).split()))
    except ValueError:
        return rule


def _tidy_rules(calendar: icalendar.Calendar) -> None:
    for event in calendar.walk("VEVENT"):
        rules = [_repair_rule(rule) for rule in _rules(event)]
        if not rules:
            continue
        if any(isinstance(rule, icalendar.vRecur)
               and set(rule.get("FREQ", [])) & IGNORED_FREQUENCIES for rule in rules):
            event.pop("RRULE")
        else:
            event["RRULE"] = rules if len(rules) > 1 else rules[0]


def _blocks_time(component: icalendar.Component) -> bool:
    transparency = str(component.get("TRANSP", "OPAQUE")).upper()
    status = str(component.get("STATUS", "CONFIRMED")).upper()
    return transparency != "TRANSPARENT" and status != "CANCELLED"


def _drop_free_time(calendar: icalendar.Calendar) -> None:
    """Remove transparent and cancelled events before expansion.

    A free or cancelled occurrence of a series (an override) becomes an EXDATE of its series,
    so the series does not fill the hole back in; a busy override of a free series stays, and
    is then read as the single busy event it is.
    """
    series = {str(c.get("UID")): c for c in calendar.subcomponents
              if c.name == "VEVENT" and "RECURRENCE-ID" not in c}
    kept = []
    for component in calendar.subcomponents:
        if component.name != "VEVENT" or _blocks_time(component):
            kept.append(component)
            continue
        recurrence_id = component.get("RECURRENCE-ID")
        master = series.get(str(component.get("UID")))
        if recurrence_id is not None and master is not None:
            master.add("EXDATE", recurrence_id.dt)
    calendar.subcomponents = kept


def _occurrences(calendar: icalendar.Calendar, start: datetime,
                 end: datetime) -> list[tuple[date | datetime, date | datetime]]:
    query = recurring_ical_events.of(calendar, skip_bad_series=True)
    occurrences = []
    # Series by series rather than `between`, so a runaway calendar stops at the cap instead
    # of building its whole list first; and occurrences' own start and end, without the copy
    # of each component `between` makes.
    for series in query.series:
        for occurrence in series.between(start - QUERY_MARGIN, end + QUERY_MARGIN):
            occurrences.append((occurrence.start, occurrence.end))
            if len(occurrences) > MAX_OCCURRENCES:
                raise CalendarError(TOO_MANY_EVENTS, "too_many_events")
    return occurrences


def merge(spans: list[BusyTime]) -> list[BusyTime]:
    """Sorted, with overlapping and touching spans joined."""
    merged: list[list[datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def busy_times(data: bytes, *, zone: ZoneInfo, start: datetime,
               end: datetime) -> list[BusyTime]:
    """The busy spans of this calendar overlapping [start, end), in UTC, merged and sorted.

    Raises CalendarError for a file that is not iCalendar or expands to too many occurrences.
    """
    calendar = parse(prefilter(data, start.astimezone(UTC), end.astimezone(UTC)))
    _tidy_rules(calendar)
    _drop_free_time(calendar)
    try:
        occurrences = _occurrences(calendar, start.astimezone(UTC), end.astimezone(UTC))
    except CalendarError:
        raise
    except Exception as exc:  # a broken rule or date the library could not skip
        raise CalendarError(UNREADABLE, "unreadable") from exc
    spans = []
    for first, last in occurrences:
        span = _instant(first, zone), _instant(last, zone)
        if span[0] < span[1] and span[0] < end and span[1] > start:
            spans.append(span)
    return merge(spans)
