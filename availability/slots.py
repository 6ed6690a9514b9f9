"""The slot engine: windows, busy intervals and rules in, bookable slots out.

Pure functions over aware datetimes. No ORM, no clock, no settings: the caller passes `now`,
so every property can be tested with Hypothesis and timed alone.

Vocabulary:
- *windows*: when the coach is open (weekly windows and one-off extras), already expanded in
  her zone; they may overlap and are merged first.
- *closed*: time off; a slot must not touch it.
- *busy*: other bookings' blocked ranges (buffers included) and imported busy times; a slot's
  own blocked range (the slot plus this type's buffers) must not overlap them.
Slots start on a grid of `step` counted from the start of each merged window, in absolute time.

Windows and time off are turned into UTC before any arithmetic: Python adds a timedelta to a
datetime in *wall-clock* time of its tzinfo, and compares two datetimes of the same zone
ignoring `fold`, so a window handed over in the coach's zone would give wrong slots around a
fall-back hour. Busy intervals, which may be thousands, are only compared, never converted:
give them in UTC (as the database does) or any fixed offset.
"""

import enum
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from operator import itemgetter
from typing import NamedTuple
from zoneinfo import ZoneInfo

_TICK = timedelta(microseconds=1)
_MARGIN = timedelta(days=1)
_START = itemgetter(0)
_END = itemgetter(1)


class Interval(NamedTuple):
    """[start, end). A tuple: built, compared, sorted and unpickled at C speed, which the
    slot path does some thousand times a request (bench/profile_slots.py)."""

    start: datetime
    end: datetime


Slot = Interval
# Busy times may come as plain (start, end) pairs, as the database hands them over: the
# engine only indexes them, and thousands of them need not be wrapped first.
Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class SlotRules:
    zone: ZoneInfo  # the coach's zone: days (for the daily cap) are hers
    duration: timedelta = timedelta(minutes=30)
    step: timedelta = timedelta(minutes=30)
    notice: timedelta = timedelta(hours=12)
    horizon: timedelta = timedelta(days=60)
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    daily_cap: int | None = None


class Refusal(enum.StrEnum):
    """Why a start cannot be booked, most fundamental first."""

    PAST = "past"
    TOO_SOON = "too_soon"
    TOO_FAR = "too_far"
    OUTSIDE_WINDOWS = "outside_windows"
    TIME_OFF = "time_off"
    OFF_GRID = "off_grid"
    DAILY_CAP = "daily_cap"
    TAKEN = "taken"


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union as UTC instants; touching intervals join, empty ones go.

    Intervals already in UTC that join nothing come back as they are: a month of windows
    from the cache is merged on every request.
    """
    spans = sorted(i if i.start.tzinfo is UTC and i.end.tzinfo is UTC
                   else Interval(i.start.astimezone(UTC), i.end.astimezone(UTC))
                   for i in intervals)
    merged: list[Interval] = []
    for span in spans:
        if span.end <= span.start:
            continue
        if merged and span.start <= merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, span.end)
            continue
        merged.append(span)
    return merged


def _windows_around(windows: Sequence[Interval], lo: datetime, hi: datetime) -> list[Interval]:
    """The merged windows that reach into [lo, hi), each with its true start (grid origin).

    A caller may hand over years of windows. Only those from a day before the range on are
    merged, unless a merged window that matters starts that early: then a chain of touching
    windows may go back further and move the grid's origin, and only the full merge knows
    where it starts. (Windows after `hi` can only lengthen a window past every slot's end.)
    """
    lo_margin = lo - _MARGIN
    near = [w for w in windows if w.end > lo_margin and w.start < hi]
    merged = merge(near)
    if len(near) < len(windows) and any(w.start <= lo_margin and w.end > lo for w in merged):
        merged = merge(windows)
    return [w for w in merged if w.end > lo and w.start < hi]


class _Sweep:
    """Answers "does [start, end) overlap any of these?" for ranges that only move forward.

    Only intervals touching [lo, hi) are kept; the rest cannot matter to the caller. Building
    costs one filtering pass, one sort and one running maximum, at C speed (linear when the
    input comes sorted, as the selectors give it); this is where the engine spends its time
    when given thousands of busy intervals. A query finds how many intervals start before its
    end (a bisection from where the last one stopped): the range is hit exactly when the latest
    end among those lies after its start.
    """

    __slots__ = ("_latest_ends", "_seen", "_starts")

    def __init__(self, intervals: Iterable[Span], lo: datetime, hi: datetime) -> None:
        # One chained comparison reads each field once: end > lo, end > start, start < hi.
        relevant = [i for i in intervals if lo < i[1] > i[0] < hi]
        relevant.sort()
        self._starts = list(map(_START, relevant))
        # _latest_ends[k]: the latest end among the first k + 1 intervals.
        self._latest_ends = list(accumulate(map(_END, relevant), max))
        self._seen = 0

    def __bool__(self) -> bool:
        return bool(self._starts)

    def blocked_until(self, start: datetime, end: datetime) -> datetime | None:
        """When what overlaps [start, end) ends, or None when nothing does.

        Calls must come with non-decreasing `end`.
        """
        self._seen = reached = bisect_left(self._starts, end, self._seen)
        if reached and self._latest_ends[reached - 1] > start:
            return self._latest_ends[reached - 1]
        return None


def _overlaps_any(intervals: Iterable[Span], start: datetime, end: datetime) -> bool:
    return any(start < i_end > i_start < end for i_start, i_end in intervals)


def _utc(intervals: Iterable[Interval]) -> list[Interval]:
    return [Interval(i.start.astimezone(UTC), i.end.astimezone(UTC)) for i in intervals]


def _reach(rules: SlotRules, earliest: datetime, latest: datetime) -> tuple[datetime, datetime]:
    """The span that the blocked ranges of slots starting in [earliest, latest) can cover."""
    return (earliest - rules.buffer_before,
            latest + rules.duration + rules.buffer_after)


def _full_days(rules: SlotRules, bookings_per_day: Mapping[date, int] | None) -> set[date]:
    if rules.daily_cap is None or not bookings_per_day:
        return set()
    return {day for day, count in bookings_per_day.items() if count >= rules.daily_cap}


def _next_grid_point(origin: datetime, step: timedelta, at_least: datetime) -> datetime:
    """The first point of the grid origin + k·step (k ≥ 0) at or after `at_least`."""
    if at_least <= origin:
        return origin
    return origin - ((origin - at_least) // step) * step


def _window_slots(window: Interval, rules: SlotRules, earliest: datetime, latest: datetime,
                  closed: _Sweep, busy: _Sweep) -> Iterable[Interval]:
    """Free grid slots of one merged UTC window starting in [earliest, latest).

    A refused grid point is skipped together with every later point the same merged time off
    or busy block refuses, so dense calendars cost a jump per block, not a test per point.
    """
    duration, step = rules.duration, rules.step
    before, after = rules.buffer_before, rules.buffer_after
    last = min(latest - _TICK, window.end - duration)
    slot_start = _next_grid_point(window.start, step, earliest)
    any_closed = bool(closed)
    while slot_start <= last:
        slot_end = slot_start + duration
        blocked_until = closed.blocked_until(slot_start, slot_end) if any_closed else None
        if blocked_until is None:
            blocked_until = busy.blocked_until(slot_start - before, slot_end + after)
            if blocked_until is None:
                yield Interval(slot_start, slot_end)
                slot_start += step
                continue
            blocked_until += before
        next_start = slot_start + step
        slot_start = (next_start if blocked_until <= next_start
                      else _next_grid_point(window.start, step, blocked_until))


def free_slots(*, windows: Sequence[Interval], closed: Sequence[Interval] = (),
               busy: Sequence[Span] = (), rules: SlotRules, now: datetime,
               start: datetime, end: datetime,
               bookings_per_day: Mapping[date, int] | None = None) -> list[Slot]:
    """Bookable slots starting in [start, end), in UTC, sorted.

    `bookings_per_day` counts the coach's active bookings per day of her zone, for the cap.
    """
    earliest = max(start, now + rules.notice).astimezone(UTC)
    latest = min(end, now + rules.horizon + _TICK).astimezone(UTC)
    if earliest >= latest:
        return []
    reach_start, reach_end = _reach(rules, earliest, latest)
    closed_index = _Sweep(_utc(closed), earliest, reach_end)
    busy_index = _Sweep(busy, reach_start, reach_end)
    full_days = _full_days(rules, bookings_per_day)
    slots: list[Slot] = []
    for window in _windows_around(windows, earliest, latest + rules.duration):
        for slot in _window_slots(window, rules, earliest, latest, closed_index, busy_index):
            if full_days and slot.start.astimezone(rules.zone).date() in full_days:
                continue
            slots.append(slot)
    return slots


def timing_refusal(slot_start: datetime, *, rules: SlotRules, now: datetime) -> Refusal | None:
    """Past, too soon or too far: what can be said from the clock alone, before any window
    is expanded (a start in year 9999 must not cost an expansion up to it)."""
    if slot_start < now:
        return Refusal.PAST
    if slot_start < now + rules.notice:
        return Refusal.TOO_SOON
    if slot_start > now + rules.horizon:
        return Refusal.TOO_FAR
    return None


def refusal(slot_start: datetime, *, windows: Sequence[Interval],
            closed: Sequence[Interval] = (), busy: Sequence[Span] = (), rules: SlotRules,
            now: datetime, bookings_per_day: Mapping[date, int] | None = None) -> Refusal | None:
    """Why `slot_start` cannot be booked under these facts, or None when it can.

    Agrees with `free_slots`: None exactly when `slot_start` is one of its slots.
    """
    slot_start = slot_start.astimezone(UTC)
    slot_end = slot_start + rules.duration
    too_early_or_late = timing_refusal(slot_start, rules=rules, now=now)
    if too_early_or_late is not None:
        return too_early_or_late
    window = next((w for w in _windows_around(windows, slot_start, slot_end)
                   if w.start <= slot_start and slot_end <= w.end), None)
    if window is None:
        return Refusal.OUTSIDE_WINDOWS
    if _overlaps_any(_utc(closed), slot_start, slot_end):
        return Refusal.TIME_OFF
    if (slot_start - window.start) % rules.step:
        return Refusal.OFF_GRID
    if slot_start.astimezone(rules.zone).date() in _full_days(rules, bookings_per_day):
        return Refusal.DAILY_CAP
    blocked_start = slot_start - rules.buffer_before
    blocked_end = slot_end + rules.buffer_after
    if _overlaps_any(busy, blocked_start, blocked_end):
        return Refusal.TAKEN
    return None
