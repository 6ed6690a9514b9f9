"""The picker in real Chromium: the browser's zone is detected and slots follow it."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.browser import listed_slots, show_next_week, wait_for_zone

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
FRENCH_DAY = re.compile(r"^(Lundi|Mardi|Mercredi|Jeudi|Vendredi|Samedi|Dimanche) \d+ ")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def first_paris_nine(page) -> tuple[datetime, str]:
    return next((start, text) for start, text in listed_slots(page)
                if start.astimezone(PARIS).strftime("%H:%M") == "09:00")


def test_new_york_visitor_sees_paris_nine_as_three_or_four_in_french(open_page, session_type):
    page, console = open_page("America/New_York", "/demo/discovery/")
    wait_for_zone(page, "America/New_York")  # detected by the script, swapped in by htmx
    assert page.locator("html").get_attribute("lang") == "fr"
    assert FRENCH_DAY.match(page.locator("#slots .day__title").first.inner_text())
    for start, text in listed_slots(page):
        assert text == start.astimezone(NEW_YORK).strftime("%H:%M")
    # Next week is a full Monday-to-Friday week whatever today is, so it has Paris 09:00.
    show_next_week(page)
    assert "week=" in page.url  # pushed into the history, so back and reload work
    wait_for_zone(page, "America/New_York")
    start, text = first_paris_nine(page)
    assert text == start.astimezone(NEW_YORK).strftime("%H:%M")
    assert text in {"03:00", "04:00"}
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies["tz"].strip('"') == "America/New_York"
    assert page.evaluate("typeof window.htmx") == "object"
    assert console.problems == []


def test_paris_visitor_sees_nine(open_page, session_type):
    page, console = open_page("Europe/Paris", "/demo/discovery/")
    wait_for_zone(page, "Europe/Paris")
    show_next_week(page)
    _, text = first_paris_nine(page)
    assert text == "09:00"
    for start, shown in listed_slots(page):
        assert shown == start.astimezone(PARIS).strftime("%H:%M")
    assert page.locator("#zone-shown .zone-name").inner_text() == "Paris"
    assert console.problems == []


def test_choosing_a_zone_in_the_select_changes_the_times(open_page, session_type):
    page, console = open_page("Europe/Paris", "/demo/discovery/")
    wait_for_zone(page, "Europe/Paris")
    page.locator(".tz-picker__summary").click()
    page.locator("#tz-select").select_option("Asia/Tokyo")
    wait_for_zone(page, "Asia/Tokyo")
    tokyo = ZoneInfo("Asia/Tokyo")
    for start, text in listed_slots(page):
        assert text == start.astimezone(tokyo).strftime("%H:%M")
    page.reload()
    wait_for_zone(page, "Asia/Tokyo")  # remembered in the cookie
    assert console.problems == []


def test_month_view_lists_the_times_of_the_day_clicked(open_page, session_type):
    page, console = open_page("America/New_York", "/demo/discovery/")
    wait_for_zone(page, "America/New_York")
    page.locator('#slots .view-switch a[data-focus="month-title"]').click()
    page.locator('#slots[data-view="month"]').wait_for()
    # Next month lies (almost) wholly inside the 60-day horizon whatever today is.
    before = page.locator("#month-title").inner_text()
    page.locator("#slots a[rel=next]").click()
    page.wait_for_function(
        "before => document.getElementById('month-title').innerText !== before", arg=before)
    day = page.locator("#slots a.month__day--free:not([aria-current])").nth(1)
    number, label = day.inner_text(), day.get_attribute("aria-label")
    assert FRENCH_DAY.match(label) and number in label  # the link is named by its date
    day.click()
    page.wait_for_function(
        "n => document.querySelector('#slots a.month__day[aria-current]')?.textContent === n",
        arg=number)
    times = listed_slots(page)
    assert times
    for start, text in times:
        local = start.astimezone(NEW_YORK)
        assert local.day == int(number) and text == local.strftime("%H:%M")
    assert page.locator("#day-times-title").inner_text() in label
    assert "view=month" in page.url and "day=" in page.url
    assert page.evaluate("document.activeElement.id") == "day-times-title"
    # Another zone keeps the month and the day (the zone form sends them along).
    page.locator(".tz-picker__summary").click()
    page.locator("#tz-select").select_option("Asia/Tokyo")
    wait_for_zone(page, "Asia/Tokyo")
    assert page.locator('#slots[data-view="month"] a.month__day[aria-current]').inner_text() \
        == number
    # The language switch comes back to the month shown now, not to the page first loaded.
    with page.expect_navigation():
        page.locator('.lang-switch button[value="en"]').click()
    assert "view=month" in page.url and "day=" in page.url
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#day-times-title").inner_text().split()[0] in {
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
    assert console.problems == []
