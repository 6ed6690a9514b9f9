
"""A local Stripe-compatible server per test, with settings pointed at it.

Webhooks the server sends go to the Django view through the test client, signed with
Stripe's real scheme; time is frozen (ticking) on a known Monday so slots are stable.
"""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection as db_connection

from booking.models import Booking
from booking.services import Invitee, booking_create
from tests.factories import SessionTypeFactory
from tests.support.stripe_server import API_KEY, WEBHOOK_SECRET, FakeStripe

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)  # a Monday, 09:00 in Paris
TUESDAY_9 = datetime(2027, 3, 2, 9, tzinfo=PARIS)
WEBHOOK = "/payments/stripe/webhook/"
SUCCESS_URL = "https://creneau.test/paid/?session={CHECKOUT_SESSION_ID}"
CANCEL_URL = "https://creneau.test/unpaid/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def stripe_server(settings, client):
    server = FakeStripe().start()
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = server.url
    settings.STRIPE_TIMEOUT_SECONDS = 1
    settings.STRIPE_MAX_NETWORK_RETRIES = 0

    def deliver(body: bytes, headers: dict[str, str]) -> int:
        try:
            return client.post(WEBHOOK, body, content_type=headers["Content-Type"],
                               headers={"Stripe-Signature": headers["Stripe-Signature"]}
                               ).status_code
        finally:
            if threading.current_thread() is not threading.main_thread():
                # Delivered from one of the fake server's handler threads: close its database
                # connection, or each thread keeps one open (races count them on PostgreSQL).
                db_connection.close()

    server.deliver = deliver
    yield server
    server.stop()


@pytest.fixture
def paid_type(coach):
    return SessionTypeFactory(coach=coach, slug="paid", name="Séance coaching", price_amount=9000,
                              price_currency="eur")


def invitee(n: int | str = 1, language: str = "fr") -> Invitee:
    return Invitee(name=f"Invitee {n}", email=f"invitee{n}@example.org", timezone=PARIS,
                   language=language)


def hold(session_type, start: datetime = TUESDAY_9, who: Invitee | None = None) -> Booking:
    """A paid booking's hold, as the booking page makes it before Checkout."""
    return booking_create(session_type=session_type, start=start, invitee=who or invitee(),
                          status=Booking.Status.PENDING_PAYMENT)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay",
                 verbosity=0)


def later(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)
