"""The task rows the services write in a change's transaction (DESIGN invariant 3)."""

from django_tasks_db.models import DBTaskResult

NOTIFY = "booking.tasks.notify_booking_changed"


def notify_args(booking=None) -> list[list]:
    """The sorted [booking pk, SEQUENCE] of every first notification (not its retries)."""
    rows = DBTaskResult.objects.filter(task_path=NOTIFY)
    found = [row.args_kwargs["args"] for row in rows if not row.args_kwargs["kwargs"]]
    return sorted(a for a in found if booking is None or a[0] == booking.pk)


def notify_retries() -> list[DBTaskResult]:
    """The notifications a failed send enqueued again, oldest first."""
    rows = DBTaskResult.objects.filter(task_path=NOTIFY).order_by("enqueued_at")
    return [row for row in rows if row.args_kwargs["kwargs"].get("attempt")]
