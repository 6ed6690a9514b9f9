"""The zone picker in real Chromium: legacy names from the browser, the search field, keys
that browse without reloading, the announcement of each swap, and the list without script."""

from datetime import UTC, datetime

import pytest
import time_machine

from tests.support.browser import show_next_week, wait_for_zone

NOW = datetime(2027, 3, 1, 7, tzinfo=UTC)  # Monday 08:00 in Paris
PICKER = "/demo/discovery/"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def htmx_requests(page) -> list[str]:
    """The URLs of the htmx requests the page sends from now on (the list fills as it goes)."""
    sent = []
    page.on("request", lambda request: sent.append(request.url)
            if request.headers.get("hx-request") else None)
    return sent


def visible_zones(page) -> list[str]:
    return page.locator("#tz-select option").evaluate_all(
        "options => options.filter(o => !o.hidden).map(o => o.value)")


def test_chromiums_legacy_calcutta_is_shown_as_kolkata(open_page, session_type):
    page, console = open_page("Asia/Calcutta", PICKER)
    wait_for_zone(page, "Asia/Kolkata")
    page.wait_for_function("document.getElementById('tz-select').value === 'Asia/Kolkata'")
    assert page.locator('#tz-select option[value="Asia/Calcutta"]').count() == 0
    assert page.locator("#zone-shown").inner_text().endswith("Kolkata (UTC+05:30)")
    first = page.locator("#tz-select option").first
    assert first.get_attribute("value") == "Asia/Kolkata"  # the detected zone comes first
    assert first.text_content().startswith("Kolkata · UTC+05:30 · ")
    assert console.problems == []


def test_arrow_keys_browse_the_list_and_enter_chooses(open_page, session_type):
    page, console = open_page("Europe/Paris", f"{PICKER}?tz=Europe/Paris")
    sent = htmx_requests(page)
    page.locator(".tz-picker__summary").click()
    select = page.locator("#tz-select")
    select.focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    chosen = select.input_value()
    assert chosen != "Europe/Paris"
    page.keyboard.press("Enter")
    wait_for_zone(page, chosen)
    assert len(sent) == 1 and "tz=" + chosen.replace("/", "%2F") in sent[0]
    assert page.evaluate("document.activeElement.id") == "tz-select"
    assert console.problems == []


def test_leaving_the_list_after_browsing_chooses_too(open_page, session_type):
    page, _ = open_page("Europe/Paris", f"{PICKER}?tz=Europe/Paris")
    sent = htmx_requests(page)
    page.locator(".tz-picker__summary").click()
    page.locator("#tz-select").focus()
    page.keyboard.press("ArrowDown")
    chosen = page.locator("#tz-select").input_value()
    page.keyboard.press("Tab")
    wait_for_zone(page, chosen)
    assert len(sent) == 1


def test_the_search_field_narrows_the_list_and_enter_takes_the_first(open_page, session_type):
    page, console = open_page("Europe/Paris", f"{PICKER}?tz=Europe/Paris", locale="en-US")
    sent = htmx_requests(page)
    page.locator(".tz-picker__summary").click()
    search = page.locator("#tz-filter")
    search.fill("tokyo")
    assert visible_zones(page) == ["Asia/Tokyo"]
    assert page.locator("#tz-select").input_value() == "Asia/Tokyo"  # shown, not yet loaded
    assert page.locator("#tz-filter-count").inner_text() == "1 time zone matches; Enter chooses it."
    search.fill("sao paulo")  # no accent needed
    assert visible_zones(page) == ["America/Sao_Paulo"]
    search.fill("new york")
    assert visible_zones(page) == ["America/New_York"]
    assert sent == []
    search.press("Enter")
    wait_for_zone(page, "America/New_York")
    assert len(sent) == 1
    assert page.locator("#zone-shown").inner_text().endswith("New York (UTC−05:00)")
    assert console.problems == []


def test_each_swap_is_announced_politely(open_page, session_type):
    page, _ = open_page("Europe/Paris", f"{PICKER}?tz=Europe/Paris")
    status = page.locator("#slots-status")
    assert status.get_attribute("role") == "status" and status.inner_text() == ""
    show_next_week(page)
    title = page.locator("#week-title").inner_text()
    count = page.locator("#slots a.slot").count()
    page.wait_for_function("t => document.getElementById('slots-status').textContent.length",
                           arg=title)
    assert status.inner_text() == f"{title} : {count} horaires libres"


def test_without_javascript_the_list_and_its_button_change_the_zone(browser, live_server,
                                                                     session_type):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR",
                                  timezone_id="Europe/Paris")
    try:
        page = context.new_page()
        page.goto(live_server.url + PICKER)
        assert page.locator("#zone-shown").inner_text() == \
            "Horaires affichés dans le fuseau : Paris (UTC+01:00)"
        assert page.locator("#tz-filter").is_hidden()  # the search needs the script
        page.locator(".tz-picker__summary").click()
        page.locator("#tz-select").select_option("Asia/Tokyo")
        with page.expect_navigation():
            page.locator("#tz-form button[type=submit]").click()
        assert "tz=Asia%2FTokyo" in page.url
        wait_for_zone(page, "Asia/Tokyo")
        assert page.locator("#zone-shown").inner_text().endswith("Tokyo (UTC+09:00)")
    finally:
        context.close()
