"""Her calendars by API key: list, add (201), remove (204), refresh; hers only; 400 not 500."""

from datetime import UTC, datetime

import pytest
from django_tasks_db.models import DBTaskResult

from availability.models import ExternalCalendar
from availability.services import BAD_CALENDAR_URL, REFUSED_CALENDAR_HOST
from tests.factories import CoachFactory
from tests.support.html import fr

pytestmark = pytest.mark.django_db
CALENDARS = "/api/v1/me/calendars"


@pytest.fixture
def call(client, key):
    def send(method: str, path: str, body=None, **headers):
        return getattr(client, method)(path, body, content_type="application/json",
                                       headers={"Authorization": f"Bearer {key}", **headers})
    return send


def test_listing_her_calendars_with_times_in_her_zone(call, coach):
    ExternalCalendar.objects.create(
        coach=coach, name="Perso", url="https://calendar.example/s3cr3t.ics", busy_count=4,
        last_synced_at=datetime(2027, 2, 25, 7, 30, tzinfo=UTC))
    ExternalCalendar.objects.create(coach=coach, name="Neuf", url="https://b.example/n.ics",
                                    last_error="The server could not be reached.")
    ExternalCalendar.objects.create(coach=CoachFactory(slug="autre"), name="Pas à elle",
                                    url="https://other.example/x.ics")
    response = call("get", CALENDARS)
    assert response.status_code == 200
    first, second = response.json()
    assert first == {"id": first["id"], "name": "Perso",
                     "last_synced": "2027-02-25T08:30:00+01:00", "busy_count": 4,
                     "error": None}
    assert second["last_synced"] is None
    assert second["error"] == "The server could not be reached."


def test_adding_answers_201_and_queues_the_first_read(call, coach):
    response = call("post", CALENDARS, {"url": "webcal://cal.example/p/abc.ics",
                                        "name": "Agenda"})
    assert response.status_code == 201, response.json()
    body = response.json()
    calendar = ExternalCalendar.objects.get(coach=coach)
    assert body == {"id": calendar.pk, "name": "Agenda", "last_synced": None,
                    "busy_count": 0, "error": None}
    assert calendar.url == "https://cal.example/p/abc.ics"
    assert DBTaskResult.objects.filter(id=calendar.refresh_task_id).exists()


def test_the_name_defaults_to_the_host(call):
    response = call("post", CALENDARS, {"url": "https://cal.example/p/abc.ics"})
    assert response.status_code == 201 and response.json()["name"] == "cal.example"


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://cal.example/a.ics", BAD_CALENDAR_URL),
    ("cal.example/a.ics", BAD_CALENDAR_URL),
    ("", BAD_CALENDAR_URL),
    ("http://127.0.0.1:8000/a.ics", REFUSED_CALENDAR_HOST),
    ("http://192.168.1.10/a.ics", REFUSED_CALENDAR_HOST),
    ("http://[::ffff:169.254.169.254]/", REFUSED_CALENDAR_HOST),
])
def test_a_bad_url_is_a_400_with_a_message_in_her_language(call, url, message):
    response = call("post", CALENDARS, {"url": url}, **{"Accept-Language": "fr"})
    assert response.status_code == 400
    assert response.json()["errors"]["url"] == [fr(message)]
    assert not ExternalCalendar.objects.exists() and not DBTaskResult.objects.exists()


def test_unknown_fields_and_wrong_types_are_a_400(call):
    assert call("post", CALENDARS, {"url": "https://a.example/a.ics", "x": 1}).status_code == 400
    assert call("post", CALENDARS, {"url": 12}).status_code == 400
    assert not ExternalCalendar.objects.exists()


def test_delete_answers_204_and_another_coachs_id_is_a_404(call, coach):
    mine = ExternalCalendar.objects.create(coach=coach, name="A", url="https://a.example/a")
    theirs = ExternalCalendar.objects.create(coach=CoachFactory(slug="autre"), name="B",
                                             url="https://b.example/b")
    assert call("delete", f"{CALENDARS}/{theirs.pk}").status_code == 404
    response = call("delete", f"{CALENDARS}/{mine.pk}")
    assert response.status_code == 204 and response.content == b""
    assert list(ExternalCalendar.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert call("delete", f"{CALENDARS}/{mine.pk}").status_code == 404
    assert call("delete", f"{CALENDARS}/{2**70}").status_code in (400, 404)


def test_refresh_queues_a_read_and_answers_with_the_calendar(call, coach):
    created = call("post", CALENDARS, {"url": "https://a.example/a.ics"}).json()
    calendar = ExternalCalendar.objects.get()
    token = calendar.refresh_token
    response = call("post", f"{CALENDARS}/{created['id']}/refresh")
    assert response.status_code == 200
    assert response.json() == created
    calendar.refresh_from_db()
    assert calendar.refresh_token != token and DBTaskResult.objects.count() == 1
    theirs = ExternalCalendar.objects.create(coach=CoachFactory(slug="autre"), name="B",
                                             url="https://b.example/b")
    assert call("post", f"{CALENDARS}/{theirs.pk}/refresh").status_code == 404


def test_without_a_key_it_is_a_401(client):
    assert client.get(CALENDARS).status_code == 401
