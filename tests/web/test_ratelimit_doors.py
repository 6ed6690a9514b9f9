"""Booking rate limits at both doors (page form and public API): an address's attempts are all
counted, an email's allowance only by bookings made, so that others' refused attempts naming an
email never lock its owner out (web.ratelimit)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from availability.models import SessionType
from booking.models import Booking
from tests.support.html import iso

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
TUESDAY_9 = datetime(2027, 3, 2, 9, tzinfo=PARIS)
BOOK = "/demo/discovery/book/"
API = "/api/v1/coaches/demo/bookings"
VICTIM = "victim@example.net"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def unlimited(session_type):
    session_type.limit_policy = SessionType.LimitPolicy.UNLIMITED
    session_type.max_future_bookings = None
    session_type.save()
    return session_type


def start(n: int) -> datetime:
    """The n-th free slot of Tuesday (09:00, 09:30, …)."""
    return TUESDAY_9 + timedelta(minutes=30 * n)


def page_post(ip: str, *, email: str = VICTIM, at: datetime = TUESDAY_9, **changes) -> int:
    data = {"start": iso(at), "tz": "Europe/Paris", "name": "Ada Lovelace", "email": email,
            "message": "", "consent": "on", "website": "", **changes}
    return Client(REMOTE_ADDR=ip).post(BOOK, data).status_code


def api_post(ip: str, *, email: str = VICTIM, at: datetime = TUESDAY_9, **changes) -> int:
    body = {"type": "discovery", "start": at.isoformat(), "name": "Ada Lovelace",
            "email": email, "consent": True, **changes}
    return Client(REMOTE_ADDR=ip).post(API, body, content_type="application/json").status_code


DOORS = {"page": (page_post, 302), "api": (api_post, 201)}


def invalid_attempts(post, at_taken: datetime) -> list[int]:
    """Seven refused attempts naming VICTIM, from seven addresses, refused for many reasons."""
    return [
        post("192.0.2.1", name=""),
        post("192.0.2.2", at=TUESDAY_9 + timedelta(minutes=10)),  # off the grid
        post("192.0.2.3", at=datetime(2027, 3, 6, 9, tzinfo=PARIS)),  # a Saturday
        post("192.0.2.4", at=at_taken),  # taken
        post("192.0.2.5", at=at_taken),
        post("192.0.2.6", consent=""),
        post("192.0.2.7", at=NOW - timedelta(days=1)),  # past
    ]


@pytest.mark.parametrize("door", DOORS)
def test_refused_attempts_naming_an_email_leave_its_owner_free_to_book(unlimited, door):
    post, created = DOORS[door]
    assert post("198.51.100.1", email="first@example.org", at=start(3)) == created

    statuses = invalid_attempts(post, at_taken=start(3))

    assert all(400 <= status < 500 and status != 429 for status in statuses), statuses
    assert post("203.0.113.9") == created  # the owner, from her own address
    assert Booking.objects.filter(invitee_email=VICTIM).count() == 1


@pytest.mark.parametrize("door", DOORS)
def test_scripted_bookings_for_one_email_are_stopped_after_three(unlimited, door):
    post, created = DOORS[door]

    statuses = [post(f"192.0.2.{n}", at=start(n)) for n in range(5)]

    assert statuses == [created] * 3 + [429, 429]
    assert Booking.objects.filter(invitee_email=VICTIM).count() == 3


@pytest.mark.parametrize("door", DOORS)
def test_many_attempts_from_one_address_are_stopped(unlimited, door):
    post, created = DOORS[door]

    statuses = [post("192.0.2.1", email=f"p{n}@example.org", name="" if n % 2 else "Ada",
                     at=start(n)) for n in range(7)]

    assert statuses[5:] == [429, 429]  # the default 5/m/ip counts refused attempts too
    assert statuses[:5] == [created, 400, created, 400, created]
    assert Booking.objects.count() == 3


def test_the_page_says_why_the_email_is_refused(unlimited, settings):
    settings.BOOKING_RATE_LIMITS = "1/h/key"
    client = Client(REMOTE_ADDR="192.0.2.1")
    assert page_post("192.0.2.1") == 302

    response = client.post(BOOK, {"start": iso(start(1)), "tz": "Europe/Paris", "name": "Ada",
                                  "email": VICTIM.upper(), "consent": "on", "website": ""})

    assert response.status_code == 429
    assert "Trop de réservations pour cette adresse" in response.content.decode()


def test_the_api_says_why_the_email_is_refused(unlimited, settings):
    settings.BOOKING_RATE_LIMITS = "1/h/key"
    assert api_post("192.0.2.1") == 201

    response = Client().post(API, {"type": "discovery", "start": start(1).isoformat(),
                                   "name": "Ada", "email": VICTIM, "consent": True},
                             content_type="application/json")

    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited"
