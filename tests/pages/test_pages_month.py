"""The picker's month view: a Monday-first grid in the visitor's zone, a day's times below it."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from tests.factories import BookingFactory, SessionTypeFactory
from tests.support.html import fr, iso, shown_zone, slot_times

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)  # Monday 09:00 in Paris; 12 h notice → Tuesday
TUESDAY_9 = datetime(2027, 3, 2, 9, tzinfo=PARIS)  # 08:00 UTC, 03:00 in New York
PICKER = "/demo/discovery/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def free_label(day: str, count: int) -> str:
    """A highlighted day's accessible name, in French as the page gives it."""
    with translation.override("fr"):
        return translation.ngettext("%(day)s: %(count)s free time",
                                    "%(day)s: %(count)s free times", count) % {
            "day": day, "count": count}


def month_page(client, params: dict | None = None) -> str:
    return client.get(PICKER, {"view": "month"} | (params or {})).content.decode()


def free_days(html: str) -> dict[int, str]:
    """Day number → aria-label of every highlighted (linked) day of the grid."""
    return {int(number): label for label, number in re.findall(
        r'<a class="month__day month__day--free[^"]*"[^>]*aria-label="([^"]+)"[^>]*>(\d+)</a>',
        html)}


def greyed_days(html: str) -> list[int]:
    return [int(n) for n in re.findall(
        r'<span class="month__day month__day--off[^"]*"><span aria-hidden="true">(\d+)</span>',
        html)]


def day_link(html: str, day: int) -> str:
    return re.search(rf'<a class="month__day month__day--free[^"]*" href="([^"]+)"[^>]*>{day}</a>',
                     html).group(1).replace("&amp;", "&")


def local_days(html: str, zone: ZoneInfo) -> set:
    return {datetime.fromisoformat(start).astimezone(zone).date() for start, _ in slot_times(html)}


class TestMonthGrid:
    def test_grid_has_monday_first_columns_named_for_screen_readers(self, client, session_type):
        html = month_page(client, {"month": "2027-03"})
        headers = re.findall(r'<th scope="col"><span aria-hidden="true">([^<]+)</span>'
                             r'<span class="visually-hidden">([^<]+)</span></th>', html)
        assert [full for _, full in headers] == [
            "Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]
        assert '<h3 class="week-nav__title" id="month-title" tabindex="-1">Mars 2027</h3>' in html
        # 1 March 2027 is a Monday: the grid starts without padding and ends with four blanks.
        assert re.search(r"<tr><td><span class=\"month__day month__day--off\">"
                         r"<span aria-hidden=\"true\">1</span>", html)
        assert html.count("<td></td>") == 4

    def test_days_with_free_times_are_links_named_by_date_and_others_are_greyed(
            self, client, session_type):
        html = month_page(client, {"month": "2027-03"})
        free = free_days(html)
        assert sorted(free)[:4] == [2, 3, 4, 5]  # today (1st) is within the 12 h notice
        assert free[2] == free_label("Mardi 2 mars 2027", 14)
        assert {1, 6, 7, 13, 14, 27, 28} <= set(greyed_days(html))
        assert not {6, 7} & set(free)
        assert fr("%(day)s: no free times") % {"day": "Samedi 6 mars 2027"} in html

    def test_a_full_day_is_greyed_and_a_partly_booked_day_counts_what_is_left(
            self, client, session_type):
        for n, hour in enumerate((9, 10, 11, 14, 15, 16, 17)):
            for minutes in (0, 30):
                BookingFactory(session_type=session_type,
                               start=TUESDAY_9.replace(day=3, hour=hour, minute=minutes),
                               invitee_email=f"p{n}{minutes}@example.org")
        BookingFactory(session_type=session_type, start=TUESDAY_9, invitee_email="solo@example.org")
        html = month_page(client, {"month": "2027-03"})
        assert 3 in greyed_days(html) and 3 not in free_days(html)
        assert free_days(html)[2] == free_label("Mardi 2 mars 2027", 13)

    def test_columns_follow_the_visitors_zone(self, client, session_type):
        # Paris Friday 16:00–18:00 is Saturday 00:00–02:00 in Tokyo.
        html = month_page(client, {"month": "2027-03", "day": "2027-03-06",
                                  "tz": "Asia/Tokyo"})
        assert shown_zone(html) == "Asia/Tokyo"
        assert 6 in free_days(html) and 7 not in free_days(html)
        times = slot_times(html)
        assert [text for _, text in times] == ["00:00", "00:30", "01:00", "01:30"]
        assert local_days(html, TOKYO) == {datetime(2027, 3, 6).date()}


class TestChosenDay:
    def test_without_day_the_first_free_day_is_chosen_and_its_times_listed(
            self, client, session_type):
        html = month_page(client, {"month": "2027-03"})
        assert slot_times(html)[0] == (iso(TUESDAY_9), "09:00")
        assert local_days(html, PARIS) == {TUESDAY_9.date()}
        assert 'id="day-times-title" tabindex="-1">Mardi 2 mars</h4>' in html
        assert re.search(r'aria-label="Mardi 2 mars 2027[^"]*" aria-current="true">2</a>', html)

    def test_day_param_lists_that_days_times_in_the_visitors_zone(self, client, session_type):
        html = month_page(client, {"month": "2027-03", "day": "2027-03-09",
                                  "tz": "America/New_York"})
        times = slot_times(html)
        assert times[0] == (iso(TUESDAY_9 + timedelta(days=7)), "03:00")
        assert local_days(html, NEW_YORK) == {datetime(2027, 3, 9).date()}
        assert re.search(r'aria-current="true">9</a>', html)
        assert 'href="/demo/discovery/book/?start=2027-03-09T08:00:00Z&amp;tz=America/New_York"' \
            in html

    def test_day_alone_picks_its_month(self, client, session_type):
        html = month_page(client, {"day": "2027-04-06"})
        assert "Avril 2027" in html
        assert local_days(html, PARIS) == {datetime(2027, 4, 6).date()}

    def test_day_without_free_times_says_so(self, client, session_type):
        html = month_page(client, {"month": "2027-03", "day": "2027-03-06"})
        assert not slot_times(html)
        assert fr("No free times on this day.") in html
        assert 'id="day-times-title" tabindex="-1">Samedi 6 mars</h4>' in html

    def test_day_links_work_with_and_without_htmx(self, client, session_type):
        html = month_page(client, {"month": "2027-03"})
        link = f"{PICKER}?view=month&amp;month=2027-03&amp;day=2027-03-09&amp;tz=Europe/Paris"
        # Without JavaScript the page reloads and scrolls to the day's times.
        assert f'href="{link}#day-times" hx-get="{link}"' in html
        html = client.get(day_link(html, 9)).content.decode()
        assert local_days(html, PARIS) == {datetime(2027, 3, 9).date()}

    def test_htmx_day_request_gets_only_the_fragment(self, client, session_type):
        response = client.get(PICKER, {"view": "month", "month": "2027-03", "day": "2027-03-10"},
                              headers={"HX-Request": "true"})
        html = response.content.decode()
        assert html.startswith('<div id="slots"')
        assert "<html" not in html and "tz-select" not in html
        assert local_days(html, PARIS) == {datetime(2027, 3, 10).date()}


class TestMonthNavigation:
    def test_first_month_has_no_previous_and_links_to_the_next(self, client, session_type):
        html = month_page(client, {"month": "2027-03"})
        assert 'rel="prev"' not in html
        nxt = f"{PICKER}?view=month&amp;month=2027-04&amp;tz=Europe/Paris"
        assert f'rel="next" href="{nxt}" hx-get="{nxt}"' in html

    def test_last_bookable_month_has_no_next(self, client, session_type):
        # A 60-day horizon from 1 March ends on 30 April.
        html = month_page(client, {"month": "2027-04"})
        assert 'rel="next"' not in html
        prev = f"{PICKER}?view=month&amp;month=2027-03&amp;tz=Europe/Paris"
        assert f'rel="prev" href="{prev}"' in html
        assert max(free_days(html)) == 30

    def test_htmx_month_navigation_gets_only_the_fragment(self, client, session_type):
        response = client.get(PICKER, {"view": "month", "month": "2027-04"},
                              headers={"HX-Request": "true"})
        html = response.content.decode()
        assert html.startswith('<div id="slots"')
        assert "<html" not in html and "tz-select" not in html
        assert "Avril 2027" in html and 'data-view="month"' in html
        assert local_days(html, PARIS) == {datetime(2027, 4, 1).date()}
        assert "HX-Request" in response["Vary"]

    def test_month_without_free_times_points_to_the_next_free_day(self, client, coach):
        SessionTypeFactory(coach=coach, notice=timedelta(days=35))  # first free: Mon 5 April
        html = month_page(client, {"month": "2027-03"})
        assert not free_days(html) and not slot_times(html)
        assert fr("No free slots this month.") in html
        link = f"{PICKER}?view=month&amp;month=2027-04&amp;day=2027-04-05&amp;tz=Europe/Paris"
        assert f'href="{link}#day-times" hx-get="{link}"' in html

    def test_without_month_the_first_month_with_free_times_is_shown(self, client, coach):
        SessionTypeFactory(coach=coach, notice=timedelta(days=35))
        html = month_page(client)
        assert "Avril 2027" in html
        assert local_days(html, PARIS) == {datetime(2027, 4, 5).date()}

    def test_zone_form_keeps_the_month_and_day(self, client, session_type):
        html = month_page(client, {"month": "2027-03", "day": "2027-03-09"})
        for name, value in (("view", "month"), ("month", "2027-03"), ("day", "2027-03-09")):
            assert f'<input type="hidden" name="{name}" value="{value}" form="tz-form">' in html
        assert 'name="week"' not in html

    def test_in_english(self, client, session_type):
        client.post("/i18n/setlang/", {"language": "en", "next": PICKER})
        html = month_page(client, {"month": "2027-03"})
        assert "March 2027" in html and ">Monday</span>" in html
        assert free_days(html)[2] == "Tuesday 2 March 2027: 14 free times"
        assert slot_times(html)[0] == (iso(TUESDAY_9), "9:00 AM")


class TestViewSwitch:
    def test_week_page_offers_the_month_of_its_week(self, client, session_type):
        html = client.get(PICKER, {"week": "2027-04-05"}).content.decode()
        week = f"{PICKER}?week=2027-04-05&amp;tz=Europe/Paris"
        month = f"{PICKER}?view=month&amp;month=2027-04&amp;tz=Europe/Paris"
        assert f'href="{week}" hx-get="{week}" data-focus="week-title" aria-current="true"' in html
        assert f'href="{month}" hx-get="{month}" data-focus="month-title">' in html

    def test_month_page_offers_the_week_of_its_chosen_day(self, client, session_type):
        html = month_page(client, {"month": "2027-03", "day": "2027-03-10"})
        week = f"{PICKER}?week=2027-03-08&amp;tz=Europe/Paris"
        assert f'href="{week}" hx-get="{week}" data-focus="week-title">' in html
        assert 'data-focus="month-title" aria-current="true"' in html

    def test_switching_back_and_forth_without_javascript(self, client, session_type):
        week = client.get(PICKER, {"tz": "America/New_York"}).content.decode()
        month_url = re.search(r'href="([^"]+)"[^>]*data-focus="month-title">', week).group(1)
        month = client.get(month_url.replace("&amp;", "&")).content.decode()
        assert 'data-view="month"' in month and shown_zone(month) == "America/New_York"
        week_url = re.search(r'href="([^"]+)"[^>]*data-focus="week-title">', month).group(1)
        again = client.get(week_url.replace("&amp;", "&")).content.decode()
        assert 'data-view="week"' in again and slot_times(again) == slot_times(week)


class TestBadParams:
    @pytest.mark.parametrize("month", ["garbage", "2027-13", "2027-00", "0000-01", "2027-3",
                                       "2027-03-01", "x" * 500, "２０２７-０３", "-1"])
    def test_bad_month_falls_back_to_the_first_free_month_with_a_notice(
            self, client, session_type, month):
        response = client.get(PICKER, {"view": "month", "month": month})
        assert response.status_code == 200
        html = response.content.decode()
        assert fr("Unknown month; showing the first month with free slots.") in html
        assert "Mars 2027" in html and slot_times(html)

    @pytest.mark.parametrize(("month", "shown"), [("1999-01", "Mars 2027"),
                                                  ("9999-12", "Avril 2027"),
                                                  ("2027-05", "Avril 2027")])
    def test_month_out_of_range_shows_the_nearest_bookable_one(
            self, client, session_type, month, shown):
        html = month_page(client, {"month": month})
        assert fr("That month cannot be booked; showing the nearest one that can.") in html
        assert shown in html and slot_times(html)

    @pytest.mark.parametrize("day", ["2027-02-30", "nope", "2027-3-9", "9" * 300])
    def test_bad_day_is_named_in_a_notice(self, client, session_type, day):
        response = client.get(PICKER, {"view": "month", "month": "2027-03", "day": day})
        assert response.status_code == 200
        html = response.content.decode()
        assert fr("Unknown day; showing the first day with free slots.") in html
        assert local_days(html, PARIS) == {TUESDAY_9.date()}

    def test_day_outside_the_month_is_dropped_with_a_notice(self, client, session_type):
        html = month_page(client, {"month": "2027-03", "day": "2027-04-09"})
        assert fr("That day is not in the month shown.") in html
        assert local_days(html, PARIS) == {TUESDAY_9.date()}

    @pytest.mark.parametrize("view", ["year", "MONTH", "<script>", "x" * 300])
    def test_unknown_view_shows_the_week_with_a_notice(self, client, session_type, view):
        response = client.get(PICKER, {"view": view})
        assert response.status_code == 200
        html = response.content.decode()
        assert fr("Unknown view; showing the week.") in html
        assert 'id="week-title"' in html and "<script>" not in html.split("</head>")[1]

    def test_past_bookable_day_is_simply_without_times(self, client, session_type):
        with time_machine.travel(datetime(2027, 3, 17, 8, tzinfo=UTC), tick=False):
            html = month_page(client, {"month": "2027-03", "day": "2027-03-09"})
        assert not slot_times(html)
        assert 9 not in free_days(html) and 9 in greyed_days(html)
