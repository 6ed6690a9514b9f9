"""Her own calendars in the workspace: listed with what she needs to know, added, read again,
removed; another coach's calendar is a 404 and a bad address changes nothing."""

from datetime import UTC, datetime

import pytest
from django_tasks_db.models import DBTaskResult

from availability.models import ExternalCalendar
from availability.services import BAD_CALENDAR_URL, REFUSED_CALENDAR_HOST
from tests.factories import CoachFactory
from tests.support.html import fr

pytestmark = pytest.mark.django_db


def tasks() -> int:
    return DBTaskResult.objects.count()


def test_the_list_shows_name_masked_url_last_read_in_her_zone_error_and_count(signed_in,
                                                                             coach):
    ExternalCalendar.objects.create(
        coach=coach, name="Perso", url="https://calendar.example/private/s3cr3t/basic.ics",
        last_synced_at=datetime(2027, 2, 28, 17, 5, tzinfo=UTC), busy_count=12,
        last_attempt_at=datetime(2027, 3, 1, 6, 45, tzinfo=UTC),
        last_error="Le serveur a mis trop de temps à répondre.")
    html = signed_in.get("/coach/calendars/").content.decode()
    assert 'href="/coach/calendars/" aria-current="page"' in html
    assert "Perso" in html and "https://calendar.example/…" in html
    assert "s3cr3t" not in html
    assert "18:05" in html  # 17:05 UTC in Paris
    assert "07:45" in html  # when the last attempt failed, her time
    assert "Le serveur a mis trop de temps à répondre." in html
    assert '<dd class="calendars__count">12</dd>' in html


def test_another_coachs_calendars_are_not_listed(signed_in):
    ExternalCalendar.objects.create(coach=CoachFactory(slug="autre"), name="Pas à elle",
                                    url="https://other.example/a.ics")
    assert "Pas à elle" not in signed_in.get("/coach/calendars/").content.decode()


def test_adding_a_webcal_address_queues_its_first_read(signed_in, coach):
    before = tasks()
    response = signed_in.post("/coach/calendars/", {
        "url": "webcal://p01-caldav.icloud.com/published/2/abc", "name": ""})
    assert response.status_code == 302
    calendar = ExternalCalendar.objects.get(coach=coach)
    assert calendar.url == "https://p01-caldav.icloud.com/published/2/abc"
    assert calendar.name == "p01-caldav.icloud.com"
    assert tasks() == before + 1
    assert calendar.refresh_task_id == str(DBTaskResult.objects.latest("enqueued_at").id)


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://example.org/a.ics", BAD_CALENDAR_URL),
    ("javascript:alert(1)", BAD_CALENDAR_URL),
    ("file:///etc/passwd", BAD_CALENDAR_URL),
    ("http://169.254.169.254/latest/meta-data/", REFUSED_CALENDAR_HOST),
    ("https://10.1.2.3/cal.ics", REFUSED_CALENDAR_HOST),
    ("http://localhost:8000/cal.ics", REFUSED_CALENDAR_HOST),
    ("http://[::1]/cal.ics", REFUSED_CALENDAR_HOST),
])
def test_a_bad_address_is_refused_with_a_message_and_nothing_changes(signed_in, url,
                                                                    message):
    before = tasks()
    response = signed_in.post("/coach/calendars/", {"url": url, "name": "x"})
    assert response.status_code == 400
    assert fr(message) in response.content.decode()
    assert not ExternalCalendar.objects.exists() and tasks() == before


def test_refresh_now_queues_a_read(signed_in, coach):
    signed_in.post("/coach/calendars/", {"url": "https://calendar.example/a.ics", "name": "A"})
    calendar = ExternalCalendar.objects.get()
    token = calendar.refresh_token
    response = signed_in.post(f"/coach/calendars/{calendar.pk}/refresh/")
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.refresh_token != token
    # The first queued read was replaced by this one: still one chain.
    assert DBTaskResult.objects.filter(id=calendar.refresh_task_id).exists()
    assert DBTaskResult.objects.count() == 1


def test_remove_drops_the_calendar_and_its_queued_read(signed_in, coach):
    signed_in.post("/coach/calendars/", {"url": "https://calendar.example/a.ics", "name": "A"})
    calendar = ExternalCalendar.objects.get()
    response = signed_in.post(f"/coach/calendars/{calendar.pk}/remove/")
    assert response.status_code == 302
    assert not ExternalCalendar.objects.exists() and DBTaskResult.objects.count() == 0


def test_actions_need_a_post(signed_in, coach):
    calendar = ExternalCalendar.objects.create(coach=coach, name="A",
                                               url="https://calendar.example/a.ics")
    for action in ("remove", "refresh"):
        assert signed_in.get(f"/coach/calendars/{calendar.pk}/{action}/").status_code == 405
    assert ExternalCalendar.objects.filter(pk=calendar.pk).exists()


def test_another_coachs_calendar_is_a_404(signed_in):
    other = ExternalCalendar.objects.create(coach=CoachFactory(slug="autre"), name="B",
                                            url="https://other.example/b.ics")
    for action in ("remove", "refresh"):
        assert signed_in.post(f"/coach/calendars/{other.pk}/{action}/").status_code == 404
    assert ExternalCalendar.objects.filter(pk=other.pk).exists()
