"""Moving a booking from its manage link in real Chromium: the booking picker's weeks through
htmx, a time chosen with the keyboard, and the same page without script."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from booking.models import Booking
from tests.factories import book, first_free_start
from tests.support.browser import show_next_week

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 3, 1, 7, tzinfo=UTC)  # Monday 08:00 in Paris

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def booking(session_type) -> Booking:
    return book(session_type, first_free_start(session_type, NOW), zone=NEW_YORK)


def test_a_time_of_next_week_chosen_with_the_keyboard_moves_the_booking(open_page, booking):
    page, console = open_page("America/New_York", f"/b/{booking.manage_token}/reschedule/")
    assert page.locator("#current-time").inner_text().startswith(
        booking.start.astimezone(NEW_YORK).strftime("%H:%M"))
    show_next_week(page)  # an htmx swap, the week pushed into the address
    assert "week=" in page.url
    assert page.locator("#slots-status").inner_text().startswith(
        page.locator("#week-title").inner_text())
    assert page.locator("#current-time").count() == 0  # not in this week
    first = page.locator("#slots input[name=start]").first
    wanted = datetime.fromisoformat(first.get_attribute("value"))
    first.focus()
    page.keyboard.press("Space")
    assert first.is_checked()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # sends the form, as a radio button does
    assert page.url.endswith(f"/b/{booking.manage_token}/")
    assert page.locator(".notice__list li").count() == 1
    booking.refresh_from_db()
    assert booking.start == wanted
    assert console.problems == []


def test_without_javascript_weeks_are_pages_and_the_form_still_moves(browser, live_server,
                                                                      booking):
    context = browser.new_context(java_script_enabled=False, locale="en-US",
                                  timezone_id="America/New_York")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/b/{booking.manage_token}/reschedule/")
        with page.expect_navigation():
            page.locator("#slots a[rel=next]").click()
        assert "week=" in page.url
        with page.expect_navigation():
            page.locator('#slots .view-switch a[data-focus="month-title"]').click()
        assert page.locator('#slots[data-view="month"]').count() == 1
        choice = page.locator("#slots input[name=start]").first
        wanted = datetime.fromisoformat(choice.get_attribute("value"))
        choice.check()
        with page.expect_navigation():
            page.locator("#reschedule-form button[type=submit]").click()
        booking.refresh_from_db()
        assert booking.start == wanted
        assert "has been moved" in page.locator(".notice__list").inner_text()
    finally:
        context.close()
