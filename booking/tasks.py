"""Background jobs of bookings. Each is enqueued on commit and is safe to run twice."""

from django_tasks import task


@task()
def notify_booking_changed(booking_pk: int, sequence: int) -> None:
    """Send the invitee and the coach the invite (or cancellation) for this SEQUENCE.

    Filled in with emails by the invitations issue; enqueued by every booking service now.
    """
