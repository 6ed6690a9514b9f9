"""The mail server is down when a booking is made: the booking stands, its emails wait in the
task queue, failed sends are retried with growing waits (booking.tasks.RETRY_BACKOFF), and
once the server is back each email reaches it exactly once.

The server is real (aiosmtpd on the loopback, tests/support/smtp_server.py), reached by
Django's SMTP backend over TCP; the booking goes through the public API's view; the worker is
`db_worker --batch`, run whenever the frozen clock reaches a retry's time.
"""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from booking.invites import booking_uid
from booking.models import Booking, SentNotification
from booking.tasks import RETRY_BACKOFF, notify_booking_changed
from tests.support.smtp_server import SmtpServer

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)  # Monday 09:00 in Paris
START = datetime(2027, 3, 4, 9, tzinfo=PARIS)  # Thursday: no reminder is due for days
NOTIFY = "booking.tasks.notify_booking_changed"

transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def smtp(settings):
    """A real SMTP server, not yet started; Django's mail settings point at it."""
    server = SmtpServer()
    for name, value in server.settings.items():
        setattr(settings, name, value)
    yield server
    server.stop()


def run_worker() -> None:
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay",
                 verbosity=0)


def book_through_the_api(start: datetime) -> str:
    payload = {"type": "discovery", "start": start.isoformat(), "name": "Ada Lovelace",
               "email": "ada@example.org", "tz": "Europe/Paris", "consent": True}
    answer = Client().post("/api/v1/coaches/demo/bookings", json.dumps(payload),
                           content_type="application/json")
    assert answer.status_code == 201, answer.content
    return answer.json()["uid"]


def pending_retry() -> DBTaskResult:
    [retry] = DBTaskResult.objects.filter(task_path=NOTIFY, status="READY")
    return retry


def invitations(smtp: SmtpServer) -> list[tuple[str, str, str]]:
    """(recipient, METHOD, UID) of every accepted message that carries an invitation."""
    found = []
    for message, (_, recipients) in zip(smtp.messages, smtp.envelopes, strict=True):
        calendar = next((p for p in message.walk() if p.get_content_type() == "text/calendar"),
                        None)
        if calendar is None:
            continue
        event = Calendar.from_ical(calendar.get_content()).walk("VEVENT")[0]
        found += [(recipient, calendar.get_param("method"), str(event["UID"]))
                  for recipient in recipients]
    return sorted(found)


@transactional
def test_booking_made_while_the_mail_server_is_down_is_mailed_once_when_it_returns(
        session_type, smtp, frozen):
    uid = book_through_the_api(START)

    run_worker()  # nothing listens on the mail port: both sends are refused
    booking = Booking.objects.get(uid=uid)
    assert booking.status == Booking.Status.CONFIRMED
    assert smtp.messages == []
    assert not SentNotification.objects.exists()  # the failed claims were dropped
    first_retry = pending_retry()
    assert first_retry.run_after == NOW + RETRY_BACKOFF[0]
    assert sorted(first_retry.args_kwargs["kwargs"]["roles"]) == ["coach", "invitee"]

    smtp.start()
    smtp.deferring = True  # back, but refusing mail for now (451)
    frozen.move_to(first_retry.run_after)
    run_worker()
    assert smtp.messages == []
    second_retry = pending_retry()
    assert second_retry.run_after - first_retry.run_after == RETRY_BACKOFF[1]
    assert second_retry.args_kwargs["kwargs"]["attempt"] == 2

    smtp.deferring = False
    frozen.move_to(second_retry.run_after - timedelta(seconds=1))
    run_worker()  # the retry is not due yet
    assert smtp.messages == []
    frozen.move_to(second_retry.run_after)
    run_worker()
    coach_email = session_type.coach.user.email
    delivered = sorted([("ada@example.org", "REQUEST", booking_uid(booking.uid)),
                        (coach_email, "REQUEST", booking_uid(booking.uid))])
    assert invitations(smtp) == delivered
    assert not DBTaskResult.objects.filter(task_path=NOTIFY, status="READY").exists()

    # Later runs of the worker, and the first task run once more, send nothing more.
    frozen.shift(timedelta(hours=2))
    run_worker()
    assert notify_booking_changed.call(booking.pk, booking.sequence) == "done"
    assert invitations(smtp) == delivered
    assert smtp.recipients() == sorted(["ada@example.org", coach_email])
    assert SentNotification.objects.filter(sent_at__isnull=False).count() == 2
