"""The API's OpenAPI document and docs page, and a property-based run of schemathesis against it.

schemathesis generates requests from /api/v1/openapi.json (valid and invalid ones) and sends
them to the real WSGI application; the only thing asserted for each is that it is not a 5xx.
The run is bounded (few examples per operation) and deterministic (fixed seed, no example
database), so it gives the same verdict on every run and on both databases.
"""

import re
from datetime import UTC, datetime

import hypothesis
import pytest
import schemathesis
import time_machine
from django.contrib.staticfiles import finders
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error

from accounts.tokens import SELECTOR_LENGTH
from api.common import TOKEN_EXAMPLE
from booking.models import Booking
from booking.services import Invitee, booking_create
from tests.factories import CoachFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 2, 25, 8, tzinfo=UTC)
CONTRACT = {
    "/api/v1/coaches/{coach}/session-types": {"get"},
    "/api/v1/coaches/{coach}/slots": {"get"},
    "/api/v1/coaches/{coach}/bookings": {"post"},
    "/api/v1/manage/{token}": {"get"},
    "/api/v1/manage/{token}/cancel": {"post"},
    "/api/v1/manage/{token}/reschedule": {"post"},
    "/api/v1/manage/{token}/data": {"get"},
    "/api/v1/manage/{token}/erase": {"post"},
    "/api/v1/me": {"get"},
    "/api/v1/me/feed/rotate": {"post"},
    "/api/v1/me/bookings": {"get"},
    "/api/v1/me/bookings/{uid}": {"get"},
    "/api/v1/me/bookings/{uid}/cancel": {"post"},
    "/api/v1/me/bookings/{uid}/reschedule": {"post"},
    "/api/v1/me/bookings/{uid}/outcome": {"post"},
    "/api/v1/me/session-types": {"get", "post"},
    "/api/v1/me/session-types/{slug}": {"patch"},
    "/api/v1/me/calendars": {"get", "post"},
    "/api/v1/me/calendars/{id}": {"delete"},
    "/api/v1/me/calendars/{id}/refresh": {"post"},
    "/api/v1/me/availability": {"get"},
    "/api/v1/me/availability/weekly": {"post"},
    "/api/v1/me/availability/time-off": {"post"},
    "/api/v1/me/availability/extra": {"post"},
    "/api/v1/me/availability/weekly/{id}": {"delete"},
    "/api/v1/me/availability/time-off/{id}": {"delete"},
    "/api/v1/me/availability/extra/{id}": {"delete"},
}


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_openapi_document_describes_the_contract(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert {path: set(methods) for path, methods in document["paths"].items()} == CONTRACT
    booking_in = document["components"]["schemas"]["BookingIn"]
    assert booking_in["additionalProperties"] is False
    assert set(booking_in["required"]) == {"type", "start", "name", "email", "consent"}
    assert booking_in["properties"]["start"]["format"] == "date-time"
    create = document["paths"]["/api/v1/coaches/{coach}/bookings"]["post"]
    assert {"201", "400", "404", "409", "413", "429"} <= set(create["responses"])


def test_the_docs_page_loads_nothing_from_another_host(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    urls = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert urls, "the page should load its script and style"
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a local static file"
    assert not re.search(r"https?://", html)
    # Strict CSP: every script is a file or inert JSON, none is inline code.
    for attributes in re.findall(r"<script([^>]*)>", html):
        assert "src=" in attributes or 'type="application/json"' in attributes


KNOWN = {
    # Real values, mixed with generated ones, so requests get past the 404s.
    "coach": ["demo", "coach-0"],
    "token": [TOKEN_EXAMPLE],
    "type": ["discovery", "retired", "elsewhere"],
    "tz": ["America/New_York", "Europe/Paris", "Pacific/Kiritimati"],
    "start": ["2027-03-01T09:00:00+01:00", "2027-03-02T14:30:00+01:00", "2027-03-01"],
}
CONFIG = schemathesis.Config.from_dict({
    "seed": 20270301,
    "generation": {"max-examples": 15, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "dictionaries": {name: {"values": values} for name, values in KNOWN.items()},
    "parameters": {
        "path.coach": {"dictionary": "coach", "probability": 0.7},
        "path.token": {"dictionary": "token", "probability": 0.7},
        "query.type": {"dictionary": "type", "probability": 0.5},
        "query.tz": {"dictionary": "tz", "probability": 0.5},
        "body.type": {"dictionary": "type", "probability": 0.5},
        "body.tz": {"dictionary": "tz", "probability": 0.5},
        "body.start": {"dictionary": "start", "probability": 0.5},
    },
})
# Loaded at collection: the document is built from code and reads no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(), config=CONFIG)


@pytest.fixture
def world(session_type, settings):
    """The real application's connection handling, minus closing it after each request
    (as Django's test client does): that would end the test's transaction and lose its data."""
    settings.BOOKING_RATE_LIMITS = "off"  # let every generated request reach the endpoints
    SessionTypeFactory(coach=session_type.coach, slug="retired", is_active=False)
    SessionTypeFactory(coach=CoachFactory(), slug="elsewhere")
    booking = booking_create(
        session_type=session_type, start=datetime(2027, 3, 1, 9, tzinfo=UTC),
        invitee=Invitee(name="Ann", email="ann@example.com", timezone=session_type.coach.zone))
    # The document's example token opens this booking, so generated requests can reach it.
    Booking.objects.filter(pk=booking.pk).update(
        manage_selector=TOKEN_EXAMPLE[:SELECTOR_LENGTH],
        manage_secret=TOKEN_EXAMPLE[SELECTOR_LENGTH:])
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
# `world` is set up once per operation on purpose: requests pile up bookings and cancellations
# on the same data, as they would on a live site.
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
                     deadline=None)
def test_no_generated_request_gets_a_server_error(case, world):
    case.call_and_validate(checks=[not_a_server_error])
