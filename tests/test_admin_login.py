"""/admin/login/ is rate-limited with allauth's `login_failed` rules (config.admin_login)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 3, 1, 8, tzinfo=UTC)
LOGIN = "/admin/login/?next=/admin/"
EMAIL = "operator@example.com"


@pytest.fixture
def operator():
    return UserFactory(email=EMAIL, password="right-password", is_staff=True,
                       is_superuser=True)


def attempt(password: str, *, ip: str = "203.0.113.7", username: str = EMAIL):
    client = Client(REMOTE_ADDR=ip)
    return client, client.post(LOGIN, {"username": username, "password": password})


def test_the_right_password_signs_in(operator):
    client, response = attempt("right-password")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_after_five_failures_even_the_right_password_is_refused_for_five_minutes(operator):
    with time_machine.travel(T0, tick=False) as clock:
        failures = [attempt("wrong", ip=f"198.51.100.{n}")[1].status_code for n in range(5)]
        assert failures == [200] * 5  # the form again, with Django's error

        client, response = attempt("right-password")

        assert response.status_code == 429
        assert "Trop de tentatives de connexion" in response.content.decode()
        assert client.get("/admin/").status_code == 302  # not signed in

        clock.move_to(T0 + timedelta(minutes=5, seconds=1))
        assert attempt("right-password")[1].status_code == 302


def test_one_address_is_stopped_whatever_the_usernames(operator):
    with time_machine.travel(T0, tick=False):
        statuses = [attempt("wrong", username=f"u{n}@example.com")[1].status_code
                    for n in range(11)]
    assert statuses == [200] * 10 + [429]  # allauth's default 10/m/ip


def test_successful_sign_ins_do_not_use_up_the_allowance(operator):
    # allauth gives a use back by its timestamp: let the clock move between attempts.
    with time_machine.travel(T0, tick=False) as clock:
        def at(second: int, password: str, ip: str) -> int:
            clock.move_to(T0 + timedelta(seconds=second))
            return attempt(password, ip=ip)[1].status_code

        assert [at(n, "wrong", "198.51.100.1") for n in range(4)] == [200] * 4
        assert [at(n, "right-password", "198.51.100.2") for n in (4, 5, 6)] == [302] * 3
        assert at(7, "wrong", "198.51.100.1") == 200
        assert at(8, "right-password", "198.51.100.2") == 429


def test_the_refusal_speaks_english_when_asked(operator):
    for _ in range(5):
        attempt("wrong")
    response = Client().post(LOGIN, {"username": EMAIL, "password": "wrong"},
                             headers={"accept-language": "en"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_getting_the_form_is_never_limited(operator):
    for _ in range(12):
        attempt("wrong")
    assert Client().get(LOGIN).status_code == 200
