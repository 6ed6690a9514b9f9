"""A coach creates a free type held by video in her workspace; a prospect books it in
Chromium; the meeting room reaches the confirmation page and the invitee's invite."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from icalendar import Calendar

from availability.models import SessionType
from booking.models import Booking
from tests.browser.conftest import Console
from tests.support.axe import assert_no_axe_violations
from tests.support.browser import coach_session_cookie, listed_slots, wait_for_zone
from tests.support.mail import invite

NOW = datetime(2027, 3, 1, 7, tzinfo=UTC)  # Monday 08:00 in Paris

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def test_a_video_type_made_in_the_workspace_sends_its_room_in_the_invite(
        browser, live_server, coach, session_type):
    # axe is injected as a script, which the strict CSP rightly refuses: the coach's side is
    # checked by axe here, the prospect's side (below) under the real CSP.
    context = browser.new_context(timezone_id="Europe/Paris", locale="fr-FR", bypass_csp=True)
    context.add_cookies([coach_session_cookie(coach, live_server.url)])
    page = context.new_page()
    console = Console()
    console.watch(page)
    page.goto(live_server.url + "/coach/types/new/")
    assert_no_axe_violations(page)
    page.locator("#id_name").fill("Séance en visio")
    page.locator("#id_duration_0").fill("45")
    page.locator("#id_duration_1").select_option("minutes")
    page.locator("#id_step_0").fill("15")
    page.locator("#id_notice_0").fill("2")
    page.locator("#id_notice_1").select_option("hours")
    page.locator("#id_location_kind").select_option("video")
    page.locator("#id_location_room_per_booking").check()
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/coach/types/")
    assert_no_axe_violations(page)
    created = SessionType.objects.get(coach=coach, name="Séance en visio")
    assert created.duration_minutes == 45 and created.location_kind == "video"

    prospect = browser.new_context(timezone_id="Europe/Paris", locale="fr-FR")
    visit = prospect.new_page()
    console.watch(visit)
    visit.goto(f"{live_server.url}/demo/{created.slug}/")
    wait_for_zone(visit, "Europe/Paris")
    assert "Visio" in visit.locator("#where").inner_text() or "vidéo" in visit.locator(
        "#where").inner_text().lower()
    start, _shown = listed_slots(visit)[0]
    visit.locator("#slots a.slot").first.click()
    visit.wait_for_url("**/book/**")
    visit.locator("#id_name").fill("Zoé Durand")
    visit.locator("#id_email").fill("zoe@example.org")
    visit.locator("#id_consent").check()
    visit.locator("form.form button[type=submit]").click()
    visit.wait_for_url("**/confirmed/**")

    booking = Booking.objects.get(session_type=created)
    assert booking.start == start and booking.meeting_url.startswith("https://meet.jit.si/")
    assert visit.locator(f'#where a[href="{booking.meeting_url}"]').count() == 1
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay",
                 verbosity=0)
    (to_invitee,) = [m for m in mail.outbox if m.to[0].endswith("<zoe@example.org>")]
    method, ics = invite(to_invitee)
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert method == "REQUEST"
    assert str(event["CONFERENCE"]) == booking.meeting_url  # RFC 7986; URL is the manage link
    assert booking.meeting_url in str(event["LOCATION"])
    assert console.problems == []
    prospect.close()
    context.close()
