"""The coach's workspace in real Chromium: her local times, a cancellation with a message,
keyboard only, and no axe-core violation in French or English."""

from datetime import UTC, datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from booking.models import Booking
from booking.services import Invitee, booking_create
from tests.factories import BookingFactory
from tests.support.axe import describe, run_axe

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 7, tzinfo=UTC)  # Monday 08:00 in Paris
NINE_TODAY = datetime(2027, 3, 1, 9, tzinfo=PARIS)
MESSAGE = "Je dois annuler, désolée : écrivez-moi pour une autre date."

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def clock():
    # Time flows (tick) from a fixed Monday morning, in the live server's thread too.
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def coach_page(coach_pages, coach):
    """coach_page(path, **context options) -> (page, console), signed in as the coach."""
    return partial(coach_pages, coach)


@pytest.fixture
def todays_booking(session_type) -> Booking:
    # Written directly: the type's 12-hour notice would refuse a booking for this morning.
    return BookingFactory(session_type=session_type, start=NINE_TODAY,
                          invitee_name="Ada Lovelace", invitee_email="ada@example.org",
                          invitee_timezone="America/New_York", message="Bonjour !")


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def run_worker() -> None:
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay",
                 verbosity=0)


def test_coach_sees_today_at_her_time_and_cancels_with_a_message_by_keyboard(
        coach_page, todays_booking):
    page, console = coach_page("/coach/")
    row = page.locator(".agenda__row", has_text="Ada Lovelace")
    assert row.locator(".agenda__time").inner_text().startswith("09:00")
    assert "Europe/Paris" in page.locator(".ws-zone").inner_text()

    tab_to(page, "a.agenda__link")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{todays_booking.get_workspace_url()}")
    assert "09:00–09:30" in page.locator("#when-coach").inner_text()
    assert "03:00–03:30" in page.locator("#when-invitee").inner_text()

    tab_to(page, f"a[href$='{todays_booking.uid}/cancel/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cancel/")
    tab_to(page, "textarea")
    page.keyboard.type(MESSAGE)
    tab_to(page, "#confirm-cancel")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{todays_booking.get_workspace_url()}")
    assert page.locator("#booking-status").inner_text() == str(
        Booking.Status.CANCELLED.label) or page.locator("#booking-status").inner_text()
    todays_booking.refresh_from_db()
    assert todays_booking.status == Booking.Status.CANCELLED
    assert todays_booking.cancel_reason == MESSAGE

    mail.outbox.clear()
    run_worker()
    to_invitee = [m for m in mail.outbox if "ada@example.org" in m.to[0]]
    assert len(to_invitee) == 1 and MESSAGE in to_invitee[0].body
    assert console.problems == []


def test_new_bookings_appear_without_a_reload(coach_page, session_type, clock):
    page, console = coach_page("/coach/")
    assert page.locator(".agenda__row").count() == 0
    booking_create(session_type=session_type, start=datetime(2027, 3, 3, 10, tzinfo=PARIS),
                   invitee=Invitee(name="Grace Hopper", email="grace@example.org",
                                   timezone=PARIS))
    clock.shift(50)  # past the 45-second poll, for htmx's timer as for the server
    page.locator(".agenda__row", has_text="Grace Hopper").wait_for(timeout=70_000)
    assert console.problems == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_workspace_pages_have_no_axe_violations(coach_page, coach, todays_booking,
                                                language):
    coach.language = language
    coach.save()
    uid = todays_booking.uid
    for path in ("/coach/", "/coach/?tab=past", "/coach/week/", f"/coach/bookings/{uid}/",
                 f"/coach/bookings/{uid}/cancel/", f"/coach/bookings/{uid}/reschedule/",
                 "/coach/feed/", "/coach/feed/rotate/"):
        page, _ = coach_page(path, bypass_csp=True)
        assert page.locator("html").get_attribute("lang") == language
        violations = run_axe(page)
        assert violations == [], f"{path} ({language}):\n{describe(violations)}"


def test_on_a_phone_the_week_is_one_day_with_a_switcher(coach_page, todays_booking):
    page, _ = coach_page("/coach/week/", viewport={"width": 375, "height": 740})
    visible_days = page.locator("thead th.week__day:visible")
    assert visible_days.count() == 1
    assert page.locator(".day-switch").is_visible()
    page.locator(".day-switch__days a").nth(2).click()
    page.wait_for_url("**day=2027-03-03")
    assert page.locator("thead th.week__day:visible").inner_text().startswith("Mercredi")
