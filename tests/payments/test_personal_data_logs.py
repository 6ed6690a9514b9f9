"""No personal data in the logs: a booking's whole life, every logger listened to.

Logs are kept longer and by more hands than the database, and erasure cannot reach them: at
INFO and above they name bookings by id, never the invitee's name, address or message.
"""

import logging
from datetime import datetime, timedelta
from smtplib import SMTPRecipientsRefused
from unittest import mock

import pytest
from django.core.mail.backends.locmem import EmailBackend

from booking.models import Booking
from payments.models import Payment
from tests.payments.conftest import NOW, PARIS, run_worker

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Zéphyrine Quattrocchi"
EMAIL = "zephyrine.quattrocchi@example.net"
MESSAGE = "Je bégaie dès que je parle en réunion"
SECRETS = (NAME, "Zéphyrine", "Quattrocchi", EMAIL, "zephyrine", "bégaie")
TUESDAY_10 = datetime(2027, 3, 2, 10, tzinfo=PARIS)
WEDNESDAY_10 = datetime(2027, 3, 3, 10, tzinfo=PARIS)
TUESDAY_14 = datetime(2027, 3, 2, 14, tzinfo=PARIS)


def refuse_the_address_once():
    """A mail server that refuses the invitee's address once, quoting it, as servers do."""
    real = EmailBackend.send_messages
    calls = {"n": 0}

    def send_messages(self, messages):
        calls["n"] += 1
        if calls["n"] == 1:
            raise SMTPRecipientsRefused({EMAIL: (450, f"<{EMAIL}>: mailbox busy".encode())})
        return real(self, messages)

    return mock.patch.object(EmailBackend, "send_messages", send_messages)


def book(client, type_slug: str, start: datetime) -> dict:
    answer = client.post("/api/v1/coaches/demo/bookings", {
        "type": type_slug, "start": start.isoformat(), "name": NAME, "email": EMAIL,
        "message": MESSAGE, "consent": True}, content_type="application/json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def token(answer: dict) -> str:
    return answer["manage_url"].rstrip("/").rsplit("/", 1)[-1]


def test_no_personal_data_reaches_the_logs_over_a_bookings_life(
        client, stripe_server, session_type, paid_type, clock, caplog, settings):
    settings.BOOKING_RATE_LIMITS = "off"
    caplog.set_level(logging.DEBUG)  # the root logger: every logger's records reach caplog

    free = book(client, "discovery", TUESDAY_10)
    with refuse_the_address_once():
        run_worker()  # the invitation fails once, with the address in the server's answer
    clock.move_to(NOW + timedelta(minutes=2))
    run_worker()  # and goes out on the retry
    moved = client.post(f"/api/v1/manage/{token(free)}/reschedule",
                        {"start": WEDNESDAY_10.isoformat()}, content_type="application/json")
    assert moved.status_code == 200, moved.content
    run_worker()

    paid = book(client, "paid", TUESDAY_14)
    session_id = Payment.objects.get(booking__uid=paid["uid"]).checkout_session_id
    stripe_server.complete(session_id)  # the signed webhook confirms it
    assert Booking.objects.get(uid=paid["uid"]).status == Booking.Status.CONFIRMED
    run_worker()

    clock.move_to(WEDNESDAY_10 - timedelta(hours=24))
    run_worker()  # the reminder
    cancelled = client.post(f"/api/v1/manage/{token(free)}/cancel",
                            {"reason": f"{NAME} est malade"}, content_type="application/json")
    assert cancelled.status_code == 200, cancelled.content
    run_worker()
    erased = client.post(f"/api/v1/manage/{token(paid)}/erase")
    assert erased.status_code == 200, erased.content
    run_worker()  # the cancellation, the refund and its notice
    clock.move_to(WEDNESDAY_10 + timedelta(days=2))
    run_worker()  # the erasure's deferred anonymisation

    assert not Booking.objects.filter(invitee_email=EMAIL).exists()
    shown = [(record, caplog.handler.format(record)) for record in caplog.records
             if record.levelno >= logging.INFO]
    assert any("Mail failed" in text for _, text in shown)  # the listening works
    assert any("Stripe event" in text for _, text in shown)
    leaks = [f"{record.name} {record.levelname}: {text}" for record, text in shown
             if any(secret.lower() in text.lower() for secret in SECRETS)]
    assert leaks == []
