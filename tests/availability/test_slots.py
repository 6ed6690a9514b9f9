"""Properties of the pure slot engine, around every daylight-saving change of 2027–2028."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from random import Random
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from availability.slots import Interval, Refusal, SlotRules, free_slots, refusal
from tests.support.zones import (
    DST_ZONES,
    ZONES,
    scenario_id,
    scenarios,
    transitions,
)

SCENARIOS = scenarios()
# Deterministic for CI: the same examples on every run, no example database in the tree.
PROPERTY = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
MINUTES = timedelta(minutes=1)


@dataclass
class Case:
    """One generated calendar around a pivot instant, with everything the engine takes."""

    zone: ZoneInfo
    windows: list[Interval]
    closed: list[Interval]
    busy: list[Interval]
    rules: SlotRules
    now: datetime
    start: datetime
    end: datetime
    per_day: dict[date, int] = field(default_factory=dict)

    def slots(self) -> list[Interval]:
        return free_slots(windows=self.windows, closed=self.closed, busy=self.busy,
                          rules=self.rules, now=self.now, start=self.start, end=self.end,
                          bookings_per_day=self.per_day)

    def refusal(self, start: datetime) -> Refusal | None:
        return refusal(start, windows=self.windows, closed=self.closed, busy=self.busy,
                       rules=self.rules, now=self.now, bookings_per_day=self.per_day)


def wall(day: date, minute: int, length: int, zone: ZoneInfo, fold: int) -> Interval:
    """[day + minute, + length) in wall-clock minutes, as datetimes of `zone`.

    Handed over in the zone (not UTC), with either fold, as a careless caller would: the engine
    must read them as instants. In a gap or a repeated hour the instants may even come out
    reversed or short; that is part of the test.
    """
    start = datetime.combine(day, time(0)) + minute * MINUTES
    end = start + length * MINUTES
    return Interval(start.replace(tzinfo=zone, fold=fold), end.replace(tzinfo=zone, fold=fold))


@st.composite
def cases(draw, scenario: tuple[str, datetime]) -> Case:
    zone_name, pivot = scenario
    zone = ZoneInfo(zone_name)
    pivot_day = pivot.astimezone(zone).date()
    days = [pivot_day + timedelta(days=n) for n in range(-3, 4)]
    quarter = st.integers(0, 24 * 4 - 1).map(lambda q: q * 15)
    length = st.integers(1, 12 * 4).map(lambda q: q * 15)
    fold = st.integers(0, 1)
    # A daily window at one wall-clock time, as weekly rules give, plus one-off extras.
    daily_start, daily_length = draw(quarter), draw(length)
    windows = [wall(day, daily_start, daily_length, zone, draw(fold)) for day in days]
    windows += [wall(draw(st.sampled_from(days)), draw(quarter), draw(length), zone, draw(fold))
                for _ in range(draw(st.integers(0, 3)))]
    closed = [wall(draw(st.sampled_from(days)), draw(quarter), draw(length), zone, draw(fold))
              for _ in range(draw(st.integers(0, 3)))]
    span_start = datetime.combine(days[0], time(0), tzinfo=zone).astimezone(UTC)
    busy = []
    for _ in range(draw(st.integers(0, 12))):
        begins = span_start + draw(st.integers(0, 7 * 24 * 12)) * 5 * MINUTES
        busy.append(Interval(begins, begins + draw(st.integers(1, 36)) * 5 * MINUTES))
    rules = SlotRules(
        zone=zone,
        duration=draw(st.sampled_from([15, 30, 45, 60, 90])) * MINUTES,
        step=draw(st.sampled_from([10, 15, 30, 45, 60])) * MINUTES,
        notice=draw(st.sampled_from([0, 60, 12 * 60])) * MINUTES,
        horizon=draw(st.sampled_from([1, 3, 7])) * timedelta(days=1),
        buffer_before=draw(st.sampled_from([0, 5, 15, 30])) * MINUTES,
        buffer_after=draw(st.sampled_from([0, 10, 15])) * MINUTES,
        daily_cap=draw(st.sampled_from([None, 1, 2, 3])),
    )
    per_day = {day: draw(st.integers(0, 3)) for day in days}
    now = pivot + draw(st.integers(-4 * 24 * 4, 24 * 4)) * 15 * MINUTES
    start = span_start - timedelta(days=1) + draw(st.integers(0, 3 * 24)) * 60 * MINUTES
    end = start + draw(st.integers(1, 9 * 24)) * 60 * MINUTES
    return Case(zone, windows, closed, busy, rules, now, start, end, per_day)


def union(intervals: list[Interval]) -> list[Interval]:
    """The obvious union of intervals as instants, independent of the engine's merge."""
    spans = sorted((i.start.astimezone(UTC), i.end.astimezone(UTC)) for i in intervals
                   if i.start.astimezone(UTC) < i.end.astimezone(UTC))
    merged: list[list[datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [Interval(start, end) for start, end in merged]


def overlaps(start: datetime, end: datetime, intervals: list[Interval]) -> bool:
    return any(i.start < end and start < i.end for i in intervals if i.start < i.end)


def oracle(case: Case) -> list[Interval]:
    """free_slots written the slow, obvious way: every grid point, every rule, one by one."""
    rules, found = case.rules, []
    for window in union(case.windows):
        point = window.start
        while point + rules.duration <= window.end:
            end = point + rules.duration
            if (case.start <= point < case.end
                    and case.now + rules.notice <= point <= case.now + rules.horizon
                    and not overlaps(point, end, case.closed)
                    and not overlaps(point - rules.buffer_before, end + rules.buffer_after,
                                     case.busy)
                    and not (rules.daily_cap is not None and case.per_day.get(
                        point.astimezone(case.zone).date(), 0) >= rules.daily_cap)):
                found.append(Interval(point, end))
            point += rules.step
    return found


def test_each_daylight_saving_zone_changes_four_times_in_two_years():
    for name in DST_ZONES:
        assert len(transitions(name)) == 4, name
    assert len(ZONES) >= 10


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_id)
def test_slots_keep_every_rule_around_the_change(scenario):
    @PROPERTY
    @given(cases(scenario))
    def check(case: Case) -> None:
        slots = case.slots()
        windows = union(case.windows)
        rules = case.rules
        for slot in slots:
            assert slot.start.tzinfo is UTC and slot.end - slot.start == rules.duration
            # Inside one of the coach's windows (read as instants, whatever zone they came in).
            inside = [w for w in windows if w.start <= slot.start and slot.end <= w.end]
            assert inside
            assert (slot.start - inside[0].start) % rules.step == timedelta(0)
            # A real wall-clock time of her zone: it reads back to the same instant.
            local = slot.start.astimezone(case.zone)
            assert local.replace(tzinfo=None).replace(tzinfo=case.zone, fold=local.fold) \
                .astimezone(UTC) == slot.start
            assert case.start <= slot.start < case.end
            assert case.now + rules.notice <= slot.start <= case.now + rules.horizon
            assert not overlaps(slot.start, slot.end, case.closed)
            assert not overlaps(slot.start - rules.buffer_before,
                                slot.end + rules.buffer_after, case.busy)
            if rules.daily_cap is not None:
                assert case.per_day.get(local.date(), 0) < rules.daily_cap
        # Sorted and never twice (a fall-back hour has two 01:30s: as instants they differ,
        # and each is offered once); never overlapping unless the step is shorter than a
        # session, where overlapping starts are the point (an hour offered every half hour).
        for before, after in pairwise(slots):
            assert before.start < after.start
            if rules.step >= rules.duration:
                assert before.end <= after.start
        walls = Counter((s.start.astimezone(case.zone).replace(tzinfo=None),
                         s.start.astimezone(case.zone).fold) for s in slots)
        assert all(count == 1 for count in walls.values())
        assert slots == oracle(case)

    check()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_id)
def test_refusal_is_none_exactly_for_the_free_slots(scenario):
    @PROPERTY
    @given(cases(scenario), st.randoms(use_true_random=False),
           st.lists(st.integers(0, 9 * 24 * 60), max_size=20))
    def check(case: Case, rng, offsets: list[int]) -> None:
        starts = {slot.start for slot in case.slots()}
        grid = []
        for window in union(case.windows):
            point = window.start
            while point < window.end:
                grid.append(point)
                point += case.rules.step
        # Every free slot, a sample of the grid points of every window (most refused for one
        # reason or another), and arbitrary minutes, mostly off the grid.
        candidates = set(starts) | set(rng.sample(grid, min(len(grid), 40)))
        candidates.update(case.start + minute * MINUTES for minute in offsets)
        for candidate in sorted(candidates):
            if not case.start <= candidate < case.end:
                continue
            reason = case.refusal(candidate)
            assert (reason is None) == (candidate in starts), (candidate, reason)
        # The same instant given in the coach's zone gets the same answer.
        for candidate in rng.sample(sorted(candidates), min(len(candidates), 5)):
            assert case.refusal(candidate.astimezone(case.zone)) == case.refusal(candidate)

    check()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_id)
@PROPERTY
@given(hour=st.integers(5, 20), minute=st.sampled_from([0, 15, 30, 45]))
def test_a_daily_window_keeps_its_wall_clock_time_across_the_change(scenario, hour, minute):
    zone_name, pivot = scenario
    zone = ZoneInfo(zone_name)
    pivot_day = pivot.astimezone(zone).date()
    days = [pivot_day + timedelta(days=n) for n in range(-3, 4)]
    opens, closes = time(hour, minute), time(hour + 3, minute)
    windows = [Interval(datetime.combine(d, opens, tzinfo=zone),
                        datetime.combine(d, closes, tzinfo=zone)) for d in days]
    rules = SlotRules(zone=zone, notice=timedelta(0), horizon=timedelta(days=30))
    slots = free_slots(windows=windows, rules=rules, now=pivot - timedelta(days=5),
                       start=pivot - timedelta(days=5), end=pivot + timedelta(days=5))
    by_day: dict[date, list[time]] = {}
    for slot in slots:
        local = slot.start.astimezone(zone)
        by_day.setdefault(local.date(), []).append(local.time())
    assert sorted(by_day) == days
    expected = [(datetime.combine(date.min, opens) + n * timedelta(minutes=30)).time()
                for n in range(6)]
    for day in days:
        assert by_day[day] == expected, day


def test_nine_o_clock_stays_nine_o_clock_on_both_sides_of_every_change():
    for name in DST_ZONES:
        zone = ZoneInfo(name)
        for change in transitions(name):
            before = (change - timedelta(days=1)).astimezone(zone).date()
            after = (change + timedelta(days=1)).astimezone(zone).date()
            windows = [Interval(datetime.combine(d, time(9), tzinfo=zone),
                                datetime.combine(d, time(12), tzinfo=zone))
                       for d in (before, after)]
            slots = free_slots(windows=windows, rules=SlotRules(zone=zone),
                               now=change - timedelta(days=3),
                               start=change - timedelta(days=3), end=change + timedelta(days=3))
            firsts = {s.start.astimezone(zone).date(): s.start.astimezone(zone).time()
                      for s in reversed(slots)}
            assert firsts == {before: time(9), after: time(9)}, (name, change)
            offsets = {s.start.astimezone(zone).utcoffset() for s in slots}
            assert len(offsets) == 2, (name, change)  # really on both sides of the change


PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2027, 3, 1)
NOW = datetime(2027, 2, 26, 8, tzinfo=UTC)  # the Friday before, 09:00 in Paris


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def facts(**changes) -> dict:
    """A Monday 09:00–12:00 in Paris, 30-minute sessions every 30 minutes, 12 h notice."""
    base = {
        "windows": [Interval(at(MONDAY, 9), at(MONDAY, 12))],
        "closed": [],
        "busy": [],
        "rules": SlotRules(zone=PARIS, notice=timedelta(hours=12), horizon=timedelta(days=60)),
        "now": NOW,
        "bookings_per_day": {},
    }
    return base | changes


@pytest.mark.parametrize(("start", "changes", "expected"), [
    (at(MONDAY, 9), {}, None),
    (at(MONDAY, 11, 30), {}, None),
    (at(MONDAY, 9), {"now": at(MONDAY, 10)}, Refusal.PAST),
    (at(MONDAY, 9), {"now": at(MONDAY, 9) - timedelta(hours=11)}, Refusal.TOO_SOON),
    (at(MONDAY + timedelta(days=70), 9),
     {"windows": [Interval(at(MONDAY + timedelta(days=70), 9),
                           at(MONDAY + timedelta(days=70), 12))]}, Refusal.TOO_FAR),
    (at(MONDAY, 8, 30), {}, Refusal.OUTSIDE_WINDOWS),
    (at(MONDAY, 12), {}, Refusal.OUTSIDE_WINDOWS),
    (at(MONDAY, 11, 45), {}, Refusal.OUTSIDE_WINDOWS),  # would end after the window
    (at(MONDAY, 10), {"closed": [Interval(at(MONDAY, 0), at(MONDAY + timedelta(days=7), 0))]},
     Refusal.TIME_OFF),  # a week of holidays
    (at(MONDAY, 10), {"closed": [Interval(at(MONDAY, 10, 15), at(MONDAY, 10, 20))]},
     Refusal.TIME_OFF),  # a slot must not even touch time off
    (at(MONDAY, 9, 15), {}, Refusal.OFF_GRID),
    (at(MONDAY, 9, 0) + timedelta(seconds=1), {}, Refusal.OFF_GRID),
    (at(MONDAY, 9), {"rules": SlotRules(zone=PARIS, daily_cap=2),
                     "bookings_per_day": {MONDAY: 2}}, Refusal.DAILY_CAP),
    (at(MONDAY, 9), {"rules": SlotRules(zone=PARIS, daily_cap=3),
                     "bookings_per_day": {MONDAY: 2}}, None),
    (at(MONDAY, 9), {"busy": [Interval(at(MONDAY, 9), at(MONDAY, 9, 30))]}, Refusal.TAKEN),
    (at(MONDAY, 9, 30), {"busy": [Interval(at(MONDAY, 9), at(MONDAY, 9, 30))]}, None),
    (at(MONDAY, 9, 30), {"busy": [Interval(at(MONDAY, 9), at(MONDAY, 9, 30))],
                         "rules": SlotRules(zone=PARIS, buffer_before=timedelta(minutes=10))},
     Refusal.TAKEN),
    (at(MONDAY, 9), {"busy": [Interval(at(MONDAY, 9, 30), at(MONDAY, 10))],
                     "rules": SlotRules(zone=PARIS, buffer_after=timedelta(minutes=1))},
     Refusal.TAKEN),
])
def test_refusal_names_the_reason(start, changes, expected):
    arguments = facts(**changes)
    assert refusal(start, **arguments) == expected
    slots = free_slots(start=at(MONDAY, 0) - timedelta(days=1),
                       end=at(MONDAY, 0) + timedelta(days=80), **arguments)
    assert (start in {slot.start for slot in slots}) == (expected is None)


def test_the_daily_cap_counts_days_in_the_coachs_zone():
    # Monday is full. 00:00 and 00:30 on Tuesday in Paris are still Monday in UTC, but
    # Tuesday for her, so they stay open.
    windows = [Interval(at(MONDAY, 23), at(MONDAY + timedelta(days=1), 1))]
    rules = SlotRules(zone=PARIS, daily_cap=1)
    slots = free_slots(windows=windows, rules=rules, now=NOW, start=NOW,
                       end=NOW + timedelta(days=10), bookings_per_day={MONDAY: 1})
    assert [s.start for s in slots] == [at(MONDAY + timedelta(days=1), 0),
                                        at(MONDAY + timedelta(days=1), 0, 30)]


def test_overlapping_and_touching_windows_merge_and_keep_one_grid():
    windows = [Interval(at(MONDAY, 9), at(MONDAY, 10)), Interval(at(MONDAY, 10), at(MONDAY, 11)),
               Interval(at(MONDAY, 9, 30), at(MONDAY, 10, 30)),
               Interval(at(MONDAY, 14, 10), at(MONDAY, 15))]
    slots = free_slots(windows=windows, rules=SlotRules(zone=PARIS), now=NOW, start=NOW,
                       end=NOW + timedelta(days=5))
    assert [s.start.astimezone(PARIS).time() for s in slots] == [
        time(9), time(9, 30), time(10), time(10, 30), time(14, 10)]


def test_a_refused_block_is_skipped_without_losing_later_grid_points():
    # Dense busy time ends off the grid; the next slot is the first grid point after it.
    windows = [Interval(at(MONDAY, 9), at(MONDAY, 18))]
    busy = [Interval(at(MONDAY, 9, 10), at(MONDAY, 12, 5)),
            Interval(at(MONDAY, 12, 40), at(MONDAY, 13))]
    rules = SlotRules(zone=PARIS, buffer_before=timedelta(minutes=5))
    slots = free_slots(windows=windows, busy=busy, closed=[Interval(at(MONDAY, 15),
                                                                    at(MONDAY, 16, 1))],
                       rules=rules, now=NOW, start=NOW, end=NOW + timedelta(days=5))
    assert [s.start.astimezone(PARIS).time() for s in slots] == [
        time(13, 30), time(14), time(14, 30), time(16, 30),
        time(17), time(17, 30)]


def test_a_chain_of_windows_from_days_before_the_range_keeps_its_grid():
    # Touching windows from Friday 09:05 to Monday 12:00 are one window: its grid, started on
    # Friday, still gives :05 and :35 on Monday, however many other windows come along.
    friday = MONDAY - timedelta(days=3)
    chain = [Interval(at(friday, 9, 5), at(friday + timedelta(days=1), 0)),
             Interval(at(friday + timedelta(days=1), 0), at(MONDAY, 0)),
             Interval(at(MONDAY, 0), at(MONDAY, 12))]
    others = [Interval(at(MONDAY + timedelta(days=n), 9), at(MONDAY + timedelta(days=n), 10))
              for n in range(-700, 700) if n not in range(-3, 1)]
    monday = at(MONDAY, 10)
    for windows in (chain, chain + others, others + chain[::-1]):
        slots = free_slots(windows=windows, rules=SlotRules(zone=PARIS, notice=timedelta(0)),
                           now=NOW, start=monday, end=at(MONDAY, 12))
        assert [s.start.astimezone(PARIS).time() for s in slots] == [
            time(10, 5), time(10, 35), time(11, 5)]
        assert refusal(at(MONDAY, 10, 5), windows=windows, rules=SlotRules(zone=PARIS),
                       now=NOW) is None
        assert refusal(monday, windows=windows, rules=SlotRules(zone=PARIS),
                       now=NOW) == Refusal.OFF_GRID


def test_ten_thousand_busy_intervals_in_any_order_give_the_same_slots():
    windows = [Interval(at(MONDAY + timedelta(days=n), 9), at(MONDAY + timedelta(days=n), 18))
               for n in range(14)]
    busy = [Interval(at(MONDAY, 0) + n * timedelta(minutes=67),
                     at(MONDAY, 0) + n * timedelta(minutes=67) + timedelta(minutes=20))
            for n in range(-5000, 5000)]
    rules = SlotRules(zone=PARIS, notice=timedelta(0), horizon=timedelta(days=90))
    start, end = at(MONDAY, 0), at(MONDAY, 0) + timedelta(days=14)
    kwargs = {"windows": windows, "rules": rules, "now": NOW, "start": start, "end": end}

    in_order = free_slots(busy=busy, **kwargs)
    mixed = busy.copy()
    Random(7).shuffle(mixed)
    shuffled = free_slots(busy=mixed, **kwargs)
    # Only what lies near the range can matter; the slow oracle gets just that.
    near = [b for b in busy if start - timedelta(days=1) < b.start < end + timedelta(days=1)]

    assert in_order == shuffled == oracle(Case(PARIS, windows, [], near, rules, NOW, start, end))
    assert len(in_order) > 50
