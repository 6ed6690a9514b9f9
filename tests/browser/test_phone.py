"""On a 375 × 812 phone: the first free slot shows without scrolling, and slot buttons keep
their time on one line, also in English's longer "12:30 PM" (no sideways scroll on any page is
checked with the accessibility sweep, tests/browser/test_accessibility.py)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import book, first_free_start
from tests.support.browser import wait_for_zone

NOW = datetime(2027, 3, 1, 7, tzinfo=UTC)  # Monday 08:00 in Paris
PHONE = {"width": 375, "height": 812}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each slot's text, and how many lines it takes (distinct tops of its text's line boxes).
SLOT_LINES = """selector => [...document.querySelectorAll(selector)].map(el => {
  const range = document.createRange();
  range.selectNodeContents(el.querySelector('time') || el);
  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
  return [el.textContent.trim(), tops.size, el.scrollWidth <= el.clientWidth];
})"""


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def phone(browser, live_server):
    contexts = []

    def open_(path: str, locale: str, timezone_id: str):
        context = browser.new_context(viewport=PHONE, locale=locale, timezone_id=timezone_id)
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + path)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize(("locale", "zone"), [("fr-FR", "Europe/Paris"),
                                              ("en-US", "America/New_York")])
def test_the_first_free_slot_shows_without_scrolling(phone, session_type, locale, zone):
    page = phone("/demo/discovery/", locale, zone)
    wait_for_zone(page, zone)
    box = page.locator("#slots a.slot").first.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box


def test_slot_buttons_keep_their_time_on_one_line_in_english(phone, session_type):
    # Tokyo's times of the coach's days run from 5:00 PM to 1:30 AM: the widest labels.
    page = phone("/demo/discovery/?tz=Asia/Tokyo", "en-US", "Asia/Tokyo")
    slots = page.evaluate(SLOT_LINES, "#slots a.slot")
    assert slots and any(text.startswith("10:30 PM") for text, _, _ in slots)
    assert [slot for slot in slots if slot[1:] != [1, True]] == []
    # The reschedule page's times (radio buttons) too, its current time marked on one line.
    booking = book(session_type, first_free_start(session_type, NOW),
                   zone=ZoneInfo("America/Los_Angeles"), language="en")
    page = phone(f"/b/{booking.manage_token}/reschedule/", "en-US", "America/Los_Angeles")
    slots = page.evaluate(SLOT_LINES, "#slots .slot")
    assert [slot for slot in slots if slot[1:] != [1, True]] == []
    assert any("your current time" in text for text, _, _ in slots)
