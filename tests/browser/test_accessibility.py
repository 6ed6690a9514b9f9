"""Every prospect page and state, in French and English, on a phone (375 px) and a desktop
(1280 px): no axe-core violation, every interactive target at least 24 × 24 px (WCAG 2.2 AA),
no horizontal scroll, and a visible focus ring (3:1 at least) on everything the keyboard
reaches on the picker. One browser, one page per language and width, visiting every state."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import CoachFactory, SessionTypeFactory, book, first_free_start
from tests.support.axe import describe, run_axe
from tests.support.html import iso

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 3, 1, 7, tzinfo=UTC)  # Monday 08:00 in Paris
PICKER = "/demo/discovery/"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Interactive elements that are rendered (elements of a closed <details> have no box); the
# honeypot field is out of sight and out of the tab order on purpose.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a, button, input, select, summary, textarea')]
  .filter(el => el.type !== 'hidden' && !el.closest('[aria-hidden="true"]'))
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.width > 0 && box.height > 0)
  .filter(([el, box]) => box.width < 24 || box.height < 24)
  .map(([el, box]) => `${Math.round(box.width)}×${Math.round(box.height)} ` +
                      el.outerHTML.slice(0, 100))"""

# The focused element's ring: a radio laid over its label shows its ring on the label.
FOCUS_RING = """() => {
  let el = document.activeElement;
  if (!el || el === document.body) return null;
  if (el.matches('input[type=radio]') && el.nextElementSibling) el = el.nextElementSibling;
  const style = getComputedStyle(el);
  return {tag: el.outerHTML.slice(0, 80), style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), color: style.outlineColor};
}"""


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def _channel(value: float) -> float:
    value /= 255
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def contrast_with_white(rgb: str) -> float:
    red, green, blue = (float(part) for part in rgb[rgb.index("(") + 1:-1].split(",")[:3])
    luminance = (0.2126 * _channel(red) + 0.7152 * _channel(green)
                 + 0.0722 * _channel(blue))
    return 1.05 / (luminance + 0.05)


def check_page(page, what: str) -> list[str]:
    """The problems of the page as it stands, each naming `what`."""
    problems = [f"{what}: axe {line}" for line in describe(run_axe(page)).splitlines()]
    problems += [f"{what}: target {small}" for small in page.evaluate(SMALL_TARGETS)]
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    if width > viewport:
        problems.append(f"{what}: scrolls sideways ({width} px wide in {viewport})")
    return problems


def check_focus_rings(page, presses: int = 25) -> list[str]:
    """Tab through the page; every element reached shows an outline of 3:1 against white."""
    problems = []
    page.locator("body").focus()
    for _ in range(presses):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if ring is None:
            break
        if ring["style"] == "none" or ring["width"] < 2:
            problems.append(f"focus: no ring on {ring['tag']}")
        elif contrast_with_white(ring["color"]) < 3:
            problems.append(f"focus: faint ring ({ring['color']}) on {ring['tag']}")
    return problems


@pytest.fixture
def states(session_type):
    """The paths of every state, for a booking made in New York."""
    booking = book(session_type, first_free_start(session_type, NOW), zone=NEW_YORK)
    token = booking.manage_token
    free = iso(first_free_start(session_type, NOW))
    # A second coach and a second type: the home page and the coach page then list them.
    CoachFactory(slug="lea", display_name="Léa Roux")
    SessionTypeFactory(coach=session_type.coach, slug="deep-dive", name="Séance approfondie")
    return {
        "home": "/",
        "coach page": "/demo/",
        "picker week": f"{PICKER}?tz=Europe/Paris",
        "picker month": f"{PICKER}?view=month&tz=Europe/Paris",
        "form": f"{PICKER}book/?start={free}&tz=Europe/Paris",
        "slot taken": f"{PICKER}book/?start={iso(booking.start)}&tz=Europe/Paris",
        "confirmation": f"{PICKER}confirmed/{token}/",
        "manage": f"/b/{token}/",
        "reschedule": f"/b/{token}/reschedule/",
        "cancel": f"/b/{token}/cancel/",
        "not found": "/demo/nothing-here/",
    }


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("locale", ["fr-FR", "en-US"])
def test_every_prospect_page_is_accessible(browser, live_server, states, locale, width):
    context = browser.new_context(locale=locale, timezone_id="Europe/Paris", bypass_csp=True,
                                  viewport={"width": width, "height": 812})
    page = context.new_page()
    problems = []
    try:
        for what, path in states.items():
            page.goto(live_server.url + path)
            assert page.locator("html").get_attribute("lang") == locale[:2], what
            problems += check_page(page, what)
            if what == "picker week":
                problems += check_focus_rings(page)
                page.locator(".tz-picker__summary").click()
                problems += check_page(page, "zone picker open")
                page.locator("#tz-filter").fill("new")
                problems += check_page(page, "zone picker filtered")
            if what == "form":
                page.locator("form.form button[type=submit]").click()
                page.locator("#form-errors").wait_for()
                problems += check_page(page, "form with errors")
            if what == "reschedule":
                problems += check_focus_rings(page, presses=40)
                page.locator("input[name=start]").nth(2).click()
                page.locator("#reschedule-form button[type=submit]").click()
                page.locator(".notice__list").wait_for()
                problems += check_page(page, "manage with a notice")
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
