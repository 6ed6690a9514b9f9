"""A coach who moves to another zone chooses what her weekly hours do: keep their wall-clock
times, or keep their instants. One-off windows and time off are instants and never move."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from availability.selectors import windows_for
from availability.services import (
    ZONE_CHOICE_NEEDED,
    coach_settings_save,
    coach_zone_change,
    extra_window_add,
    time_off_add,
    weekly_window_add,
)
from availability.zone_move import INSTANTS, WALL
from tests.factories import CoachFactory

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2027, 1, 12, 7, tzinfo=UTC)  # Tuesday 08:00 in Paris

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def paris_coach(weekday: int = 1, start: time = time(9), end: time = time(12)):
    coach = CoachFactory(timezone="Europe/Paris")
    weekly_window_add(coach=coach, weekday=weekday, start=start, end=end,
                      first_day=date(2026, 6, 1))  # first occurrence in summer time
    return coach


def shown(coach, day: date, zone: ZoneInfo) -> list[str]:
    """The open windows of `day` (a date in `zone`) as wall times of `zone`."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    opened, _closed = windows_for(coach=coach, start=start.astimezone(UTC),
                                  end=(start + timedelta(days=1)).astimezone(UTC))
    return [f"{w.start.astimezone(zone):%a %H:%M}–{w.end.astimezone(zone):%H:%M}"
            for w in opened]


@pytest.mark.parametrize("day", [date(2027, 1, 19), date(2027, 3, 16), date(2027, 7, 13),
                                 date(2027, 11, 2)])
def test_wall_clock_choice_keeps_nine_oclock_in_the_new_zone_all_year(day):
    coach = paris_coach()
    coach_zone_change(coach=coach, zone=NEW_YORK, keep=WALL)
    coach.refresh_from_db()
    assert str(coach.timezone) == "America/New_York"
    assert shown(coach, day, NEW_YORK) == ["Tue 09:00–12:00"]


@pytest.mark.parametrize(("day", "expected"), [
    (date(2027, 1, 19), "Tue 03:00–06:00"),  # both zones in winter time
    (date(2027, 7, 13), "Tue 03:00–06:00"),  # both in summer time
])
def test_same_instants_choice_keeps_the_moments(day, expected):
    coach = paris_coach()
    before = shown(coach, day, UTC)
    coach_zone_change(coach=coach, zone=NEW_YORK, keep=INSTANTS)
    assert shown(coach, day, NEW_YORK) == [expected]
    assert shown(coach, day, UTC) == before


def test_same_instants_may_move_a_window_to_another_weekday():
    coach = paris_coach(weekday=0, start=time(20), end=time(22))  # Monday evening in Paris
    coach_zone_change(coach=coach, zone=TOKYO, keep=INSTANTS)
    assert shown(coach, date(2027, 1, 19), TOKYO) == ["Tue 04:00–06:00"]
    assert shown(coach, date(2027, 1, 18), TOKYO) == []


def test_one_off_windows_and_time_off_stay_at_their_instants():
    coach = paris_coach()
    extra = extra_window_add(coach=coach, start=datetime(2027, 1, 23, 9, tzinfo=UTC),
                             end=datetime(2027, 1, 23, 11, tzinfo=UTC))
    time_off_add(coach=coach, start=datetime(2027, 1, 26, 0, tzinfo=UTC),
                 end=datetime(2027, 1, 27, 0, tzinfo=UTC))
    coach_zone_change(coach=coach, zone=NEW_YORK, keep=WALL)
    opened, closed = windows_for(coach=coach, start=datetime(2027, 1, 20, tzinfo=UTC),
                                 end=datetime(2027, 1, 28, tzinfo=UTC))
    assert (extra.start, extra.end) in [(w.start, w.end) for w in opened]
    assert [(c.start, c.end) for c in closed] == [(datetime(2027, 1, 26, tzinfo=UTC),
                                                   datetime(2027, 1, 27, tzinfo=UTC))]


def test_a_zone_change_without_a_choice_changes_nothing():
    coach = paris_coach()
    with pytest.raises(ValidationError) as refused:
        coach_settings_save(coach=coach, changes={}, zone=NEW_YORK, zone_keep="")
    assert refused.value.message_dict == {"zone_hours": [str(ZONE_CHOICE_NEEDED)]}
    coach.refresh_from_db()
    assert str(coach.timezone) == "Europe/Paris"
    assert shown(coach, date(2027, 1, 19), PARIS) == ["Tue 09:00–12:00"]


def test_a_refused_profile_undoes_the_zone_change_too():
    coach = paris_coach()
    with pytest.raises(ValidationError):
        coach_settings_save(coach=coach, changes={"website": "javascript:alert(1)"},
                            zone=NEW_YORK, zone_keep=WALL)
    assert str(coach.timezone) == "Europe/Paris"
    coach.refresh_from_db()
    assert str(coach.timezone) == "Europe/Paris"
    assert shown(coach, date(2027, 1, 19), PARIS) == ["Tue 09:00–12:00"]


def test_keeping_the_same_zone_needs_no_choice_and_moves_nothing():
    coach = paris_coach()
    coach_settings_save(coach=coach, changes={"display_name": "Claire"}, zone=PARIS,
                        zone_keep="")
    assert shown(coach, date(2027, 1, 19), PARIS) == ["Tue 09:00–12:00"]


def test_same_instants_are_taken_from_the_next_occurrence_not_the_first():
    coach = CoachFactory(timezone="Europe/Paris")
    # First occurrence on 2026-03-17: New York had changed its clocks, Paris not yet, so
    # 09:00 in Paris was 04:00 in New York that week; from now on it is 03:00.
    weekly_window_add(coach=coach, weekday=1, start=time(9), end=time(12),
                      first_day=date(2026, 3, 16))
    coach_zone_change(coach=coach, zone=NEW_YORK, keep=INSTANTS)
    assert shown(coach, date(2027, 1, 19), NEW_YORK) == ["Tue 03:00–06:00"]
