"""The workspace's API key pages: shown once, stored hashed, revoked after a confirmation."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from accounts.models import ApiKey
from accounts.selectors import coach_by_api_key
from accounts.services import api_key_create
from tests.factories import CoachFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Une phrase assez longue"


@pytest.fixture
def browser(coach) -> Client:
    """A CSRF-checking client, signed in through the real form (so allauth records it)."""
    coach.user.set_password(PASSWORD)
    coach.user.save()
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    client.post("/accounts/login/", {"login": coach.user.email, "password": PASSWORD,
                                     "csrfmiddlewaretoken": _token(page)})
    assert "_auth_user_id" in client.session
    return client


def _token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                     response.content.decode()).group(1)


def _reauthenticate(client: Client, path: str):
    """Confirm the password (allauth's sudo step), then open `path`."""
    page = client.get("/accounts/reauthenticate/")
    done = client.post("/accounts/reauthenticate/", {"password": PASSWORD,
                                                     "csrfmiddlewaretoken": _token(page)})
    assert done.status_code == 302
    response = client.get(path)
    assert response.status_code == 200
    return response


def test_a_key_is_created_after_a_fresh_password_and_shown_once(browser, coach):
    form = _reauthenticate(browser, "/coach/keys/new/")
    created = browser.post("/coach/keys/new/", {"name": "Sauvegarde",
                                                "csrfmiddlewaretoken": _token(form)})
    assert created.status_code == 201
    assert "no-store" in created["Cache-Control"]
    plaintext = re.search(r"crn_[A-Za-z0-9_-]{55}", created.content.decode()).group(0)
    assert coach_by_api_key(key=plaintext) == coach
    stored = ApiKey.objects.get(coach=coach)
    assert stored.name == "Sauvegarde" and plaintext not in stored.secret_hash
    listing = browser.get("/coach/keys/").content.decode()
    assert "Sauvegarde" in listing and plaintext not in listing


def test_creating_a_key_wants_a_recent_password(client, coach):
    client.force_login(coach.user)  # signed in long ago, as far as allauth knows
    response = client.post("/coach/keys/new/", {"name": "x"})
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
    assert not ApiKey.objects.exists()


def test_a_post_without_csrf_token_creates_nothing(browser):
    _reauthenticate(browser, "/coach/keys/new/")
    assert browser.post("/coach/keys/new/", {"name": "x"}).status_code == 403
    assert not ApiKey.objects.exists()


def test_an_empty_name_is_refused_with_a_message(browser):
    form = _reauthenticate(browser, "/coach/keys/new/")
    response = browser.post("/coach/keys/new/", {"name": "  ",
                                                 "csrfmiddlewaretoken": _token(form)})
    assert response.status_code == 400
    assert "field__errors" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_the_list_shows_times_on_the_coachs_clock(client, coach):
    with time_machine.travel(datetime(2027, 1, 15, 8, tzinfo=UTC), tick=False):
        api_key_create(coach=coach, name="Agenda")
    client.force_login(coach.user)
    page = client.get("/coach/keys/").content.decode()
    assert "Heures de Europe/Paris" in page
    assert "15/01/2027 09:00" in page


def test_revoking_asks_first_then_refuses_the_key(browser, coach):
    key, plaintext = api_key_create(coach=coach, name="Agenda")
    page = _reauthenticate(browser, f"/coach/keys/{key.pk}/revoke/")
    assert coach_by_api_key(key=plaintext) == coach  # looking at the page changes nothing
    done = browser.post(f"/coach/keys/{key.pk}/revoke/", {"csrfmiddlewaretoken": _token(page)})
    assert done.status_code == 302 and done["Location"] == "/coach/keys/"
    assert coach_by_api_key(key=plaintext) is None
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None


def test_another_coachs_key_is_a_404(client, coach):
    theirs, plaintext = api_key_create(coach=CoachFactory(), name="Theirs")
    client.force_login(coach.user)
    assert client.get(f"/coach/keys/{theirs.pk}/revoke/").status_code in {302, 404}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("allauth.account.internal.flows.reauthentication."
                      "is_reauthentication_required", lambda request, app: False)
        assert client.get(f"/coach/keys/{theirs.pk}/revoke/").status_code == 404
        assert client.post(f"/coach/keys/{theirs.pk}/revoke/").status_code == 404
    assert coach_by_api_key(key=plaintext) is not None
