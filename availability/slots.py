"""The slot engine: windows, busy intervals and rules in, bookable slots out.

Pure functions over aware datetimes. No ORM, no clock, no settings: the caller passes `now`,
so every property can be tested with Hypothesis and timed alone.

Vocabulary:
- *windows*: when the coach is open (weekly windows and one-off extras), already expanded in
  her zone; they may overlap and are merged first.
- *closed*: time off; a slot must not touch it.
- *busy*: other bookings' blocked ranges (buffers included) and imported busy times; a slot's
  own blocked range (the slot plus this type's buffers) must not overlap them.
Slots start on a grid of `step` counted from the start of each merged window.
"""

import enum
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, order=True, slots=True)
class Interval:
    start: datetime
    end: datetime


Slot = Interval


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
    """Sorted, non-overlapping union; touching intervals join."""
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if interval.end <= interval.start:
            continue
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged


class _Overlaps:
    """Answers "does [start, end) overlap any of these?" in O(log n) on merged intervals."""

    def __init__(self, intervals: Iterable[Interval]) -> None:
        self._merged = merge(intervals)
        self._ends = [interval.end for interval in self._merged]

    def hit(self, start: datetime, end: datetime) -> bool:
        # The first interval ending after `start` is the only candidate for an overlap.
        i = bisect_left(self._ends, start)
        if i < len(self._ends) and self._ends[i] == start:
            i += 1
        return i < len(self._merged) and self._merged[i].start < end


def _local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def _candidates(windows: list[Interval], rules: SlotRules, start: datetime,
                end: datetime) -> Iterable[Interval]:
    """Every grid start inside a merged window whose slot fits the window, within [start, end)."""
    for window in windows:
        if window.end <= start or window.start >= end:
            continue
        first = window.start
        if first < start:
            # Jump to the first grid point at or after `start` without walking there.
            steps = -((window.start - start) // rules.step)
            first = window.start + steps * rules.step
        slot_start = first
        while slot_start < end and slot_start + rules.duration <= window.end:
            yield Interval(slot_start, slot_start + rules.duration)
            slot_start += rules.step


def free_slots(*, windows: Sequence[Interval], closed: Sequence[Interval] = (),
               busy: Sequence[Interval] = (), rules: SlotRules, now: datetime,
               start: datetime, end: datetime,
               bookings_per_day: Mapping[date, int] | None = None) -> list[Slot]:
    """Bookable slots starting in [start, end), in UTC, sorted.

    `bookings_per_day` counts the coach's active bookings per day of her zone, for the cap.
    """
    earliest = max(start, now + rules.notice)
    latest = min(end, now + rules.horizon + timedelta(microseconds=1))
    if earliest >= latest:
        return []
    counts = bookings_per_day or {}
    closed_index = _Overlaps(closed)
    busy_index = _Overlaps(busy)
    slots: list[Slot] = []
    for slot in _candidates(merge(windows), rules, earliest, latest):
        if closed_index.hit(slot.start, slot.end):
            continue
        if busy_index.hit(slot.start - rules.buffer_before, slot.end + rules.buffer_after):
            continue
        if rules.daily_cap is not None and (
            counts.get(_local_day(slot.start, rules.zone), 0) >= rules.daily_cap
        ):
            continue
        slots.append(Interval(slot.start.astimezone(UTC), slot.end.astimezone(UTC)))
    return slots


def refusal(slot_start: datetime, *, windows: Sequence[Interval],
            closed: Sequence[Interval] = (), busy: Sequence[Interval] = (), rules: SlotRules,
            now: datetime, bookings_per_day: Mapping[date, int] | None = None) -> Refusal | None:
    """Why `slot_start` cannot be booked under these facts, or None when it can.

    Agrees with `free_slots`: None exactly when `slot_start` is one of its slots.
    """
    slot_end = slot_start + rules.duration
    if slot_start < now:
        return Refusal.PAST
    if slot_start < now + rules.notice:
        return Refusal.TOO_SOON
    if slot_start > now + rules.horizon:
        return Refusal.TOO_FAR
    merged = merge(windows)
    window = next((w for w in merged if w.start <= slot_start and slot_end <= w.end), None)
    if window is None:
        return Refusal.OUTSIDE_WINDOWS
    if _Overlaps(closed).hit(slot_start, slot_end):
        return Refusal.TIME_OFF
    if (slot_start - window.start) % rules.step:
        return Refusal.OFF_GRID
    counts = bookings_per_day or {}
    if rules.daily_cap is not None and (
        counts.get(_local_day(slot_start, rules.zone), 0) >= rules.daily_cap
    ):
        return Refusal.DAILY_CAP
    if _Overlaps(busy).hit(slot_start - rules.buffer_before, slot_end + rules.buffer_after):
        return Refusal.TAKEN
    return None
