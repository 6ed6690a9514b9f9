"""The task worker is down for two days, then comes back (booking.tasks, DESIGN invariant 3).

The rule for reminders (24 h and 1 h before, the default offsets) after an outage:

- a reminder still useful goes out late: the session has not started, and no smaller offset
  is due as well (of several overdue reminders only the one closest to the session is sent);
- none after the session has started, none for a cancelled booking, none twice;
- a booking whose invitation was still queued gets its invitation when the worker returns,
  and only the reminders whose moment is still ahead: the invitation just sent names the time.

Bookings are made on Monday with the worker running, the worker stops, more bookings and a
cancellation happen on Tuesday, and the worker comes back on Wednesday at 09:00 Paris; from
then on it runs whenever a task falls due, until the last session of the week is over.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from booking.models import Booking, SentNotification
from booking.services import booking_cancel
from tests.factories import book

PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime(2027, 3, 1, 8, tzinfo=UTC)  # 09:00 in Paris: the worker stops after this
TUESDAY = MONDAY + timedelta(days=1)
BACK = MONDAY + timedelta(days=2)  # Wednesday 09:00 in Paris: the worker returns
END = datetime(2027, 3, 6, tzinfo=UTC)  # Saturday: every session is over


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def run_worker() -> None:
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay",
                 verbosity=0)


def run_worker_until(frozen, end: datetime) -> None:
    """A worker that is up: it runs each task when it falls due, until `end`."""
    while True:
        due = (DBTaskResult.objects.filter(status="READY", run_after__lte=end)
               .order_by("run_after").values_list("run_after", flat=True).first())
        if due is None:
            return
        if due > timezone.now():
            frozen.move_to(due)
        run_worker()


def sent_reminders() -> dict[tuple[str, int], datetime]:
    """(invitee, offset) → when the reminder went out, for every reminder sent."""
    rows = SentNotification.objects.filter(kind="reminder", sent_at__isnull=False)
    return {(row.booking.invitee_name, row.minutes): row.sent_at for row in rows}


@pytest.mark.django_db(transaction=True)
def test_reminders_after_two_days_without_worker_are_late_never_twice_never_after(
        session_type, frozen):
    assert sorted(session_type.reminder_minutes) == [60, 24 * 60]

    def booking(name: str, start: datetime) -> Booking:
        return book(session_type, start.astimezone(UTC), name=name,
                    email=f"{name.lower()}@example.org")

    over = booking("Over", paris(2, 14))  # Tuesday: over before the worker returns
    both_due = booking("Both", paris(3, 9, 30))  # 24 h and 1 h reminders both overdue
    one_due = booking("One", paris(3, 14))  # 24 h overdue, 1 h still ahead
    on_time = booking("Thursday", paris(4, 9))  # 24 h due the moment the worker returns
    friday = booking("Friday", paris(5, 10))  # nothing due during the outage
    cancelled = booking("Cancelled", paris(3, 15))
    run_worker()  # invitations sent, reminders scheduled; then the worker stops
    assert len(mail.outbox) == 12 and sent_reminders() == {}

    frozen.move_to(TUESDAY)
    queued = booking("Queued", paris(3, 11))  # its invitation waits for the worker
    booking_cancel(booking=cancelled, by="invitee")
    assert len(mail.outbox) == 12  # nothing moves while the worker is down

    frozen.move_to(BACK)
    run_worker()
    assert sent_reminders() == {("Both", 60): BACK, ("One", 1440): BACK,
                                ("Thursday", 1440): BACK}
    invitations = sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox[12:]
                         if m.attachments)
    assert [to for to, _ in invitations].count("Queued <queued@example.org>") == 1
    assert [to for to, _ in invitations].count("Cancelled <cancelled@example.org>") == 1
    assert len(invitations) == 4  # the queued booking's and the cancellation's, to both

    run_worker_until(frozen, END)
    sent = sent_reminders()
    assert set(sent) == {("Both", 60), ("One", 1440), ("One", 60), ("Thursday", 1440),
                         ("Thursday", 60), ("Friday", 1440), ("Friday", 60), ("Queued", 60)}
    starts = {b.invitee_name: b.start for b in (over, both_due, one_due, on_time, friday,
                                                  queued)}
    for (name, minutes), at in sent.items():
        assert at < starts[name], f"{name}'s {minutes}-minute reminder after the session"
        if at > BACK:  # reminders due after the outage went out on time
            assert at == starts[name] - timedelta(minutes=minutes)
    reminders = [m for m in mail.outbox if not m.attachments]
    assert len(reminders) == len(sent)  # none twice
    assert not DBTaskResult.objects.filter(status="FAILED").exists()
