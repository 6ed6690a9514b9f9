"""Coaches sign in with allauth: password or emailed code, reset, two factors, rate limits."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail

from tests.support.pages import assert_site_page
from tests.support.totp import totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "Une phrase assez longue"
ANONYMOUS_PAGES = ["/accounts/login/", "/accounts/login/code/", "/accounts/password/reset/",
                   "/accounts/password/reset/done/", "/accounts/password/reset/key/done/",
                   "/accounts/password/reset/key/1-bad/", "/accounts/signup/"]
SIGNED_IN_PAGES = ["/accounts/logout/", "/accounts/2fa/", "/accounts/reauthenticate/",
                   "/accounts/password/change/", "/coach/security/", "/coach/keys/"]


@pytest.fixture
def coach_user(coach):
    coach.user.set_password(PASSWORD)
    coach.user.save()
    return coach.user


def sign_in(client, email="coach0@example.com", password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def english(client) -> None:
    client.cookies["django_language"] = "en"


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_every_sign_in_page_is_in_the_sites_look_without_sign_up(client, path, language):
    if language == "en":
        english(client)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert_site_page(response.content.decode(), language)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_every_account_page_is_in_the_sites_look(client, coach_user, path, language):
    if language == "en":
        english(client)
    assert sign_in(client, coach_user.email).status_code == 302
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert_site_page(response.content.decode(), language)


def test_the_login_page_speaks_french_then_english(client):
    assert "Se connecter" in client.get("/accounts/login/").content.decode()
    english(client)
    assert "Sign in to your workspace" in client.get("/accounts/login/").content.decode()


def test_a_coach_signs_in_with_her_password_and_lands_in_her_workspace(client, coach_user):
    response = sign_in(client, coach_user.email)
    assert response.status_code == 302 and response["Location"] == "/coach/"


def test_next_brings_her_back_where_she_was_going(client, coach_user):
    response = client.post("/accounts/login/?next=/coach/keys/",
                           {"login": coach_user.email, "password": PASSWORD})
    assert response["Location"] == "/coach/keys/"


def test_sign_up_stays_closed(client):
    page = client.get("/accounts/signup/").content.decode()
    assert 'name="password1"' not in page
    client.post("/accounts/signup/", {"email": "x@example.com", "password1": PASSWORD,
                                      "password2": PASSWORD})
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="x@example.com").exists()


def _code_from(message) -> str:
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.M).group(1)


def test_a_coach_signs_in_with_a_code_sent_by_email(client, coach_user):
    response = client.post("/accounts/login/code/", {"email": coach_user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [coach_user.email]
    response = client.post("/accounts/login/code/confirm/", {"code": _code_from(mail.outbox[0])})
    assert response.status_code == 302 and response["Location"] == "/coach/"
    assert client.get("/coach/security/").status_code == 200


def test_a_code_for_an_unknown_address_sends_nothing(client):
    client.post("/accounts/login/code/", {"email": "nobody@example.com"})
    client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert mail.outbox == []


def test_password_reset_sets_a_new_password(client, coach_user):
    client.post("/accounts/password/reset/", {"email": coach_user.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)",
                     mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert b'name="password1"' in form.content
    done = client.post(form.redirect_chain[-1][0], {"password1": "Un autre mot de passe sûr",
                                                     "password2": "Un autre mot de passe sûr"})
    assert done.status_code == 302
    coach_user.refresh_from_db()
    assert coach_user.check_password("Un autre mot de passe sûr")


def test_repeated_wrong_passwords_are_limited(client, coach_user):
    for _attempt in range(5):
        assert sign_in(client, coach_user.email, "wrong password").status_code == 200
    # The right password no longer helps: the address is locked for a while.
    blocked = sign_in(client, coach_user.email)
    assert blocked.status_code != 302
    assert "_auth_user_id" not in client.session


def test_code_requests_are_limited(coach_user):
    from django.test import Client

    for _attempt in range(5):  # from fresh browsers, so only the address links them
        Client().post("/accounts/login/code/", {"email": coach_user.email})
    assert len(mail.outbox) == 3  # allauth's default: 3 a minute per address


@pytest.fixture
def totp_secret(coach_user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(coach_user, secret)
    return secret


def test_with_two_factors_a_password_alone_does_not_sign_in(client, coach_user, totp_secret):
    response = sign_in(client, coach_user.email)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    assert client.get("/coach/security/").status_code == 302
    page = client.get("/accounts/2fa/authenticate/")
    assert_site_page(page.content.decode(), "fr")
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    right = client.post("/accounts/2fa/authenticate/", {"code": totp_code(totp_secret)})
    assert right.status_code == 302 and right["Location"] == "/coach/"
    assert client.get("/coach/security/").status_code == 200


def test_with_two_factors_a_login_code_alone_does_not_sign_in(client, coach_user, totp_secret):
    client.post("/accounts/login/code/", {"email": coach_user.email})
    response = client.post("/accounts/login/code/confirm/", {"code": _code_from(mail.outbox[0])})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session


def reauthenticate(client, response):
    """Follow allauth's "confirm your password" step and come back to where it interrupted."""
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/"), response["Location"]
    done = client.post(response["Location"], {"password": PASSWORD})
    assert done.status_code == 302
    return client.get(done["Location"])


def test_totp_pages_render_in_the_sites_look(client, coach_user):
    sign_in(client, coach_user.email)
    page = reauthenticate(client, client.get("/accounts/2fa/totp/activate/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert_site_page(html, "fr")
    assert 'src="data:image/svg+xml' in html  # the QR code, allowed by img-src data:
    secret = re.search(r'id="authenticator_secret"[^>]* value="([A-Z2-7]+)"', html).group(1)
    done = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert done.status_code == 302
    assert Authenticator.objects.filter(user=coach_user, type="totp").exists()
    for path in ["/accounts/2fa/", "/accounts/2fa/recovery-codes/",
                 "/accounts/2fa/totp/deactivate/", "/accounts/2fa/recovery-codes/generate/",
                 "/coach/security/"]:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        assert_site_page(response.content.decode(), "fr")
