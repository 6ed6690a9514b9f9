"""schemathesis against the coach API with a valid key: no generated request gets a 5xx."""

from datetime import UTC, datetime

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error

from accounts.apikeys import digest
from accounts.models import ApiKey
from booking.services import Invitee, booking_create
from tests.factories import CoachFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db

KEY = "crn_Qz7fK2mWx9Ab" + "c" * 43  # a made-up key the world below stores
UID = "7d3c8f1e-5a2b-4c6d-8e9f-0a1b2c3d4e5f"
CONFIG = schemathesis.Config.from_dict({
    "seed": 20270302,
    "generation": {"max-examples": 15, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "dictionaries": {"uid": {"values": [UID]},
                     "start": {"values": ["2027-03-02T09:00:00+01:00", "2027-03-01"]}},
    "parameters": {"path.uid": {"dictionary": "uid", "probability": 0.7},
                   "body.start": {"dictionary": "start", "probability": 0.5}},
})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(), config=CONFIG)


@pytest.fixture
def world(session_type, settings):
    ApiKey.objects.create(coach=session_type.coach, name="fuzz", prefix=KEY[4:16],
                          secret_hash=digest(KEY))
    SessionTypeFactory(coach=CoachFactory(), slug="elsewhere")
    booking = booking_create(
        session_type=session_type, start=datetime(2027, 3, 1, 9, tzinfo=UTC),
        invitee=Invitee(name="Ann", email="ann@example.com", timezone=session_type.coach.zone),
        now=datetime(2027, 2, 25, 8, tzinfo=UTC))
    type(booking).objects.filter(pk=booking.pk).update(uid=UID)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.include(path_regex="^/api/v1/me").parametrize()
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
                     deadline=None)
def test_no_generated_coach_request_gets_a_server_error(case, world):
    case.call_and_validate(headers={"Authorization": f"Bearer {KEY}"},
                           checks=[not_a_server_error])
