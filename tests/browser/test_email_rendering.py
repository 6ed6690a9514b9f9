"""The HTML emails in real Chromium: they fit a 375 px phone, keep a 600 px card on a desktop,
read in a sans-serif font, and keep enough contrast in light and dark mode."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from booking.emails import booking_message
from booking.services import booking_cancel
from tests.factories import book
from tests.support.axe import axe_source, describe
from tests.support.mail import body_parts

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
START = datetime(2027, 3, 3, 9, tzinfo=PARIS)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def emails(session_type) -> dict[str, str]:
    session_type.location_kind, session_type.location_room_per_booking = "video", True
    session_type.save()
    # Another zone than the coach's: the emails then also show the other side's time.
    booking = book(session_type, START, now=NOW, name="Zoé Martin-Duval de la Fontaine",
                   zone=ZoneInfo("America/New_York"), message="Un message un peu long " * 20)
    html = {role: body_parts(booking_message(booking, role=role, kind="confirmed",
                                             now=NOW))[1] for role in ("invitee", "coach")}
    cancelled = booking_cancel(booking=booking, by="coach", reason="Empêchée " * 30, now=NOW)
    html["cancelled"] = body_parts(booking_message(cancelled, role="invitee", kind="cancelled",
                                                   now=NOW))[1]
    return html


def contrast_violations(page) -> list[dict]:
    page.add_script_tag(content=axe_source())
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'rule', values: ['color-contrast']}})")
    return result["violations"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_emails_fit_the_screen_and_keep_their_contrast(browser, emails, width, scheme):
    for name, html in emails.items():
        context = browser.new_context(viewport={"width": width, "height": 800},
                                      color_scheme=scheme, java_script_enabled=True)
        try:
            page = context.new_page()
            page.set_content(html)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, name
            card = page.evaluate("document.querySelector('.card').getBoundingClientRect().width")
            assert card <= 602 and (width > 620 or card >= width - 40), (name, card)
            font = page.evaluate(
                "getComputedStyle(document.querySelector('p')).fontFamily")
            assert "sans-serif" in font
            violations = contrast_violations(page)
            assert not violations, f"{name} {width}px {scheme}:\n{describe(violations)}"
        finally:
            context.close()
