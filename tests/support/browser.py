"""Reading the slot picker in real Chromium (Playwright pages)."""

from datetime import datetime


def listed_slots(page) -> list[tuple[datetime, str]]:
    """(UTC start, shown text) of every slot on the page."""
    pairs = page.locator("#slots a.slot").evaluate_all(
        "links => links.map(a => [a.dataset.start, a.textContent.trim()])")
    return [(datetime.fromisoformat(start), text) for start, text in pairs]


def wait_for_zone(page, zone: str) -> None:
    page.locator(f'#slots[data-zone="{zone}"]').wait_for()


def show_next_week(page) -> None:
    """Click "next week" (an htmx swap) and wait until the new week is in place."""
    before = page.locator("#week-title").inner_text()
    page.locator("#slots a[rel=next]").click()
    page.wait_for_function(
        "before => document.getElementById('week-title').innerText !== before", arg=before)
