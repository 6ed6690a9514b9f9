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
- Transparent ("free") and cancelled occurrences block nothing. They are dropped after
  expansion, so a single cancelled occurrence of a series frees just that occurrence.
"""

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


def _occurrences(calendar: icalendar.Calendar, start: datetime,
                 end: datetime) -> list[icalendar.Component]:
    query = recurring_ical_events.of(calendar, skip_bad_series=True)
    occurrences = []
    # Series by series rather than `between`, so a runaway calendar stops at the cap instead
    # of building its whole list first.
    for series in query.series:
        for occurrence in series.between(start - QUERY_MARGIN, end + QUERY_MARGIN):
            occurrences.append(occurrence.as_component(False))
            if len(occurrences) > MAX_OCCURRENCES:
                raise CalendarError(TOO_MANY_EVENTS, "too_many_events")
    return occurrences


def _span(component: icalendar.Component, zone: ZoneInfo) -> BusyTime | None:
    starts = component.get("DTSTART")
    if starts is None:
        return None
    first = starts.dt
    if component.get("DTEND") is not None:
        last = component["DTEND"].dt
    elif component.get("DURATION") is not None:
        last = first + component["DURATION"].dt
    elif isinstance(first, datetime):
        return None  # RFC 5545: an instant with no end takes no time
    else:
        last = first + timedelta(days=1)  # a date with no end is that one day
    return _instant(first, zone), _instant(last, zone)


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
    calendar = parse(data)
    _tidy_rules(calendar)
    spans = []
    try:
        components = _occurrences(calendar, start.astimezone(UTC), end.astimezone(UTC))
    except CalendarError:
        raise
    except Exception as exc:  # a broken rule or date the library could not skip
        raise CalendarError(UNREADABLE, "unreadable") from exc
    for component in components:
        if not _blocks_time(component):
            continue
        span = _span(component, zone)
        if span is not None and span[0] < span[1] and span[0] < end and span[1] > start:
            spans.append(span)
    return merge(spans)
