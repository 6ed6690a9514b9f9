"""Imported calendars block exactly their busy slots; a failed refresh keeps the last good ones."""

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from availability import calendar_fetch
from availability.models import BusyInterval, ExternalCalendar
from availability.services import (
    BAD_CALENDAR_URL,
    MAX_CALENDARS_PER_COACH,
    external_calendar_add,
    external_calendar_refresh,
    external_calendar_remove,
)
from availability.tasks import refresh_external_calendar
from booking.selectors import free_slots_for
from tests.availability.calendar_server import CalendarServer
from tests.factories import CoachFactory, SessionTypeFactory, add_weekday_windows

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


@pytest.fixture
def server(settings):
    settings.BUSY_CALENDARS_ALLOW_LOOPBACK = True
    with CalendarServer() as running:
        yield running


def demo_type():
    """Mon–Fri 09:00–12:00 and 14:00–18:00 Paris; 30-minute sessions, 60-day horizon."""
    coach = CoachFactory(language="en")
    add_weekday_windows(coach)
    return SessionTypeFactory(coach=coach)


def day_slots(session_type, day: date) -> set[str]:
    start = datetime.combine(day, time(0), tzinfo=PARIS)
    slots = free_slots_for(session_type=session_type, start=start.astimezone(UTC),
                           end=(start + timedelta(days=1)).astimezone(UTC))
    return {f"{slot.start.astimezone(PARIS):%H:%M}" for slot in slots}


def refresh(calendar: ExternalCalendar) -> str:
    calendar.refresh_from_db()
    return refresh_external_calendar.call(calendar.pk, calendar.refresh_token)


def removed_by_import(session_type, url: str, days: list[date]) -> dict[date, set[str]]:
    before = {day: day_slots(session_type, day) for day in days}
    calendar = external_calendar_add(coach=session_type.coach, url=url, name="Perso")
    assert refresh(calendar) == "updated"
    return {day: before[day] - day_slots(session_type, day) for day in days}


def test_own_calendar_removes_exactly_its_busy_slots_across_the_dst_change(server):
    with time_machine.travel(datetime(2027, 3, 22, 6, tzinfo=UTC), tick=False):
        session_type = demo_type()
        days = [date(2027, 3, d) for d in (23, 24, 25, 26, 29, 30)] + \
            [date(2027, 4, d) for d in (6, 7, 13, 20)]
        removed = removed_by_import(session_type, server.serve("/p.ics", "weekly_series.ics"),
                                    days)
    assert removed == {
        date(2027, 3, 23): {"10:00", "10:30"},
        date(2027, 3, 24): set(),
        date(2027, 3, 25): {"09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
                            "14:00", "14:30", "15:00", "15:30", "16:00", "16:30",
                            "17:00", "17:30"},  # the all-day event
        date(2027, 3, 26): set(),  # transparent and cancelled events
        date(2027, 3, 29): {"16:00", "16:30"},  # floating, read in Paris after the change
        date(2027, 3, 30): set(),  # EXDATE
        date(2027, 4, 6): set(),  # moved away…
        date(2027, 4, 7): {"15:00", "15:30"},  # …to here
        date(2027, 4, 13): set(),  # cancelled occurrence
        date(2027, 4, 20): {"10:00", "10:30"},  # still 10:00 local in summer time
    }


def test_google_calendar_blocks_its_weekday_series_on_both_sides_of_the_change(server):
    with time_machine.travel(datetime(2027, 3, 24, 6, tzinfo=UTC), tick=False):
        session_type = demo_type()
        days = [date(2027, 3, d) for d in (25, 26, 27, 28, 29, 30)]
        removed = removed_by_import(
            session_type, server.serve("/g.ics", "google_weekdays_zurich.ics"), days)
    weekday = {"14:00"}
    assert removed == {date(2027, 3, 25): weekday, date(2027, 3, 26): weekday,
                       date(2027, 3, 27): set(), date(2027, 3, 28): set(),
                       date(2027, 3, 29): weekday, date(2027, 3, 30): weekday}


def test_google_x_wr_timezone_series_stays_at_ten_after_the_change(server):
    with time_machine.travel(datetime(2027, 3, 22, 6, tzinfo=UTC), tick=False):
        session_type = demo_type()
        days = [date(2027, 3, 24), date(2027, 3, 31)]
        removed = removed_by_import(session_type, server.serve("/x.ics", "xwr_utc.ics"), days)
    assert removed == {date(2027, 3, 24): {"10:00", "10:30"},
                       date(2027, 3, 31): {"10:00", "10:30"}}


def test_exchange_calendar_blocks_its_daily_standup(server):
    with time_machine.travel(datetime(2015, 7, 6, 6, tzinfo=UTC), tick=False):
        session_type = demo_type()
        days = [date(2015, 7, 7), date(2015, 7, 22), date(2015, 7, 23)]
        removed = removed_by_import(
            session_type, server.serve("/e.ics", "exchange_daily_standup.ics"), days)
    assert removed == {date(2015, 7, 7): {"10:00"}, date(2015, 7, 22): {"10:00"},
                       date(2015, 7, 23): set()}


def test_thunderbird_event_in_london_time_blocks_paris_afternoon(server):
    with time_machine.travel(datetime(2024, 10, 21, 6, tzinfo=UTC), tick=False):
        session_type = demo_type()
        days = [date(2024, 10, 23)]
        removed = removed_by_import(
            session_type, server.serve("/t.ics", "thunderbird_london.ics"), days)
    assert removed == {date(2024, 10, 23): {"16:00", "16:30"}}


NOW = datetime(2027, 3, 22, 6, tzinfo=UTC)


@pytest.fixture
def imported(server):
    """A coach whose calendar was imported once, with the clock at NOW."""
    with time_machine.travel(NOW, tick=False) as traveller:
        session_type = demo_type()
        url = server.serve("/p.ics", "weekly_series.ics", etag='"v1"')
        calendar = external_calendar_add(coach=session_type.coach, url=url, name="Perso")
        assert refresh(calendar) == "updated"
        calendar.refresh_from_db()
        yield calendar, traveller


def busy_rows(calendar) -> list:
    return list(BusyInterval.objects.filter(source=calendar).order_by("start")
                .values_list("start", "end"))


def test_unchanged_calendar_is_a_304_and_keeps_its_busy_times(imported, server):
    calendar, traveller = imported
    rows = busy_rows(calendar)
    assert calendar.busy_count == len(rows) == 5 and calendar.last_error == ""
    traveller.shift(timedelta(minutes=15))
    assert refresh(calendar) == "unchanged"
    assert server.count("/p.ics") == 2
    assert server.requests[-1][1]["If-None-Match"] == '"v1"'
    calendar.refresh_from_db()
    assert calendar.last_synced_at == NOW + timedelta(minutes=15)
    assert busy_rows(calendar) == rows


def test_a_304_is_not_asked_for_once_the_stored_times_no_longer_cover_the_horizon(imported,
                                                                                  server):
    calendar, traveller = imported
    traveller.shift(timedelta(days=8))  # past the 7-day margin beyond the horizon
    assert refresh(calendar) == "updated"
    assert "If-None-Match" not in server.requests[-1][1]


@pytest.mark.parametrize(("route", "code"), [
    ({"status": 404, "body": b"gone"}, "http_error"),
    ({"status": 503, "body": b"down"}, "http_error"),
    ({"body": b"<html>login</html>"}, "not_icalendar"),
    ({"body": b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:nonsense\r\n"}, "unreadable"),
    ({"body": b"BEGIN:VCALENDAR\r\n" + b"X" * (5 * 1024 * 1024 + 1)}, "too_big"),
])
def test_a_failed_refresh_keeps_the_last_good_busy_times_and_records_why(imported, server,
                                                                         route, code):
    calendar, traveller = imported
    rows = busy_rows(calendar)
    server.serve("/p.ics", **route)
    traveller.shift(timedelta(days=8))
    assert refresh(calendar) == code
    calendar.refresh_from_db()
    assert busy_rows(calendar) == rows and calendar.busy_count == 5
    assert calendar.last_error_code == code and calendar.last_error
    assert calendar.last_attempt_at == NOW + timedelta(days=8)
    assert calendar.last_synced_at == NOW


def test_a_timeout_is_recorded_in_the_coach_language(imported, server, monkeypatch):
    calendar, traveller = imported
    monkeypatch.setattr(calendar_fetch, "TIMEOUT", 0.2)
    server.serve("/p.ics", "weekly_series.ics", stall=threading.Event())
    traveller.shift(timedelta(days=8))
    assert refresh(calendar) == "timeout"
    calendar.refresh_from_db()
    assert calendar.last_error == "The server took too long to answer."
    assert calendar.busy_count == 5
    calendar.coach.language = "fr"
    calendar.coach.save()
    assert refresh(calendar) == "timeout"
    calendar.refresh_from_db()
    assert calendar.last_error == "Le serveur a mis trop de temps à répondre."


def test_a_refused_address_is_recorded_not_fetched(imported, settings):
    calendar, _traveller = imported
    settings.BUSY_CALENDARS_ALLOW_LOOPBACK = False
    assert refresh(calendar) == "refused_address"
    calendar.refresh_from_db()
    assert calendar.busy_count == 5 and calendar.last_error_code == "refused_address"


def test_success_after_a_failure_clears_the_error(imported, server):
    calendar, traveller = imported
    server.serve("/p.ics", status=500, body=b"")
    traveller.shift(timedelta(days=8))
    refresh(calendar)
    server.serve("/p.ics", "google_weekdays_zurich.ics")
    assert refresh(calendar) == "updated"
    calendar.refresh_from_db()
    assert (calendar.last_error, calendar.last_error_code) == ("", "")
    assert calendar.busy_count > 5


def test_removing_a_calendar_frees_its_slots(imported):
    calendar, _traveller = imported
    session_type = calendar.coach.session_types.get()
    assert "10:00" not in day_slots(session_type, date(2027, 3, 23))
    external_calendar_remove(calendar=calendar)
    assert not BusyInterval.objects.exists()
    assert "10:00" in day_slots(session_type, date(2027, 3, 23))


def test_add_validates_the_url_and_reads_webcal_as_https(db):
    coach = CoachFactory()
    calendar = external_calendar_add(coach=coach, url="webcal://p01.icloud.com/a/b.ics",
                                     name="")
    assert calendar.url == "https://p01.icloud.com/a/b.ics"
    assert calendar.name == "p01.icloud.com"
    for url in ["ftp://example.org/a.ics", "not a url", "javascript:alert(1)", ""]:
        with pytest.raises(ValidationError) as caught:
            external_calendar_add(coach=coach, url=url, name="x")
        assert caught.value.message_dict == {"url": [str(BAD_CALENDAR_URL)]}


def test_a_coach_has_a_bounded_number_of_calendars(db):
    coach = CoachFactory()
    for n in range(MAX_CALENDARS_PER_COACH):
        external_calendar_add(coach=coach, url=f"https://example.org/{n}.ics", name="")
    with pytest.raises(ValidationError):
        external_calendar_add(coach=coach, url="https://example.org/more.ics", name="")


def test_on_demand_refresh_of_a_removed_calendar_does_nothing(db):
    calendar = external_calendar_add(coach=CoachFactory(), url="https://example.org/a.ics")
    ExternalCalendar.objects.filter(pk=calendar.pk).delete()
    external_calendar_refresh(calendar=calendar)
    assert refresh_external_calendar.call(calendar.pk, calendar.refresh_token) == "gone"
