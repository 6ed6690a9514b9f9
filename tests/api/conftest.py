from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.services import api_key_create
from booking.models import Booking
from tests.factories import CoachFactory, SessionTypeFactory, add_weekday_windows

NOW = datetime(2027, 2, 25, 8, tzinfo=UTC)  # a Thursday, 09:00 in Paris


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def key(coach) -> str:
    return api_key_create(coach=coach, name="tests")[1]


@pytest.fixture
def api(client, key):
    """client with the coach's key: api.get(path), api.post(path, json)."""

    class Api:
        headers = {"Authorization": f"Bearer {key}"}

        def get(self, path: str, **params):
            return client.get(f"/api/v1{path}", params, headers=self.headers)

        def post(self, path: str, body: dict | None = None):
            return client.post(f"/api/v1{path}", body if body is not None else {},
                               content_type="application/json", headers=self.headers)

    return Api()


@pytest.fixture
def other_coach():
    coach = CoachFactory(slug="other", timezone="America/New_York")
    add_weekday_windows(coach)
    SessionTypeFactory(coach=coach)
    return coach


def add_bookings(session_type, count: int, *, first: datetime, status=Booking.Status.CONFIRMED,
                 every: timedelta = timedelta(hours=1), name: str = "Ann") -> list[Booking]:
    """`count` bookings written directly (the services are tested elsewhere), an hour apart."""
    rows = []
    for index in range(count):
        start = first + index * every
        rows.append(Booking(
            coach=session_type.coach, session_type=session_type, status=status,
            start=start, end=start + session_type.duration, blocked_start=start,
            blocked_end=start + session_type.duration, invitee_name=f"{name} {index}",
            invitee_email=f"{name.lower()}{index}@example.com",
            invitee_timezone="America/New_York", invitee_language="en", consent_at=NOW))
    return Booking.objects.bulk_create(rows)
