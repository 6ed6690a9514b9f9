"""Booking in real Chromium: a New York visitor books, a Paris visitor loses the race."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from booking import errors
from booking.models import Booking
from tests.support.browser import listed_slots, show_next_week, wait_for_zone

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def hours(start: datetime, zone: ZoneInfo, minutes: int = 30) -> str:
    local = start.astimezone(zone)
    return f"{local:%H:%M}–{(local + timedelta(minutes=minutes)):%H:%M}"


def fill_and_send(page, name: str, email: str):
    page.locator("#id_name").fill(name)
    page.locator("#id_email").fill(email)
    page.locator("#id_consent").check()
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    return sent.value


def test_new_york_visitor_books_and_a_late_second_visitor_is_told_it_is_taken(
        open_page, session_type):
    first, first_console = open_page("America/New_York", "/demo/discovery/")
    wait_for_zone(first, "America/New_York")
    show_next_week(first)
    start, shown = listed_slots(first)[0]
    assert shown == start.astimezone(NEW_YORK).strftime("%H:%M")
    form_path = first.locator("#slots a.slot").first.get_attribute("href")

    # The second visitor opens the same slot's form before the first one sends hers.
    second, second_console = open_page("Europe/Paris", form_path.split("&")[0])
    assert second.locator("#id_name").is_visible()

    first.locator("#slots a.slot").first.click()
    first.wait_for_url("**/book/**")
    assert hours(start, NEW_YORK) in first.locator(".summary__when").inner_text()
    response = fill_and_send(first, "Ada Lovelace", "ada@example.org")
    assert response.status == 302
    first.wait_for_url("**/confirmed/**")
    mine = first.locator("#when-invitee").inner_text()
    assert hours(start, NEW_YORK) in mine and "America/New_York" in mine
    coach = first.locator("#when-coach").inner_text()
    assert hours(start, PARIS) in coach and "Europe/Paris" in coach
    ics = first.locator("a[download]").get_attribute("href")
    assert ics.startswith("/b/") and ics.endswith("/invite.ics")

    response = fill_and_send(second, "Bob Martin", "bob@example.org")
    assert response.status == 409
    with translation.override("fr"):
        taken = str(errors.SLOT_TAKEN)
    assert taken in second.locator("#slot-taken").inner_text()
    assert second.locator("#slot-taken a").get_attribute("href").startswith("/demo/discovery/")

    booking = Booking.objects.get()
    assert booking.start == start
    assert booking.invitee_email == "ada@example.org"
    assert str(booking.invitee_timezone) == "America/New_York"
    assert first_console.problems == []
    # A 409 document is reported by Chromium as a failed load; nothing else may appear.
    assert [p for p in second_console.problems if "status of 409" not in p] == []


def test_the_confirm_button_shows_progress_and_does_not_send_twice(open_page, session_type):
    page, console = open_page("Europe/Paris", "/demo/discovery/")
    page.locator("#slots a.slot").first.click()
    page.wait_for_url("**/book/**")
    page.locator("#id_name").fill("Ada Lovelace")
    page.locator("#id_email").fill("ada@example.org")
    page.locator("#id_consent").check()
    posts = []
    page.on("request", lambda request: posts.append(request.url)
            if request.method == "POST" else None)
    # The button's state as the submission leaves, kept where the next page can read it.
    page.evaluate("""() => {
        const button = document.querySelector("form.form button[type=submit]");
        new MutationObserver(() => sessionStorage.setItem("button", JSON.stringify({
            disabled: button.disabled, busy: button.getAttribute("aria-busy"),
            text: button.textContent}))).observe(button, {attributes: true, childList: true});
    }""")
    with page.expect_navigation(url="**/confirmed/**"):
        # A click, then two more submissions before the page has gone: one POST leaves.
        page.evaluate("""() => {
            const form = document.querySelector("form.form");
            form.querySelector("button[type=submit]").click();
            form.requestSubmit();
            form.requestSubmit();
        }""")
    state = page.evaluate("() => JSON.parse(sessionStorage.getItem('button'))")
    assert state == {"disabled": True, "busy": "true", "text": "Réservation…"}
    assert len(posts) == 1
    assert Booking.objects.count() == 1
    assert console.problems == []
