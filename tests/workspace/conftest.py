from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from booking.models import Booking
from booking.services import Invitee, booking_create
from tests.factories import CoachFactory, SessionTypeFactory, add_weekday_windows

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 3, 1, 7, tzinfo=UTC)  # Monday 08:00 in Paris
WEDNESDAY_10 = datetime(2027, 3, 3, 10, tzinfo=PARIS)
THURSDAY_15 = datetime(2027, 3, 4, 15, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def book(session_type, start=WEDNESDAY_10, *, name="Ada Lovelace", email="ada@example.org",
         zone=NEW_YORK, message="Bonjour, parlons de ma prise de parole.") -> Booking:
    return booking_create(session_type=session_type, start=start, invitee=Invitee(
        name=name, email=email, timezone=zone, message=message))


@pytest.fixture
def booking(session_type) -> Booking:
    return book(session_type)


@pytest.fixture
def signed_in(client, coach):
    client.force_login(coach.user)
    return client


@pytest.fixture
def other_booking(db) -> Booking:
    """Another coach's booking: every workspace URL must answer 404 for it."""
    other = CoachFactory(slug="autre", display_name="Autre Coach")
    add_weekday_windows(other)
    return book(SessionTypeFactory(coach=other), name="Bob Other", email="bob@example.org")
