"""windows_for on django-scheduler: local times across changes, time off, extras, the cache."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from schedule.models import Event, Occurrence, Rule

from availability.models import Availability, BusyInterval
from availability.selectors import (
    busy_intervals_for,
    forget_recent_windows,
    local_instant,
    windows_for,
)
from availability.services import (
    availability_touch,
    extra_window_add_local,
    time_off_add_local,
    weekly_window_add,
)
from availability.slots import Interval, SlotRules, free_slots
from tests.factories import CoachFactory
from tests.support.zones import transitions

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TWO_YEARS = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC))


def local(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone)


def every_day(coach, start: time, end: time, first_day: date = date(2026, 12, 1)) -> None:
    for weekday in range(7):
        weekly_window_add(coach=coach, weekday=weekday, start=start, end=end,
                          first_day=first_day)


@pytest.mark.parametrize("zone_name", [
    "Europe/Paris", "America/New_York", "Australia/Sydney", "America/Santiago",
    "Pacific/Auckland", "Australia/Adelaide", "America/St_Johns", "Australia/Lord_Howe"])
def test_a_nine_to_noon_window_stays_nine_to_noon_through_two_years_of_changes(zone_name):
    zone = ZoneInfo(zone_name)
    coach = CoachFactory(timezone=zone_name)
    every_day(coach, time(9), time(12))

    opened, closed = windows_for(coach=coach, start=TWO_YEARS[0], end=TWO_YEARS[1])

    assert closed == []
    days = [local(w.start, zone).date() for w in opened]
    assert len(days) == len(set(days))
    for window in opened:
        assert local(window.start, zone).time() == time(9)
        assert local(window.end, zone).time() == time(12)
        assert window.end - window.start == timedelta(hours=3)
        assert window.start.tzinfo is UTC
    for change in transitions(zone_name):
        before = local(change - timedelta(days=1), zone).date()
        after = local(change + timedelta(days=1), zone).date()
        assert before in days and after in days
        offsets = {local(w.start, zone).utcoffset() for w in opened
                   if local(w.start, zone).date() in (before, after)}
        assert len(offsets) == 2  # the same 09:00 on both sides, an hour apart in UTC


@pytest.mark.parametrize(("zone_name", "spring", "autumn"), [
    ("Europe/Paris", date(2027, 3, 28), date(2027, 10, 31)),
    ("America/New_York", date(2027, 3, 14), date(2027, 11, 7)),
    ("Pacific/Auckland", date(2027, 9, 26), date(2027, 4, 4)),
])
def test_a_window_across_the_night_change_keeps_its_local_end(zone_name, spring, autumn):
    zone = ZoneInfo(zone_name)
    coach = CoachFactory(timezone=zone_name)
    weekly_window_add(coach=coach, weekday=6, start=time(0), end=time(6),
                      first_day=date(2027, 1, 1))

    opened, _ = windows_for(coach=coach, start=TWO_YEARS[0], end=datetime(2028, 1, 1, tzinfo=UTC))

    by_day = {local(w.start, zone).date(): w for w in opened}
    assert local(by_day[spring].end, zone).time() == time(6)
    assert by_day[spring].end - by_day[spring].start == timedelta(hours=5)
    assert local(by_day[autumn].end, zone).time() == time(6)
    assert by_day[autumn].end - by_day[autumn].start == timedelta(hours=7)
    ordinary = by_day[spring + timedelta(days=7)]
    assert ordinary.end - ordinary.start == timedelta(hours=6)


def test_a_window_at_a_midnight_that_does_not_exist_opens_when_the_clock_resumes():
    # In Santiago, clocks jump from 24:00 on Saturday 4 September 2027 to 01:00 on Sunday.
    zone = ZoneInfo("America/Santiago")
    coach = CoachFactory(timezone="America/Santiago")
    weekly_window_add(coach=coach, weekday=6, start=time(0), end=time(3),
                      first_day=date(2027, 8, 1))

    opened, _ = windows_for(coach=coach, start=datetime(2027, 8, 25, tzinfo=UTC),
                            end=datetime(2027, 9, 15, tzinfo=UTC))

    starts = [local(w.start, zone) for w in opened]
    assert [s.time() for s in starts] == [time(0), time(1), time(0)]
    assert starts[1].date() == date(2027, 9, 5)
    assert all(local(w.end, zone).time() == time(3) for w in opened)
    slots = free_slots(windows=opened, rules=SlotRules(zone=zone),
                       now=opened[1].start - timedelta(days=1),
                       start=opened[1].start, end=opened[1].end)
    assert [local(s.start, zone).time() for s in slots] == [
        time(1), time(1, 30), time(2), time(2, 30)]


def test_time_off_and_extra_windows_shape_the_week():
    coach = CoachFactory(timezone="Europe/Paris")
    for weekday in range(5):
        weekly_window_add(coach=coach, weekday=weekday, start=time(9), end=time(12),
                          first_day=date(2027, 1, 1))
        weekly_window_add(coach=coach, weekday=weekday, start=time(14), end=time(18),
                          first_day=date(2027, 1, 1))
    monday = date(2027, 6, 7)
    time_off_add_local(coach=coach, first_day=monday + timedelta(days=1),
                       last_day=monday + timedelta(days=2))  # Tuesday and Wednesday
    time_off_add_local(coach=coach, first_day=monday + timedelta(days=3),
                       last_day=monday + timedelta(days=3), start=time(14), end=time(18))
    extra_window_add_local(coach=coach, day=monday + timedelta(days=5), start=time(10),
                           end=time(11))  # a Saturday morning
    start = datetime.combine(monday, time(0), tzinfo=PARIS)
    end = start + timedelta(days=7)

    opened, closed = windows_for(coach=coach, start=start, end=end)
    slots = free_slots(windows=opened, closed=closed, now=start - timedelta(days=1),
                       rules=SlotRules(zone=PARIS), start=start, end=end)

    per_day: dict[date, list[time]] = {}
    for slot in slots:
        per_day.setdefault(local(slot.start, PARIS).date(), []).append(
            local(slot.start, PARIS).time())
    assert len(per_day[monday]) == 14
    assert monday + timedelta(days=1) not in per_day
    assert monday + timedelta(days=2) not in per_day
    assert per_day[monday + timedelta(days=3)][-1] == time(11, 30)  # the afternoon is off
    assert len(per_day[monday + timedelta(days=4)]) == 14
    assert per_day[monday + timedelta(days=5)] == [time(10), time(10, 30)]
    assert monday + timedelta(days=6) not in per_day


def test_a_cancelled_occurrence_closes_that_week_only():
    coach = CoachFactory(timezone="Europe/Paris")
    event = weekly_window_add(coach=coach, weekday=0, start=time(9), end=time(12),
                              first_day=date(2027, 1, 1))
    monday = datetime.combine(date(2027, 6, 7), time(9), tzinfo=PARIS)
    window = (datetime(2027, 6, 1, tzinfo=UTC), datetime(2027, 6, 30, tzinfo=UTC))
    assert len(windows_for(coach=coach, start=window[0], end=window[1])[0]) == 4

    Occurrence.objects.create(event=event, start=monday, end=monday + timedelta(hours=3),
                              original_start=monday, original_end=monday + timedelta(hours=3),
                              cancelled=True)

    opened, _ = windows_for(coach=coach, start=window[0], end=window[1])
    assert [local(w.start, PARIS).date() for w in opened] == [
        date(2027, 6, 14), date(2027, 6, 21), date(2027, 6, 28)]


def test_windows_for_answers_from_the_cache_until_something_changes(django_assert_num_queries):
    coach = CoachFactory(timezone="Europe/Paris")
    every_day(coach, time(9), time(12))
    start, end = datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 30, tzinfo=UTC)
    first = windows_for(coach=coach, start=start, end=end)

    with django_assert_num_queries(1):  # only the version
        assert windows_for(coach=coach, start=start, end=end) == first


def test_a_process_keeps_the_months_it_used_in_front_of_the_shared_cache(
        django_assert_num_queries):
    coach = CoachFactory(timezone="Europe/Paris")
    every_day(coach, time(9), time(12))
    start, end = datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 30, tzinfo=UTC)
    first = windows_for(coach=coach, start=start, end=end)
    cache.clear()

    with django_assert_num_queries(1):  # the version: the months are still at hand
        assert windows_for(coach=coach, start=start, end=end) == first

    forget_recent_windows()
    with django_assert_num_queries(5):  # the version, then each month's events and moved ones
        assert windows_for(coach=coach, start=start, end=end) == first


def _nine_to_noon(coach) -> tuple[Event, tuple[datetime, datetime]]:
    event = weekly_window_add(coach=coach, weekday=0, start=time(9), end=time(12),
                              first_day=date(2027, 1, 1))
    return event, (datetime(2027, 6, 1, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC))


def _version(coach) -> int:
    return Availability.objects.get(coach=coach).version


def test_editing_an_event_shows_at_once():
    coach = CoachFactory(timezone="Europe/Paris")
    event, (start, end) = _nine_to_noon(coach)
    coach.availability  # noqa: B018 - a Coach holding its Availability, as views do
    assert {local(w.end, PARIS).time() for w in windows_for(coach=coach, start=start,
                                                            end=end)[0]} == {time(12)}
    version = _version(coach)

    event.end = local_instant(datetime(2027, 1, 4, 13), PARIS)
    event.save()

    assert _version(coach) > version
    assert {local(w.end, PARIS).time() for w in windows_for(coach=coach, start=start,
                                                            end=end)[0]} == {time(13)}


def test_deleting_an_event_shows_at_once():
    coach = CoachFactory(timezone="Europe/Paris")
    event, (start, end) = _nine_to_noon(coach)
    assert windows_for(coach=coach, start=start, end=end)[0]

    event.delete()

    assert windows_for(coach=coach, start=start, end=end) == ([], [])


def test_editing_the_rule_shows_at_once():
    coach = CoachFactory(timezone="Europe/Paris")
    event, (start, end) = _nine_to_noon(coach)
    assert len(windows_for(coach=coach, start=start, end=end)[0]) == 4
    version = _version(coach)

    event.rule.frequency = "DAILY"
    event.rule.save()

    assert _version(coach) > version
    assert len(windows_for(coach=coach, start=start, end=end)[0]) == 30


def test_deleting_the_rule_shows_at_once():
    coach = CoachFactory(timezone="Europe/Paris")
    event, (start, end) = _nine_to_noon(coach)
    assert len(windows_for(coach=coach, start=start, end=end)[0]) == 4
    version = _version(coach)

    Rule.objects.filter(pk=event.rule_id).delete()  # its events become one-off

    assert _version(coach) > version
    assert windows_for(coach=coach, start=start, end=end) == ([], [])


def test_moving_an_event_to_time_off_changes_both_calendars_at_once():
    coach = CoachFactory(timezone="Europe/Paris")
    event, (start, end) = _nine_to_noon(coach)
    assert windows_for(coach=coach, start=start, end=end)[1] == []

    event.calendar_id = Availability.objects.get(coach=coach).time_off_id
    event.save()

    opened, closed = windows_for(coach=coach, start=start, end=end)
    assert opened == [] and len(closed) == 4


def test_cancelling_an_occurrence_shows_at_once():
    coach = CoachFactory(timezone="Europe/Paris")
    event, (start, end) = _nine_to_noon(coach)
    assert len(windows_for(coach=coach, start=start, end=end)[0]) == 4
    monday = datetime(2027, 6, 7, 9, tzinfo=PARIS)

    Occurrence.objects.create(event=event, start=monday, end=monday + timedelta(hours=3),
                              original_start=monday, original_end=monday + timedelta(hours=3),
                              cancelled=True)

    assert len(windows_for(coach=coach, start=start, end=end)[0]) == 3


def test_a_bulk_update_shows_once_the_availability_is_touched():
    coach = CoachFactory(timezone="Europe/Paris")
    event, (start, end) = _nine_to_noon(coach)
    assert len(windows_for(coach=coach, start=start, end=end)[0]) == 4
    Event.objects.filter(pk=event.pk).update(rule=None)  # no signal: still cached
    assert len(windows_for(coach=coach, start=start, end=end)[0]) == 4

    availability_touch(availability=Availability.objects.get(coach=coach))

    assert windows_for(coach=coach, start=start, end=end)[0] == []


def test_one_coachs_change_leaves_anothers_cache_alone():
    coach, other = CoachFactory(), CoachFactory()
    event, _ = _nine_to_noon(coach)
    _nine_to_noon(other)
    version = _version(other)

    event.delete()

    assert _version(other) == version


def test_a_window_across_a_month_edge_comes_once():
    coach = CoachFactory(timezone="Europe/Paris")
    extra_window_add_local(coach=coach, day=date(2027, 6, 30), start=time(22), end=time(23))
    extra_window_add_local(coach=coach, day=date(2027, 7, 1), start=time(1), end=time(2))
    event = Event.objects.filter(calendar__slug__endswith="-windows").latest("pk")
    event.start = datetime(2027, 6, 30, 20, tzinfo=UTC)
    event.save()  # now 30 June 22:00 to 1 July 02:00 in Paris, across the UTC month edge

    opened, _ = windows_for(coach=coach, start=datetime(2027, 6, 1, tzinfo=UTC),
                            end=datetime(2027, 8, 1, tzinfo=UTC))

    assert opened == sorted(set(opened))
    assert Interval(datetime(2027, 6, 30, 20, tzinfo=UTC),
                    datetime(2027, 7, 1, 0, tzinfo=UTC)) in opened
    assert len(opened) == 2


def test_busy_intervals_are_filtered_to_the_range_and_sorted():
    coach = CoachFactory()
    base = datetime(2027, 6, 1, tzinfo=UTC)
    for hours in (30, 5, 100, 1):
        BusyInterval.objects.create(coach=coach, start=base + timedelta(hours=hours),
                                    end=base + timedelta(hours=hours, minutes=30))

    busy = busy_intervals_for(coach=coach, start=base, end=base + timedelta(hours=50))

    assert [b.start for b in busy] == [base + timedelta(hours=h) for h in (1, 5, 30)]


@pytest.mark.parametrize(("naive", "expected"), [
    (datetime(2027, 3, 28, 2, 30), datetime(2027, 3, 28, 1, 30, tzinfo=UTC)),  # gap: 03:30
    (datetime(2027, 10, 31, 2, 30), datetime(2027, 10, 31, 0, 30, tzinfo=UTC)),  # first 02:30
    (datetime(2027, 7, 1, 9), datetime(2027, 7, 1, 7, tzinfo=UTC)),
])
def test_local_instant_reads_wall_times_as_rfc_5545_does(naive, expected):
    assert local_instant(naive, PARIS) == expected
