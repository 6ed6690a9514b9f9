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
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

_TICK = timedelta(microseconds=1)
_MARGIN = timedelta(days=1)


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


def _overlaps_any(intervals: Iterable[Span], start: datetime, end: datetime) -> bool:
    return any(start < i_end > i_start < end for i_start, i_end in intervals)


def _utc(intervals: Iterable[Interval]) -> list[Interval]:
    return [Interval(i.start.astimezone(UTC), i.end.astimezone(UTC)) for i in intervals]


def _full_days(rules: SlotRules, bookings_per_day: Mapping[date, int] | None) -> set[date]:
    if rules.daily_cap is None or not bookings_per_day:
        return set()
    return {day for day, count in bookings_per_day.items() if count >= rules.daily_cap}


def _next_grid_point(origin: datetime, step: timedelta, at_least: datetime) -> datetime:
    """The first point of the grid origin + k·step (k ≥ 0) at or after `at_least`."""
    if at_least <= origin:
        return origin
    return origin - ((origin - at_least) // step) * step


def _refused_starts(closed: Iterable[Span], busy: Iterable[Span], rules: SlotRules,
                    earliest: datetime, latest: datetime) -> list[Span]:
    """The open ranges (lo, hi) of starts that time off or a busy time refuses, sorted: a
    start s is refused exactly when lo < s < hi for one of them.

    A slot [s, s + duration) must not touch time off [a, b): a - duration < s < b. Its blocked
    range, buffers added, must not overlap a busy [a, b): a - duration - after < s < b + before.
    Only what can refuse a start in [earliest, latest) is kept.
    """
    duration, before = rules.duration, rules.buffer_before
    ahead = duration + rules.buffer_after
    reach_start, reach_end = earliest - before, latest + ahead
    # Chained comparisons read each field once: end > reach, end > start, start < reach.
    refused = [(a - duration, b) for a, b in closed if earliest < b > a < reach_end]
    if before:
        refused += [(a - ahead, b + before) for a, b in busy if reach_start < b > a < reach_end]
    else:
        refused += [(a - ahead, b) for a, b in busy if reach_start < b > a < reach_end]
    refused.sort()
    return refused


# A window whose grid has at most this many points has it kept (per process, by _grid): most
# are a few hours of half-hour slots, and the months visitors ask for repeat the same windows.
# Bounded twice (points, entries): a few tens of MB at worst, whatever step a type has.
_GRID_KEPT_POINTS = 96


@lru_cache(maxsize=1024)
def _grid(window: Interval, duration: timedelta,
          step: timedelta) -> tuple[tuple[datetime, ...], tuple[Slot, ...]]:
    """Every slot on the grid of one merged UTC window, and their starts (for bisection).

    Kept, so a request neither adds nor allocates per slot, and the slots it sends come with
    the hashes of their instants already computed (api.public memoizes their JSON).
    """
    slots = []
    point, last = window.start, window.end - duration
    while point <= last:
        slots.append(Slot(point, point + duration))
        point += step
    return tuple(slot.start for slot in slots), tuple(slots)


def _grid_slots(windows: Iterable[Interval], refused: Sequence[Span], rules: SlotRules,
                earliest: datetime, latest: datetime) -> list[Slot]:
    """The grid points of these merged UTC windows that start a slot in [earliest, latest)
    and no refused range holds, as slots.

    One pass over both sorted lists: the ranges that end before a point are passed for good.
    A window's kept grid is only compared; a longer window's points are computed, a refused
    one jumping past the range that holds it and those up to the next range's start taken in a
    tight loop, so the work grows with slots and ranges, not with the window's length.
    """
    duration, step = rules.duration, rules.step
    make = Slot._make
    slots: list[Slot] = []
    position, count = 0, len(refused)
    for window in windows:
        if (window.end - window.start) // step < _GRID_KEPT_POINTS:
            starts, grid = _grid(window, duration, step)
            for slot in grid[bisect_left(starts, earliest):bisect_left(starts, latest)]:
                point = slot[0]
                while position < count and refused[position][1] <= point:
                    position += 1
                if position == count or refused[position][0] >= point:
                    slots.append(slot)
            continue
        last = min(latest - _TICK, window.end - duration)
        point = _next_grid_point(window.start, step, earliest)
        while point <= last:
            while position < count and refused[position][1] <= point:
                position += 1
            if position < count and refused[position][0] < point:
                # Past the range: mostly the next point (a booking of one slot), computed
                # by a division only when the range is longer.
                point += step
                if point < refused[position][1]:
                    point = _next_grid_point(window.start, step, refused[position][1])
                continue
            # Ranges are sorted by their start: nothing refuses a point up to the next one's.
            stop = last if position == count else min(last, refused[position][0])
            while point <= stop:
                slots.append(make((point, point + duration)))
                point += step
    return slots


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
    refused = _refused_starts(_utc(closed), busy, rules, earliest, latest)
    slots = _grid_slots(_windows_around(windows, earliest, latest + rules.duration), refused,
                        rules, earliest, latest)
    full_days = _full_days(rules, bookings_per_day)
    if full_days:
        zone = rules.zone
        slots = [slot for slot in slots if slot.start.astimezone(zone).date() not in full_days]
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
