"""The admin takes days and wall-clock times in the coach's zone, not the server's UTC."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse
from schedule.models import Event

from accounts.models import Coach, User
from availability.models import Availability, SessionType
from availability.services import weekly_window_add
from tests.factories import CoachFactory, SessionTypeFactory, UserFactory

pytestmark = pytest.mark.django_db

EMPTY_FORM = {name: "" for name in (
    "weekly_weekday", "weekly_start", "weekly_end", "weekly_first_day", "weekly_last_day",
    "off_first_day", "off_start", "off_last_day", "off_end",
    "extra_day", "extra_start", "extra_end")}


@pytest.fixture
def staff(client):
    client.force_login(User.objects.create_superuser("admin@example.com", "pw"))
    return client


@pytest.fixture
def new_york_coach():
    return CoachFactory(timezone="America/New_York", display_name="Ada")


def change_url(coach) -> str:
    return reverse("admin:availability_availability_change", args=[coach.availability.pk])


def post(client, coach, **fields):
    return client.post(change_url(coach), EMPTY_FORM | fields)


def events(coach, calendar: str) -> list[Event]:
    calendar_id = getattr(Availability.objects.get(coach=coach), f"{calendar}_id")
    return list(Event.objects.filter(calendar_id=calendar_id).order_by("pk"))


def test_a_weekly_window_typed_as_09_00_opens_at_09_00_in_the_coachs_zone(staff,
                                                                          new_york_coach):
    response = post(staff, new_york_coach, weekly_weekday="1", weekly_start="09:00",
                    weekly_end="12:00", weekly_first_day="2027-03-01")

    assert response.status_code == 302
    [event] = events(new_york_coach, "windows")
    assert event.rule.frequency == "WEEKLY"
    assert (event.start, event.end) == (datetime(2027, 3, 2, 14, tzinfo=UTC),
                                        datetime(2027, 3, 2, 17, tzinfo=UTC))


def test_a_weekly_window_can_have_a_last_day(staff, new_york_coach):
    post(staff, new_york_coach, weekly_weekday="0", weekly_start="09:00", weekly_end="12:00",
         weekly_first_day="2027-03-01", weekly_last_day="2027-06-28")

    [event] = events(new_york_coach, "windows")
    assert event.end_recurring_period.date() == date(2027, 6, 29)  # 23:59 EDT is 03:59 UTC


def test_a_fortnight_of_holidays_covers_whole_local_days(staff, new_york_coach):
    response = post(staff, new_york_coach, off_first_day="2027-08-02",
                    off_last_day="2027-08-13")

    assert response.status_code == 302
    [event] = events(new_york_coach, "time_off")
    assert (event.start, event.end) == (datetime(2027, 8, 2, 4, tzinfo=UTC),
                                        datetime(2027, 8, 14, 4, tzinfo=UTC))


def test_one_afternoon_off(staff, new_york_coach):
    post(staff, new_york_coach, off_first_day="2027-12-01", off_start="14:00",
         off_end="18:00")

    [event] = events(new_york_coach, "time_off")
    assert (event.start, event.end) == (datetime(2027, 12, 1, 19, tzinfo=UTC),
                                        datetime(2027, 12, 1, 23, tzinfo=UTC))


def test_an_extra_window(staff, new_york_coach):
    post(staff, new_york_coach, extra_day="2027-07-03", extra_start="10:00",
         extra_end="11:30")

    [event] = events(new_york_coach, "windows")
    assert event.rule is None
    assert (event.start, event.end) == (datetime(2027, 7, 3, 14, tzinfo=UTC),
                                        datetime(2027, 7, 3, 15, 30, tzinfo=UTC))


def test_the_page_lists_windows_in_local_time_and_removes_the_ticked_ones(staff,
                                                                          new_york_coach):
    kept = weekly_window_add(coach=new_york_coach, weekday=0, start=time(9), end=time(12),
                             first_day=date(2027, 3, 1))
    gone = weekly_window_add(coach=new_york_coach, weekday=2, start=time(14), end=time(18),
                             first_day=date(2027, 3, 1))

    page = staff.get(change_url(new_york_coach))
    assert page.status_code == 200
    assert "09:00–12:00" in page.content.decode() and "14:00–18:00" in page.content.decode()

    response = post(staff, new_york_coach, remove=[str(gone.pk)])

    assert response.status_code == 302
    assert events(new_york_coach, "windows") == [kept]


@pytest.mark.parametrize("fields", [
    {"weekly_weekday": "1", "weekly_start": "12:00", "weekly_end": "09:00"},
    {"weekly_weekday": "1", "weekly_start": "09:00"},
    {"weekly_weekday": "9", "weekly_start": "09:00", "weekly_end": "12:00"},
    {"weekly_weekday": "1", "weekly_start": "09:00", "weekly_end": "12:00",
     "weekly_first_day": "2027-03-10", "weekly_last_day": "2027-03-01"},
    {"off_first_day": "2027-08-10", "off_last_day": "2027-08-02"},
    {"off_first_day": "2027-08-10", "off_start": "18:00", "off_end": "14:00"},
    {"off_start": "14:00"},
    {"extra_day": "2027-07-03", "extra_start": "11:00", "extra_end": "10:00"},
    {"extra_day": "not a date", "extra_start": "10:00", "extra_end": "11:00"},
    {"weekly_weekday": "1", "weekly_start": "25:00", "weekly_end": "26:00"},
])
def test_nonsense_is_refused_with_a_message_and_nothing_changes(staff, new_york_coach, fields):
    response = post(staff, new_york_coach, **fields)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Event.objects.exists()


def test_adding_an_availability_creates_the_calendars_and_the_window(staff):
    coach = Coach.objects.create(user=UserFactory(), slug="new", display_name="New",
                                 timezone="Asia/Kolkata")

    response = staff.post(reverse("admin:availability_availability_add"),
                          EMPTY_FORM | {"coach": coach.pk, "extra_day": "2027-07-03",
                                        "extra_start": "10:00", "extra_end": "11:00"})

    assert response.status_code == 302
    [event] = events(coach, "windows")
    assert event.start == datetime(2027, 7, 3, 4, 30, tzinfo=UTC)


def test_a_second_availability_for_a_coach_is_refused(staff, new_york_coach):
    response = staff.post(reverse("admin:availability_availability_add"),
                          EMPTY_FORM | {"coach": new_york_coach.pk})

    assert response.status_code == 200
    assert Availability.objects.filter(coach=new_york_coach).count() == 1


def test_session_types_are_listed_by_coach_with_their_rules(staff):
    ada, bea = CoachFactory(display_name="Ada"), CoachFactory(display_name="Bea")
    SessionTypeFactory(coach=ada, name="Ada's discovery")
    SessionTypeFactory(coach=bea, name="Bea's discovery", daily_cap=4)
    url = reverse("admin:availability_sessiontype_changelist")

    everyone = staff.get(url)
    only_bea = staff.get(url, {"coach__id__exact": bea.pk})

    assert everyone.status_code == 200
    assert "Ada&#x27;s discovery" in everyone.content.decode()
    assert "Bea&#x27;s discovery" in only_bea.content.decode()
    assert "Ada&#x27;s discovery" not in only_bea.content.decode()


def test_a_session_type_is_created_with_every_rule(staff, new_york_coach):
    response = staff.post(reverse("admin:availability_sessiontype_add"), {
        "coach": new_york_coach.pk, "name": "Deep dive", "slug": "deep-dive",
        "description": "", "is_active": "on", "position": "1",
        "duration": "01:00:00", "step": "00:30:00", "notice": "1 00:00:00",
        "horizon": "30 00:00:00", "buffer_before": "00:10:00", "buffer_after": "00:15:00",
        "daily_cap": "3", "limit_policy": "unlimited", "limit_period_days": "",
        "max_future_bookings": "2", "cancel_cutoff": "12:00:00", "reminder_minutes": "[60]",
    })

    assert response.status_code == 302, response.context["adminform"].form.errors
    created = SessionType.objects.get(slug="deep-dive")
    assert (created.duration, created.step, created.notice, created.horizon) == (
        timedelta(hours=1), timedelta(minutes=30), timedelta(days=1), timedelta(days=30))
    assert (created.buffer_before, created.buffer_after, created.daily_cap) == (
        timedelta(minutes=10), timedelta(minutes=15), 3)


def test_a_session_type_with_a_zero_duration_is_refused(staff, new_york_coach):
    response = staff.post(reverse("admin:availability_sessiontype_add"), {
        "coach": new_york_coach.pk, "name": "Nothing", "slug": "nothing", "position": "0",
        "duration": "00:00:00", "step": "00:30:00", "notice": "0", "horizon": "30 00:00:00",
        "buffer_before": "0", "buffer_after": "0", "limit_policy": "once",
        "cancel_cutoff": "0", "reminder_minutes": "[]",
    })

    assert response.status_code == 200
    assert not SessionType.objects.filter(slug="nothing").exists()


def test_the_availability_pages_open(staff, new_york_coach):
    assert staff.get(reverse("admin:availability_availability_changelist")).status_code == 200
    assert staff.get(reverse("admin:availability_availability_add")).status_code == 200
    page = staff.get(change_url(new_york_coach)).content.decode()
    assert "America/New_York" in page
