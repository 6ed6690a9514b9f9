from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from schedule.models import Event

from availability.models import Availability
from availability.services import (
    END_BEFORE_START,
    availability_event_delete,
    availability_for_coach,
    extra_window_add_local,
    time_off_add,
    time_off_add_local,
    weekly_window_add,
)
from tests.factories import CoachFactory

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def test_a_weekly_window_is_a_weekly_event_at_the_coachs_local_time():
    coach = CoachFactory(timezone="America/New_York")

    event = weekly_window_add(coach=coach, weekday=1, start=time(9), end=time(12),
                              first_day=date(2027, 3, 1))

    assert event.rule.frequency == "WEEKLY" and event.rule.params == ""
    assert event.calendar_id == coach.availability.windows_id
    assert event.start == datetime(2027, 3, 2, 14, tzinfo=UTC)  # Tuesday 09:00 EST
    assert event.end == datetime(2027, 3, 2, 17, tzinfo=UTC)
    assert event.end_recurring_period is None


def test_a_weekly_window_can_stop_after_a_last_day():
    coach = CoachFactory(timezone="America/New_York")

    event = weekly_window_add(coach=coach, weekday=0, start=time(9), end=time(12),
                              first_day=date(2027, 3, 1), last_day=date(2027, 3, 29))

    assert event.end_recurring_period.astimezone(NEW_YORK).date() == date(2027, 3, 29)


def test_a_weekly_window_never_starts_its_rule_in_a_skipped_hour():
    # 02:30 does not exist on Sunday 14 March 2027 in New York: the rule starts a week later,
    # so every other Sunday keeps 02:30.
    coach = CoachFactory(timezone="America/New_York")

    event = weekly_window_add(coach=coach, weekday=6, start=time(2, 30), end=time(4),
                              first_day=date(2027, 3, 14))

    assert event.start.astimezone(NEW_YORK) == datetime(2027, 3, 21, 2, 30, tzinfo=NEW_YORK)


@pytest.mark.parametrize(("weekday", "start", "end"), [
    (0, time(12), time(9)), (0, time(9), time(9)), (7, time(9), time(12))])
def test_a_weekly_window_must_make_sense(weekday, start, end):
    coach = CoachFactory()

    with pytest.raises(ValidationError):
        weekly_window_add(coach=coach, weekday=weekday, start=start, end=end,
                          first_day=date(2027, 3, 1))

    assert not Event.objects.exists()


def test_a_weekly_window_cannot_end_before_it_begins():
    coach = CoachFactory()
    with pytest.raises(ValidationError) as error:
        weekly_window_add(coach=coach, weekday=0, start=time(9), end=time(12),
                          first_day=date(2027, 3, 10), last_day=date(2027, 3, 12))
    assert error.value.code == "last_before_first"


def test_time_off_without_times_covers_whole_local_days():
    coach = CoachFactory(timezone="America/New_York")

    event = time_off_add_local(coach=coach, first_day=date(2027, 3, 8),
                               last_day=date(2027, 3, 19))

    assert event.calendar_id == coach.availability.time_off_id
    assert event.start == datetime(2027, 3, 8, 5, tzinfo=UTC)   # midnight EST
    assert event.end == datetime(2027, 3, 20, 4, tzinfo=UTC)    # midnight EDT after the 19th


def test_time_off_for_one_afternoon():
    coach = CoachFactory(timezone="America/New_York")

    event = time_off_add_local(coach=coach, first_day=date(2027, 7, 1),
                               last_day=date(2027, 7, 1), start=time(14), end=time(18))

    assert (event.start, event.end) == (datetime(2027, 7, 1, 18, tzinfo=UTC),
                                        datetime(2027, 7, 1, 22, tzinfo=UTC))


def test_time_off_must_end_after_it_starts():
    coach = CoachFactory()
    moment = datetime(2027, 7, 1, 9, tzinfo=UTC)
    with pytest.raises(ValidationError) as error:
        time_off_add(coach=coach, start=moment, end=moment)
    assert error.value.messages == [str(END_BEFORE_START)]


def test_an_extra_window_is_a_one_off_event_at_local_time():
    coach = CoachFactory(timezone="America/New_York")

    event = extra_window_add_local(coach=coach, day=date(2027, 7, 3), start=time(10),
                                   end=time(11))

    assert event.rule is None and event.calendar_id == coach.availability.windows_id
    assert event.start == datetime(2027, 7, 3, 14, tzinfo=UTC)


def test_availability_is_created_once_per_coach():
    coach = CoachFactory()
    assert availability_for_coach(coach=coach) == availability_for_coach(coach=coach)
    assert Availability.objects.filter(coach=coach).count() == 1


def test_a_reused_slug_gets_calendars_of_its_own():
    first = CoachFactory(slug="claire")
    first_windows = first.availability.windows_id
    first.slug = "claire-old"
    first.save()

    second = CoachFactory(slug="claire")

    assert second.availability.windows_id != first_windows


def test_calendars_left_over_under_the_same_slug_are_not_adopted():
    coach = CoachFactory(slug="claire")
    left_over = coach.availability
    extra_window_add_local(coach=coach, day=date(2027, 7, 3), start=time(10), end=time(11))
    Availability.objects.filter(pk=left_over.pk).delete()  # the calendars stay behind

    fresh = availability_for_coach(coach=coach)

    assert fresh.windows_id != left_over.windows_id
    assert not Event.objects.filter(calendar_id=fresh.windows_id).exists()


def test_deleting_an_event_of_another_coach_does_nothing():
    coach, other = CoachFactory(), CoachFactory()
    theirs = extra_window_add_local(coach=other, day=date(2027, 7, 3), start=time(10),
                                    end=time(11))

    availability_event_delete(availability=coach.availability, event_id=theirs.pk)

    assert Event.objects.filter(pk=theirs.pk).exists()
    availability_event_delete(availability=other.availability, event_id=theirs.pk)
    assert not Event.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field, value", [("duration", timedelta(hours=9)),
                                          ("buffer_before", timedelta(hours=5)),
                                          ("buffer_after", timedelta(hours=5))])
def test_session_spans_are_bounded_so_slot_reads_can_skip_history(coach, field, value):
    from django.db import IntegrityError, transaction

    from availability.models import SessionType

    session_type = SessionType(coach=coach, name="Long", slug="long", **{field: value})
    with pytest.raises(ValidationError) as info:
        session_type.full_clean()
    assert field in info.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        session_type.save()
