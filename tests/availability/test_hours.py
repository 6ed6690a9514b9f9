"""The hours editor's services: ranges per weekday, copies, overrides, time off, extras."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation
from schedule.models import Event

from availability import hours, overrides
from availability.models import Availability
from booking.selectors import free_slots_for
from tests.factories import CoachFactory, SessionTypeFactory, add_weekday_windows

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 7, tzinfo=UTC)  # Monday 08:00 in Paris
TODAY = date(2027, 3, 1)
MONDAY = date(2027, 3, 8)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def bare():
    """A coach without any hours, and her type (no notice, to see every slot)."""
    coach = CoachFactory(slug="bare")
    SessionTypeFactory(coach=coach, notice=timedelta(0))
    return coach


def t(text: str) -> time:
    return time.fromisoformat(text)


def local_starts(coach, day: date) -> list[str]:
    session_type = coach.session_types.get()
    start = datetime.combine(day, time(0), tzinfo=PARIS)
    slots = free_slots_for(session_type=session_type, start=start,
                           end=start + timedelta(days=1), now=NOW)
    return [f"{s.start.astimezone(PARIS):%H:%M}" for s in slots]


def week(coach) -> dict[int, list[tuple[str, str]]]:
    return {day: [(f"{r.start:%H:%M}", f"{r.end:%H:%M}") for r in ranges]
            for day, ranges in hours.weekly_ranges(coach=coach, now=NOW).items() if ranges}


def save(coach, days) -> None:
    hours.weekly_days_save(coach=coach, days={d: [(t(s), t(e)) for s, e in rs]
                                              for d, rs in days.items()},
                           today=TODAY, now=NOW)


@pytest.mark.parametrize(("ranges", "english", "french"), [
    ([("12:00", "09:00")], "12:00–09:00: The end must be after the start.",
     "12:00–09:00 : La fin doit être postérieure au début."),
    ([("09:00", "09:00")], "09:00–09:00: The end must be after the start.",
     "09:00–09:00 : La fin doit être postérieure au début."),
    ([("09:00", "12:00"), ("11:00", "13:00")],
     "09:00–12:00 and 11:00–13:00 overlap: change one or remove it.",
     "09:00–12:00 et 11:00–13:00 se chevauchent : modifiez-en une ou supprimez-la."),
])
def test_inverted_empty_or_overlapping_ranges_are_refused_in_both_languages(
        ranges, english, french):
    parsed = [(t(s), t(e)) for s, e in ranges]
    for language, expected in (("en", english), ("fr", french)):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            hours.check_ranges(parsed)
        assert refused.value.messages == [expected]


def test_touching_ranges_are_fine():
    hours.check_ranges([(t("09:00"), t("12:00")), (t("12:00"), t("13:00"))])


def test_a_range_inside_a_long_one_is_an_overlap_even_after_a_short_one():
    with pytest.raises(ValidationError) as refused:
        hours.check_ranges([(t("08:00"), t("18:00")), (t("09:00"), t("10:00")),
                            (t("12:00"), t("13:00"))])
    assert len(refused.value.messages) == 2


def test_saving_a_day_gives_exactly_its_slots(bare):
    save(bare, {2: [("14:00", "16:00")]})
    assert week(bare) == {2: [("14:00", "16:00")]}
    assert local_starts(bare, date(2027, 3, 3)) == ["14:00", "14:30", "15:00", "15:30"]
    assert local_starts(bare, date(2027, 3, 10)) == ["14:00", "14:30", "15:00", "15:30"]


def test_unchanged_ranges_keep_their_event_and_the_others_are_replaced(bare):
    save(bare, {0: [("09:00", "12:00"), ("14:00", "18:00")]})
    kept = next(r.id for r in hours.weekly_ranges(coach=bare, now=NOW)[0] if r.start == t("09:00"))
    save(bare, {0: [("09:00", "12:00"), ("15:00", "17:00")]})
    after = hours.weekly_ranges(coach=bare, now=NOW)[0]
    assert [(r.start, r.end) for r in after] == [(t("09:00"), t("12:00")), (t("15:00"), t("17:00"))]
    assert after[0].id == kept
    assert Event.objects.filter(rule__isnull=False).count() == 2


def test_an_empty_list_turns_the_day_off(bare):
    save(bare, {0: [("09:00", "12:00")], 1: [("09:00", "12:00")]})
    save(bare, {0: []})
    assert week(bare) == {1: [("09:00", "12:00")]}
    assert local_starts(bare, MONDAY) == []


def test_a_refused_week_changes_nothing_and_names_the_day(bare):
    save(bare, {0: [("09:00", "12:00")]})
    version = Availability.objects.get(coach=bare).version
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        save(bare, {0: [], 3: [("09:00", "12:00"), ("10:00", "11:00")]})
    assert refused.value.messages == [
        "Thursday: 09:00–12:00 and 10:00–11:00 overlap: change one or remove it."]
    assert week(bare) == {0: [("09:00", "12:00")]}
    assert Availability.objects.get(coach=bare).version == version


def test_copying_a_day_replaces_the_targets_ranges(bare):
    save(bare, {0: [("09:00", "12:00"), ("14:00", "16:00")], 4: [("08:00", "10:00")]})
    hours.weekly_days_copy(coach=bare, source=0, targets=[0, 2, 4], today=TODAY, now=NOW)
    expected = [("09:00", "12:00"), ("14:00", "16:00")]
    assert week(bare) == {0: expected, 2: expected, 4: expected}


def test_copying_to_no_other_day_is_refused(bare):
    with pytest.raises(ValidationError):
        hours.weekly_days_copy(coach=bare, source=0, targets=[0], today=TODAY, now=NOW)


def test_one_more_weekly_range_must_not_overlap_that_days_ranges(coach):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        hours.weekly_range_add(coach=coach, weekday=2, start=t("11:00"), end=t("15:00"),
                               today=TODAY, now=NOW)
    assert "Wednesday" in refused.value.messages[0]
    added = hours.weekly_range_add(coach=coach, weekday=2, start=t("12:00"), end=t("14:00"),
                                   today=TODAY, now=NOW)
    assert added.start.astimezone(PARIS).time() == t("12:00")


def test_a_date_unavailable_all_day_has_no_slot_and_other_days_keep_theirs(coach):
    SessionTypeFactory(coach=coach, notice=timedelta(0))
    overrides.overrides_set(coach=coach, days=[MONDAY], hours=[])
    assert local_starts(coach, MONDAY) == []
    assert local_starts(coach, MONDAY + timedelta(days=1))[0] == "09:00"
    assert overrides.overrides(coach=coach, now=NOW) == [overrides.Override(MONDAY, ())]


def test_a_date_with_other_hours_offers_exactly_those(coach):
    SessionTypeFactory(coach=coach, notice=timedelta(0))
    overrides.overrides_set(coach=coach, days=[MONDAY, date(2027, 3, 13)],
                        hours=[(t("07:00"), t("08:00")), (t("10:00"), t("11:00"))])
    expected = ["07:00", "07:30", "10:00", "10:30"]
    assert local_starts(coach, MONDAY) == expected
    assert local_starts(coach, date(2027, 3, 13)) == expected  # a Saturday: no weekly hours
    # A new override of the same date replaces the old one; removing it restores the week.
    overrides.overrides_set(coach=coach, days=[MONDAY], hours=[])
    assert local_starts(coach, MONDAY) == []
    assert overrides.override_remove(coach=coach, day=MONDAY) > 0
    assert local_starts(coach, MONDAY)[:2] == ["09:00", "09:30"]


def test_an_override_inside_time_off_is_refused_and_changes_nothing(coach):
    hours.time_off_create(coach=coach, start=datetime(2027, 3, 8, tzinfo=PARIS),
                          end=datetime(2027, 3, 13, tzinfo=PARIS))
    before = Event.objects.count()
    with pytest.raises(ValidationError):
        overrides.overrides_set(coach=coach, days=[MONDAY], hours=[(t("10:00"), t("11:00"))])
    assert Event.objects.count() == before


def test_overlapping_time_off_is_refused_but_touching_is_fine(coach):
    first = hours.time_off_interval(zone=PARIS, first_day=MONDAY, last_day=date(2027, 3, 12))
    hours.time_off_create(coach=coach, start=first.start, end=first.end)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        hours.time_off_create(coach=coach, start=datetime(2027, 3, 12, 14, tzinfo=PARIS),
                              end=datetime(2027, 3, 15, tzinfo=PARIS))
    assert "overlaps your time off" in refused.value.messages[0]
    hours.time_off_create(coach=coach, start=first.end, end=first.end + timedelta(days=1))


def test_time_off_in_seconds_or_inverted_is_refused(coach):
    start = datetime(2027, 3, 8, 9, tzinfo=PARIS)
    with pytest.raises(ValidationError):
        hours.time_off_create(coach=coach, start=start + timedelta(seconds=30),
                              end=start + timedelta(hours=1))
    with pytest.raises(ValidationError):
        hours.time_off_create(coach=coach, start=start, end=start - timedelta(hours=1))
    assert hours.one_off_events(coach=coach, kind="time_off", now=NOW) == []


def test_overlapping_extra_hours_are_refused(bare):
    start = datetime(2027, 3, 13, 10, tzinfo=PARIS)
    hours.extra_create(coach=bare, start=start, end=start + timedelta(hours=2))
    with pytest.raises(ValidationError):
        hours.extra_create(coach=bare, start=start + timedelta(hours=1),
                           end=start + timedelta(hours=3))
    assert local_starts(bare, date(2027, 3, 13)) == ["10:00", "10:30", "11:00", "11:30"]


def test_time_off_interval_reads_her_wall_clock():
    whole = hours.time_off_interval(zone=PARIS, first_day=MONDAY)
    assert (whole.start, whole.end) == (datetime(2027, 3, 8, tzinfo=PARIS),
                                        datetime(2027, 3, 9, tzinfo=PARIS))
    afternoon = hours.time_off_interval(zone=PARIS, first_day=MONDAY, start=t("14:00"),
                                        end=t("18:00"))
    assert afternoon.end - afternoon.start == timedelta(hours=4)


def test_a_coach_reaches_only_her_own_events(coach):
    other = CoachFactory(slug="other")
    add_weekday_windows(other)
    theirs = hours.weekly_ranges(coach=other, now=NOW)[0][0].id
    assert hours.coach_event(coach=coach, kind="weekly", pk=theirs) is None
    assert hours.coach_event(coach=other, kind="weekly", pk=theirs) is not None
    assert hours.coach_event(coach=other, kind="extra", pk=theirs) is None
