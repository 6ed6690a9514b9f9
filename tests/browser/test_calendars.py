"""Her own calendar in real Chromium: she adds it in the workspace, the worker reads it, the
public page stops offering its busy times and her week shows them as hers; the profile and
calendars pages have no axe-core violation."""

from datetime import UTC, datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import time_machine

from availability.models import ExternalCalendar
from availability.tasks import refresh_external_calendar
from tests.availability.calendar_server import CalendarServer
from tests.support.axe import describe, run_axe
from tests.support.browser import listed_slots

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 7, tzinfo=UTC)  # Monday 08:00 in Paris
# Wednesday 3 March, 10:00–11:00 in Paris: her dentist.
BUSY_ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Creneau tests//EN\r
BEGIN:VEVENT\r
UID:dentist-1@tests\r
DTSTAMP:20270201T000000Z\r
DTSTART:20270303T090000Z\r
DTEND:20270303T100000Z\r
SUMMARY:Dentiste\r
END:VEVENT\r
END:VCALENDAR\r
"""

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def calendar_server(settings):
    settings.BUSY_CALENDARS_ALLOW_LOOPBACK = True
    with CalendarServer() as running:
        yield running


@pytest.fixture
def coach_page(coach_pages, coach):
    """coach_page(path, **context options) -> (page, console), signed in as the coach."""
    return partial(coach_pages, coach)


def wednesday_times(page) -> list[str]:
    return [f"{start.astimezone(PARIS):%H:%M}" for start, _text in listed_slots(page)
            if start.astimezone(PARIS).day == 3]


def test_her_calendar_blocks_its_busy_times_on_her_page_and_shows_in_her_week(
        coach_page, open_page, session_type, calendar_server):
    public, _ = open_page("Europe/Paris", "/demo/discovery/")
    assert {"10:00", "10:30"} <= set(wednesday_times(public))

    page, console = coach_page("/coach/calendars/")
    page.get_by_label("Adresse de l’agenda (ICS)").fill(
        calendar_server.serve("/perso.ics", BUSY_ICS))
    page.get_by_label("Nom").fill("Perso")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.locator(".notice").wait_for()
    assert "« Perso » est ajouté" in page.locator(".notice").inner_text()

    # The worker's run, here in the test's thread.
    calendar = ExternalCalendar.objects.get()
    assert refresh_external_calendar.call(calendar.pk, calendar.refresh_token) == "updated"
    page.reload()
    row = page.locator(f"#calendar-{calendar.pk}")
    assert row.locator(".calendars__count").inner_text() == "1"
    assert "08:0" in row.locator(".calendars__synced").inner_text()  # 07:0x UTC, her time
    assert "127.0.0.1" in row.locator(".calendars__url").inner_text()
    assert "perso.ics" not in row.inner_text()

    public.reload()
    times = wednesday_times(public)
    assert "10:00" not in times and "10:30" not in times
    assert "09:30" in times and "11:00" in times

    week, _ = coach_page("/coach/week/")
    busy = week.locator("td.cell--busy")
    assert busy.count() == 2  # two half-hour rows, 10:00 and 10:30
    assert "10:00 occupée (votre agenda)" in week.locator("table").inner_text()
    assert console.problems == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_profile_and_calendars_pages_have_no_axe_violations(coach_page, coach, language):
    coach.language = language
    coach.save()
    ExternalCalendar.objects.create(
        coach=coach, name="Perso", url="https://calendar.example/private/abc.ics",
        busy_count=3, last_synced_at=NOW, last_attempt_at=NOW,
        last_error="The server could not be reached.")
    for path in ("/coach/settings/", "/coach/calendars/"):
        page, _console = coach_page(path, bypass_csp=True)
        assert page.locator("html").get_attribute("lang") == language
        violations = run_axe(page)
        assert violations == [], f"{path} ({language}):\n{describe(violations)}"


def test_refused_additions_are_shown_in_the_form(coach_page, coach):
    page, _ = coach_page("/coach/calendars/")
    page.get_by_label("Adresse de l’agenda (ICS)").fill("http://169.254.169.254/latest/")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.locator("#form-errors").wait_for()
    assert "réseau privé" in page.locator(".field__errors").inner_text()
    assert not ExternalCalendar.objects.exists()
