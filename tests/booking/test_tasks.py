import threading
from datetime import UTC, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from booking.invites import booking_uid
from booking.models import Booking, SentNotification
from booking.services import Invitee, booking_cancel, booking_create, booking_reschedule
from booking.tasks import CLAIM_LEASE, RETRY_BACKOFF, notify_booking_changed
from tests.factories import book
from tests.support.icalcheck import assert_ical_check_passes
from tests.support.mail import invite, parse, recipients
from tests.support.mailfail import fail_first
from tests.support.outbox import notify_retries

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
START = datetime(2027, 3, 3, 9, tzinfo=PARIS)
NOTIFY = "booking.tasks.notify_booking_changed"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def run(booking: Booking) -> str:
    booking.refresh_from_db()
    return notify_booking_changed.call(booking.pk, booking.sequence)


@pytest.mark.django_db
def test_new_booking_sends_request_to_invitee_and_coach(session_type, tmp_path):
    booking = book(session_type, START)
    assert run(booking) == "done"
    assert recipients() == sorted(["Ada Lovelace <ada@example.org>",
                                   f"Claire Martin <{session_type.coach.user.email}>"])
    for message in mail.outbox:
        method, ics = invite(message)
        event = Calendar.from_ical(ics).walk("VEVENT")[0]
        assert method == "REQUEST"
        assert str(event["UID"]) == booking_uid(booking.uid)
        assert int(event["SEQUENCE"]) == 0
        assert_ical_check_passes(ics, tmp_path, "created")
    assert SentNotification.objects.filter(sent_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_task_that_runs_twice_sends_once(session_type):
    booking = book(session_type, START)
    run(booking)
    assert run(booking) == "done"
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_cancellation_sends_cancel_to_both(session_type, tmp_path):
    booking = book(session_type, START)
    run(booking)
    booking_cancel(booking=booking, by="invitee", reason="Ill")
    mail.outbox.clear()
    run(booking)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        method, ics = invite(message)
        event = Calendar.from_ical(ics).walk("VEVENT")[0]
        assert method == "CANCEL"
        assert str(event["UID"]) == booking_uid(booking.uid)
        assert str(event["STATUS"]) == "CANCELLED"
        assert int(event["SEQUENCE"]) == 1
        assert_ical_check_passes(ics, tmp_path, "cancelled")


@pytest.mark.django_db
def test_reschedule_sends_request_with_new_time_and_higher_sequence(session_type, tmp_path):
    booking = book(session_type, START, language="en")
    run(booking)
    new_start = START + timedelta(days=1)
    booking_reschedule(booking=booking, start=new_start, by="coach")
    mail.outbox.clear()
    run(booking)
    assert len(mail.outbox) == 2
    invitee_mail = next(m for m in mail.outbox if "ada@example.org" in m.to[0])
    assert invitee_mail.subject.startswith("Moved")
    assert "Previously" in invitee_mail.body
    for message in mail.outbox:
        method, ics = invite(message)
        event = Calendar.from_ical(ics).walk("VEVENT")[0]
        assert method == "REQUEST"
        assert str(event["UID"]) == booking_uid(booking.uid)
        assert int(event["SEQUENCE"]) == 1
        assert event.decoded("DTSTART") == new_start.astimezone(UTC)
        assert_ical_check_passes(ics, tmp_path, "rescheduled")


@pytest.mark.django_db
def test_stale_request_is_skipped_once_the_booking_is_cancelled(session_type):
    booking = book(session_type, START)
    booking_cancel(booking=booking, by="invitee")
    assert notify_booking_changed.call(booking.pk, 0) == "stale"
    assert mail.outbox == []
    assert notify_booking_changed.call(booking.pk, 1) == "done"
    assert {invite(m)[0] for m in mail.outbox} == {"CANCEL"}


@pytest.mark.django_db
def test_move_before_the_first_invite_went_out_reads_as_a_confirmation(session_type):
    booking = book(session_type, START, language="en")
    booking_reschedule(booking=booking, start=START + timedelta(days=1), by="invitee")
    assert notify_booking_changed.call(booking.pk, 0) == "stale"
    run(booking)
    invitee_mail = next(m for m in mail.outbox if "ada@example.org" in m.to[0])
    assert invitee_mail.subject.startswith("Confirmed")


@pytest.mark.django_db
def test_deleted_booking_sends_nothing():
    assert notify_booking_changed.call(987654, 0) == "stale"
    assert mail.outbox == []


@pytest.mark.django_db
def test_mail_failure_keeps_the_booking_and_retries_with_backoff(session_type):
    booking = book(session_type, START)
    with fail_first():  # the invitee's message fails; the coach's goes out regardless
        assert run(booking) == "retry scheduled"
    assert recipients() == [f"Claire Martin <{session_type.coach.user.email}>"]
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED
    # The invitee's failed claim was released; the coach's is marked sent.
    assert list(SentNotification.objects.values_list("role", flat=True)) == ["coach"]
    [retry] = notify_retries()
    assert retry.run_after == NOW + RETRY_BACKOFF[0]
    assert retry.args_kwargs == {"args": [booking.pk, 0],
                                 "kwargs": {"attempt": 1, "roles": ["invitee"]}}
    assert notify_booking_changed.call(booking.pk, 0, attempt=1, roles=["invitee"]) == "done"
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_retry_after_partial_failure_sends_only_what_is_missing(session_type):
    booking = book(session_type, START)
    real = EmailBackend.send_messages

    def coach_fails(self, messages):
        if "ada@example.org" not in messages[0].to[0]:
            raise ConnectionRefusedError("SMTP down")
        return real(self, messages)

    with mock.patch.object(EmailBackend, "send_messages", coach_fails):
        assert run(booking) == "retry scheduled"
    assert recipients() == ["Ada Lovelace <ada@example.org>"]
    notify_booking_changed.call(booking.pk, 0, attempt=1)
    assert len(mail.outbox) == 2
    assert sorted(SentNotification.objects.values_list("role", flat=True)) == [
        "coach", "invitee"]


@pytest.mark.django_db
def test_backoff_grows_then_gives_up(session_type):
    booking = book(session_type, START)
    with fail_first(count=100):
        for attempt in range(len(RETRY_BACKOFF)):
            notify_booking_changed.call(booking.pk, 0, attempt=attempt)
        assert notify_booking_changed.call(booking.pk, 0,
                                           attempt=len(RETRY_BACKOFF)) == "gave up"
    failed = SentNotification.objects.filter(failed_at=NOW, sent_at__isnull=True)
    assert sorted(failed.values_list("role", flat=True)) == ["coach", "invitee"]
    assert all("SMTPServerDisconnected" in n.error for n in failed)
    delays = sorted(r.run_after - NOW for r in notify_retries())
    assert delays == sorted(RETRY_BACKOFF)
    assert delays[0] == timedelta(minutes=1) and delays[-1] >= timedelta(hours=1)
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED


@pytest.mark.django_db
def test_claim_of_a_crashed_worker_is_taken_over_after_the_lease(session_type, frozen):
    booking = book(session_type, START)
    for role in ("invitee", "coach"):  # a worker claimed both, then died before sending
        SentNotification.objects.create(booking=booking, sequence=0, role=role,
                                        kind="request", start=booking.start, claimed_at=NOW)
    run(booking)
    assert mail.outbox == []
    frozen.shift(CLAIM_LEASE + timedelta(seconds=1))
    run(booking)
    assert len(mail.outbox) == 2


def run_worker() -> None:
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay",
                 verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_worker_sends_after_commit_and_mail_waits_while_it_is_down(session_type, frozen):
    booking = book(session_type, START)
    cancelled_one = booking_create(
        session_type=session_type, start=START + timedelta(hours=1),
        invitee=Invitee(name="Bob", email="bob@example.org", timezone=PARIS))
    booking_cancel(booking=cancelled_one, by="coach")
    # No worker yet: nothing is sent and nothing is lost; the tasks wait in the database.
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(task_path=NOTIFY, status="READY").count() == 3
    frozen.shift(timedelta(hours=5))
    run_worker()
    methods = sorted((m.to[0].split("<")[-1].rstrip(">"), invite(m)[0]) for m in mail.outbox)
    coach_email = session_type.coach.user.email
    assert methods == sorted([("ada@example.org", "REQUEST"), (coach_email, "REQUEST"),
                              ("bob@example.org", "CANCEL"), (coach_email, "CANCEL")])
    assert not DBTaskResult.objects.filter(task_path=NOTIFY, status="FAILED").exists()
    run_worker()
    assert len(mail.outbox) == 4
    assert booking.notifications.count() == 2


@pytest.mark.django_db(transaction=True)
def test_worker_retries_a_failed_send_later(session_type, frozen):
    book(session_type, START)
    with fail_first():  # the invitee's send fails; the coach's does not wait for it
        run_worker()
    assert len(mail.outbox) == 1
    retry = DBTaskResult.objects.get(task_path=NOTIFY, status="READY")
    assert retry.run_after == NOW + RETRY_BACKOFF[0]
    run_worker()  # not yet due
    assert len(mail.outbox) == 1
    frozen.shift(RETRY_BACKOFF[0])
    run_worker()
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_message_once(session_type):
    booking = book(session_type, START)
    barrier = threading.Barrier(2)
    errors = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            notify_booking_changed.call(booking.pk, 0)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_permanent_failure_for_the_invitee_does_not_stop_the_coachs_message(session_type,
                                                                              caplog):
    booking = book(session_type, START)
    real = EmailBackend.send_messages

    def invitee_refused(self, messages):
        if "ada@example.org" in messages[0].to[0]:
            raise UnicodeEncodeError("ascii", "ü", 0, 1, "no retry can cure this")
        return real(self, messages)

    with mock.patch.object(EmailBackend, "send_messages", invitee_refused):
        assert run(booking) == "done"
    assert recipients() == [f"Claire Martin <{session_type.coach.user.email}>"]
    assert notify_retries() == []  # nothing a retry could fix
    failed = SentNotification.objects.get(role="invitee")
    assert failed.failed_at == NOW and failed.sent_at is None
    assert "UnicodeEncodeError" in failed.error
    assert any(r.levelname == "ERROR" and "Giving up" in r.getMessage() for r in caplog.records)
    run(booking)  # a task that runs again does not retry what was given up
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_international_domain_is_sent_idna_encoded(session_type):
    booking = book(session_type, START, email="zoe@müller.de")
    assert run(booking) == "done"
    to = [m for m in mail.outbox if "mller" in m.to[0]]
    assert len(to) == 1
    assert parse(to[0])["To"].addresses[0].addr_spec == "zoe@xn--mller-kva.de"
