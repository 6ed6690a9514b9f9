"""Her hours in real Chromium: a Wednesday range appears on her public page, a blocked Monday
vanishes from it after the warning about its booking, and axe finds nothing to fix."""

from datetime import UTC, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import time_machine

from availability.services import weekly_window_add
from booking.models import Booking
from tests.factories import CoachFactory, SessionTypeFactory, book
from tests.support.axe import describe, run_axe
from tests.support.browser import listed_slots, show_next_week, wait_for_zone

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 7, tzinfo=UTC)  # Monday 08:00 in Paris
NEXT_MONDAY = datetime(2027, 3, 8, 10, tzinfo=PARIS)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def lea(db):
    """A coach with Mondays 09:00–12:00 only, and her free type."""
    coach = CoachFactory(slug="lea", display_name="Léa Roux")
    weekly_window_add(coach=coach, weekday=0, start=time(9), end=time(12),
                      first_day=datetime(2027, 1, 1).date())
    SessionTypeFactory(coach=coach)
    return coach


@pytest.fixture
def as_coach(coach_pages, lea):
    """as_coach(path, **context options) -> (page, console), signed in as Léa."""
    return partial(coach_pages, lea)


def public_starts(open_page, *, next_week: bool = False) -> list[datetime]:
    page, console = open_page("Europe/Paris", "/lea/discovery/")
    wait_for_zone(page, "Europe/Paris")
    if next_week:
        show_next_week(page)
        wait_for_zone(page, "Europe/Paris")
    starts = [start.astimezone(PARIS) for start, _text in listed_slots(page)]
    assert console.problems == []
    return starts


def test_a_wednesday_range_is_offered_and_a_blocked_monday_is_not(as_coach, open_page, lea):
    page, console = as_coach("/coach/availability/")
    assert "Europe/Paris" in page.locator("#hours-zone").inner_text()
    page.locator("#id_d2_on").check()
    page.locator("#id_d2_start_0").fill("14:00")
    page.locator("#id_d2_end_0").fill("16:00")
    page.locator("#save-week").click()
    page.wait_for_url("**/coach/availability/")
    assert page.locator("#id_d2_start_0").input_value() == "14:00"
    wednesday = page.locator('#preview [data-day="2027-03-03"]').inner_text()
    assert "14:00, 14:30, 15:00, 15:30" in wednesday

    starts = public_starts(open_page)
    assert [f"{s:%H:%M}" for s in starts if s.day == 3] == ["14:00", "14:30", "15:00", "15:30"]
    assert any(s.date() == NEXT_MONDAY.date() for s in public_starts(open_page, next_week=True))

    booked = book(lea.session_types.get(), NEXT_MONDAY, name="Ada Lovelace")
    page.locator("#id_date_1").fill("2027-03-08")
    page.locator("#id_mode_0").check()  # unavailable all day
    page.locator("#save-dates").click()
    page.locator("#covered-warning").wait_for()
    assert "Ada Lovelace" in page.locator("#covered").inner_text()
    page.locator("#decide-keep").click()
    page.wait_for_url("**/coach/availability/")
    assert "8 mars 2027" in page.locator("#overrides").inner_text()

    assert not any(s.date() == NEXT_MONDAY.date()
                   for s in public_starts(open_page, next_week=True))
    booked.refresh_from_db()
    assert booked.status == Booking.Status.CONFIRMED
    assert console.problems == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_hours_page_has_no_axe_violations(as_coach, lea, language):
    lea.language = language
    lea.save()
    book(lea.session_types.get(), NEXT_MONDAY + timedelta(hours=1))
    for path in ("/coach/availability/",
                 "/coach/availability/?why_day=2027-03-08&why_time=11:00&why_type=discovery"):
        page, _console = as_coach(path, bypass_csp=True)
        assert page.locator("html").get_attribute("lang") == language
        violations = run_axe(page)
        assert not violations, f"{path}:\n{describe(violations)}"
    # The warning about the booking under a day off, before anything is saved.
    page.locator("#id_off_first").fill("2027-03-08")
    page.locator("#save-time-off").click()
    page.locator("#covered-warning").wait_for()
    violations = run_axe(page)
    assert not violations, f"warning:\n{describe(violations)}"
