from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from booking.models import Booking, SentNotification
from booking.services import booking_cancel, booking_reschedule
from booking.tasks import RETRY_BACKOFF, send_reminder
from tests.factories import book
from tests.support.mailfail import fail_first

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)  # Monday 09:00 in Paris
START = datetime(2027, 3, 3, 8, tzinfo=UTC)  # Wednesday 09:00 in Paris
DAY_BEFORE = START - timedelta(hours=24)
HOUR_BEFORE = START - timedelta(hours=1)
REMINDER = "booking.tasks.send_reminder"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def run_worker() -> None:
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay",
                 verbosity=0)


def reminders() -> list:
    """Sent reminders: the only emails without an invitation attached."""
    return [m for m in mail.outbox if not m.attachments]


def at(frozen, instant: datetime) -> None:
    frozen.move_to(instant)
    run_worker()


transactional = pytest.mark.django_db(transaction=True)


@transactional
def test_reminders_go_out_24h_and_1h_before_in_the_invitee_language(session_type, frozen):
    booking = book(session_type, START, language="en", zone=NEW_YORK)
    run_worker()
    assert len(mail.outbox) == 2 and reminders() == []
    scheduled = DBTaskResult.objects.filter(task_path=REMINDER).order_by("run_after")
    assert [r.run_after for r in scheduled] == [DAY_BEFORE, HOUR_BEFORE]

    at(frozen, DAY_BEFORE - timedelta(seconds=1))
    assert reminders() == []
    at(frozen, DAY_BEFORE)
    assert len(reminders()) == 1
    at(frozen, HOUR_BEFORE - timedelta(seconds=1))
    assert len(reminders()) == 1
    at(frozen, HOUR_BEFORE)
    assert len(reminders()) == 2
    at(frozen, HOUR_BEFORE + timedelta(minutes=10))
    assert len(reminders()) == 2

    reminder = reminders()[-1]
    assert reminder.to == ["Ada Lovelace <ada@example.org>"]
    assert reminder.subject.startswith("Reminder")
    assert booking.manage_url in reminder.body
    assert "America/New_York" in reminder.body and "3:00 AM" in reminder.body
    assert sorted(SentNotification.objects.filter(kind="reminder")
                  .values_list("minutes", flat=True)) == [60, 1440]


@transactional
def test_no_reminder_for_a_cancelled_booking(session_type, frozen):
    booking = book(session_type, START)
    run_worker()
    booking_cancel(booking=booking, by="invitee")
    for instant in (DAY_BEFORE, HOUR_BEFORE):
        at(frozen, instant)
    assert reminders() == []
    assert len(mail.outbox) == 4  # the two invitations and the two cancellations


@transactional
def test_no_reminder_for_a_moved_booking_old_time(session_type, frozen):
    booking = book(session_type, START)
    run_worker()
    new_start = START + timedelta(days=2)  # Friday 09:00 in Paris
    booking_reschedule(booking=booking, start=new_start, by="invitee")
    at(frozen, DAY_BEFORE)
    at(frozen, HOUR_BEFORE)
    assert reminders() == []
    at(frozen, new_start - timedelta(hours=24))
    at(frozen, new_start - timedelta(hours=1))
    assert len(reminders()) == 2
    assert all("vendredi" in m.body for m in reminders())
    assert set(SentNotification.objects.filter(kind="reminder")
               .values_list("sequence", flat=True)) == {1}


@transactional
def test_worker_down_sends_the_closest_reminder_late(session_type, frozen):
    book(session_type, START)
    run_worker()
    # The worker was down from before the 24 h reminder until 30 minutes before the start.
    at(frozen, START - timedelta(minutes=30))
    assert len(reminders()) == 1
    assert SentNotification.objects.get(kind="reminder").minutes == 60
    at(frozen, START - timedelta(minutes=20))
    assert len(reminders()) == 1


@transactional
def test_no_reminder_once_the_session_has_started(session_type, frozen):
    book(session_type, START)
    run_worker()
    at(frozen, START)
    assert reminders() == []
    assert not SentNotification.objects.filter(kind="reminder").exists()
    # Both reminders were due and ran, and each refused to remind of a session under way.
    ran = DBTaskResult.objects.filter(task_path=REMINDER)
    assert sorted(ran.values_list("status", "return_value")) == [
        ("SUCCESSFUL", "too late"), ("SUCCESSFUL", "too late")]


@transactional
def test_offsets_already_past_at_booking_are_dropped(session_type, frozen):
    session_type.notice = timedelta(hours=1)
    session_type.reminder_minutes = [24 * 60, 60, 30]
    session_type.save()
    soon = NOW + timedelta(hours=2)  # Monday 11:00 in Paris
    book(session_type, soon)
    run_worker()
    assert sorted(DBTaskResult.objects.filter(task_path=REMINDER)
                  .values_list("run_after", flat=True)) == [soon - timedelta(hours=1),
                                                           soon - timedelta(minutes=30)]
    at(frozen, soon - timedelta(minutes=30))
    assert len(reminders()) == 1  # the 60-minute one is superseded by the 30-minute one


@transactional
def test_reminder_mail_failure_is_retried_before_the_start(session_type, frozen):
    book(session_type, START)
    run_worker()
    frozen.move_to(HOUR_BEFORE)
    with fail_first():
        run_worker()
    assert reminders() == []
    at(frozen, HOUR_BEFORE + RETRY_BACKOFF[0])
    assert len(reminders()) == 1


@pytest.mark.django_db
def test_reminder_task_that_runs_twice_sends_once(session_type, frozen):
    booking = book(session_type, START)
    frozen.move_to(HOUR_BEFORE)
    assert send_reminder.call(booking.pk, 0, 60) == "sent"
    assert send_reminder.call(booking.pk, 0, 60) == "already sent"
    assert len(reminders()) == 1


@pytest.mark.django_db
def test_reminder_gives_up_when_a_retry_would_land_after_the_start(session_type, frozen):
    booking = book(session_type, START)
    frozen.move_to(START - timedelta(seconds=30))
    with fail_first():
        assert send_reminder.call(booking.pk, 0, 60) == "gave up"
    assert not DBTaskResult.objects.filter(task_path=REMINDER).exists()
    [failed] = SentNotification.objects.all()  # visible in the admin, not only in the log
    assert failed.sent_at is None and failed.failed_at is not None
    assert "SMTPServerDisconnected" in failed.error


@pytest.mark.django_db
def test_reminder_checks_the_status_not_only_the_sequence(session_type, frozen):
    booking = book(session_type, START)
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    frozen.move_to(HOUR_BEFORE)
    assert send_reminder.call(booking.pk, 0, 60) == "stale"
    assert reminders() == []
