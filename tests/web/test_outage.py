"""A database outage answers 503 with Retry-After (JSON on the API, a page elsewhere), and an
unknown API path answers the API's JSON 404 (web.outage, api.main)."""

import pytest
from django.db import ProgrammingError
from django.db.backends.utils import CursorWrapper
from django.db.utils import InterfaceError, OperationalError

from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db

PAGES = ["/", "/demo/", "/demo/discovery/", "/demo/discovery/book/?start=2027-03-02T08:00:00Z",
         "/b/{token}/", "/b/{token}/reschedule/"]
API = ["/api/v1/coaches/demo/slots", "/api/v1/coaches/demo/session-types",
       "/api/v1/manage/{token}"]


@pytest.fixture
def token(session_type) -> str:
    return BookingFactory(session_type=session_type).manage_token


def fail_with(monkeypatch, error: type[Exception]) -> None:
    """Every query from now on fails as a dead database server makes it fail."""
    def execute(self, *args, **kwargs):
        raise error("could not connect to server: Connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", execute)
    monkeypatch.setattr(CursorWrapper, "executemany", execute)


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
@pytest.mark.parametrize("path", API)
def test_the_api_answers_json_503_with_retry_after(client, token, monkeypatch, path, error):
    fail_with(monkeypatch, error)

    response = client.get(path.format(token=token))

    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "unavailable"
    assert int(response["Retry-After"]) > 0


def test_an_api_post_answers_json_503_too(client, session_type, monkeypatch):
    fail_with(monkeypatch, OperationalError)
    response = client.post("/api/v1/coaches/demo/bookings", {
        "type": "discovery", "start": "2027-03-02T09:00:00+01:00", "name": "Ada",
        "email": "ada@example.org", "consent": True}, content_type="application/json")
    assert response.status_code == 503
    assert response.json()["error"] == "unavailable"


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_the_friendly_503_page_in_french(client, token, monkeypatch, path):
    fail_with(monkeypatch, OperationalError)

    response = client.get(path.format(token=token))

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Service momentanément indisponible" in html
    assert "/static/css/site.css" in html
    assert "<script" not in html and "style=" not in html


def test_the_503_page_speaks_english_when_asked(client, session_type, monkeypatch):
    fail_with(monkeypatch, OperationalError)
    response = client.get("/demo/discovery/", headers={"accept-language": "en"})
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()


@pytest.mark.parametrize("path", ["/demo/discovery/", "/api/v1/coaches/demo/slots"])
def test_programming_errors_are_not_taken_for_an_outage(session_type, monkeypatch, path):
    from django.test import Client

    fail_with(monkeypatch, ProgrammingError)
    with pytest.raises(ProgrammingError):
        Client().get(path)


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/coaches/demo/nothing/",
                                  "/api/v1/me/bookings/x/y/z", "/api/v1/"])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_paths_answer_the_api_s_json_404(client, path, method):
    response = getattr(client, method)(path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "not_found"


def test_a_known_api_path_still_answers(client, session_type):
    assert client.get("/api/v1/coaches/demo/session-types").status_code == 200
    assert client.get("/api/v1/coaches/nobody/session-types").json()["error"] == "not_found"


def test_the_coach_api_answers_json_503_too(client, session_type, monkeypatch):
    from accounts.services import api_key_create

    key = api_key_create(coach=session_type.coach, name="outage")[1]
    fail_with(monkeypatch, OperationalError)

    response = client.get("/api/v1/me/bookings", headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 503
    assert response.json()["error"] == "unavailable"


def test_a_signed_in_coach_gets_the_503_page(client, session_type, monkeypatch):
    client.force_login(session_type.coach.user)
    fail_with(monkeypatch, OperationalError)
    response = client.get("/coach/")
    assert response.status_code == 503
    assert "Service momentanément indisponible" in response.content.decode()


def test_the_500_page_renders_without_request_or_database(rf, django_assert_num_queries):
    from django.views.defaults import server_error

    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and "css/site.css" in html
    assert "<h1 class=\"card__title\">" in html and 'href="/"' in html
