"""Background jobs of bookings. Each is enqueued inside its change's transaction (an outbox)
and is safe to run twice.

Every email is claimed first: a SentNotification row keyed by (booking, SEQUENCE, role,
kind, minutes), created inside its own transaction under a unique constraint. The run that
creates it sends, then marks it sent; a second run finds the row and sends nothing. If the
mail server fails, the claim is dropped and the task is enqueued again later (RETRY_BACKOFF),
so nothing is lost and the booking is kept. A claim left unsent by a worker that died
mid-send may be taken over after CLAIM_LEASE. Tasks wait in the database while no worker
runs: mail is late, never lost.

Reminders (DESIGN invariant 3):
- They are scheduled once per SEQUENCE, right after the invitee's invitation for it reached
  the mail server, one task per offset in `SessionType.reminder_minutes`, to run at
  start − minutes. Offsets already past at that moment are dropped: the invitation just sent
  names the time.
- A reminder is sent only if the booking is still confirmed at the same SEQUENCE (a move or a
  cancellation raises it, so the old time's reminders stop themselves), and only before the
  session starts. A worker that was down sends it late; if a smaller offset is due too, only
  the one closest to the session goes out.
"""

import logging
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from booking import emails
from booking.models import Booking, BookingEvent, SentNotification

logger = logging.getLogger(__name__)

RETRY_BACKOFF = tuple(timedelta(minutes=m) for m in (1, 5, 15, 60, 240, 720))
CLAIM_LEASE = timedelta(minutes=15)
# Errors a later attempt may not meet again: the server refused or could not be reached.
TRANSIENT_ERRORS = (SMTPException, OSError)

Role = SentNotification.Role
Kind = SentNotification.Kind


def _load(booking_pk: int) -> Booking | None:
    return (Booking.objects.select_related("coach__user", "session_type")
            .filter(pk=booking_pk).first())


def claim(booking: Booking, *, role: str, kind: str, now: datetime,
          minutes: int = 0) -> SentNotification | None:
    """The claim on one message, or None when another run holds it or has sent it."""
    key = {"booking": booking, "sequence": booking.sequence, "role": role, "kind": kind,
           "minutes": minutes}
    try:
        with transaction.atomic():
            return SentNotification.objects.create(**key, start=booking.start, claimed_at=now)
    except IntegrityError:
        pass
    # The conditional update is atomic: of two runs taking over a stale claim, one wins.
    # A message given up on (failed_at) stays given up: only a person may decide to resend.
    taken = SentNotification.objects.filter(
        **key, sent_at__isnull=True, failed_at__isnull=True,
        claimed_at__lt=now - CLAIM_LEASE).update(claimed_at=now)
    return SentNotification.objects.get(**key) if taken else None


def _previous_start(booking: Booking, role: str) -> datetime | None:
    """The start the last invitation to `role` announced, if one went out before this one."""
    last = (SentNotification.objects
            .filter(booking=booking, role=role, kind=Kind.REQUEST,
                    sequence__lt=booking.sequence, sent_at__isnull=False)
            .order_by("-sequence").first())
    return last.start if last else None


def _build(booking: Booking, *, role: str, kind: str, now: datetime):
    if kind == Kind.REMINDER:
        return emails.reminder_message(booking)
    if kind == Kind.CANCEL:
        return emails.booking_message(booking, role=role, kind="cancelled", now=now)
    previous = _previous_start(booking, role)
    moved = previous is not None and previous != booking.start
    if not moved:
        return emails.booking_message(booking, role=role, kind="confirmed", now=now)
    return emails.booking_message(booking, role=role, kind="rescheduled", now=now,
                                  previous_start=previous, **_move_messages(booking))


def _move_messages(booking: Booking) -> dict[str, str]:
    """What the person who made this SEQUENCE's move wrote, keyed by who it was."""
    found = (BookingEvent.objects
             .filter(booking=booking, sequence=booking.sequence,
                     kind=BookingEvent.Kind.RESCHEDULED)
             .values_list("actor", "message").first())
    if not found or not found[1]:
        return {}
    actor, message = found
    if actor == Booking.CancelledBy.COACH:
        return {"coach_message": message}
    if actor == Booking.CancelledBy.INVITEE:
        return {"invitee_message": message}
    return {}


def send_once(booking: Booking, *, role: str, kind: str, now: datetime,
              minutes: int = 0) -> bool:
    """Claim, send, mark sent; False when the message was already claimed or sent.

    A failed send drops the claim and re-raises, so that a retry can claim it again.
    """
    notification = claim(booking, role=role, kind=kind, now=now, minutes=minutes)
    if notification is None:
        return False
    try:
        _build(booking, role=role, kind=kind, now=now).send()
    except BaseException:
        notification.delete()
        raise
    SentNotification.objects.filter(pk=notification.pk).update(sent_at=timezone.now())
    return True


def retry_at(attempt: int, now: datetime) -> datetime | None:
    """When attempt number `attempt + 1` should run, or None once retries are used up."""
    if attempt >= len(RETRY_BACKOFF):
        return None
    return now + RETRY_BACKOFF[attempt]


def reminder_offsets(booking: Booking) -> list[int]:
    """The session type's reminder offsets in minutes, largest first, ignoring bad entries."""
    raw = booking.session_type.reminder_minutes or []
    valid = {m for m in raw if isinstance(m, int) and not isinstance(m, bool) and m > 0}
    return sorted(valid, reverse=True)


def schedule_reminders(booking: Booking, *, now: datetime) -> list[int]:
    """Enqueue this SEQUENCE's reminders whose moment is still ahead; returns their offsets."""
    scheduled = []
    for minutes in reminder_offsets(booking):
        due = booking.start - timedelta(minutes=minutes)
        if due > now:
            send_reminder.using(run_after=due).enqueue(booking.pk, booking.sequence, minutes)
            scheduled.append(minutes)
    return scheduled


def _never_announced(booking: Booking) -> bool:
    """A hold the system released before any invitation: no calendar has it, so no CANCEL.

    A booking a person cancels is always told, even if its invitation was still queued.
    """
    return (booking.cancelled_by == Booking.CancelledBy.SYSTEM
            and not booking.notifications.filter(kind=Kind.REQUEST).exists())


def give_up(booking: Booking, *, role: str, kind: str, now: datetime, error: BaseException,
            minutes: int = 0) -> None:
    """Record that this message will not be sent, and say so loudly (log ERROR, admin)."""
    SentNotification.objects.update_or_create(
        booking=booking, sequence=booking.sequence, role=role, kind=kind, minutes=minutes,
        defaults={"start": booking.start, "claimed_at": now, "failed_at": now,
                  "error": f"{type(error).__name__}: {error}"[:2000]})
    # The error's class only: a mail server's message may quote the address (no personal
    # data in logs); the whole text is on the SentNotification row, for the admin.
    logger.error("Giving up the %s %s to the %s of booking %s #%s: %s", kind,
                 "email" if minutes == 0 else f"({minutes} min)", role, booking.pk,
                 booking.sequence, type(error).__name__)


def _notify_kind(booking: Booking) -> str | None:
    """What this SEQUENCE announces: REQUEST, CANCEL, or None when there is nothing to say."""
    if booking.status == Booking.Status.CANCELLED:
        return None if _never_announced(booking) else Kind.CANCEL
    if booking.status == Booking.Status.CONFIRMED:
        return Kind.REQUEST
    return None


def _deliver(booking: Booking, roles: list[str], kind: str, now: datetime) -> list[tuple]:
    """Send to each role independently; the (role, error) pairs a later attempt may cure.

    One recipient's failure never stops the other's message: each is claimed and sent alone.
    """
    transient = []
    for role in roles:
        try:
            sent = send_once(booking, role=role, kind=kind, now=now)
        except TRANSIENT_ERRORS as exc:
            transient.append((role, exc))
            continue
        except Exception as exc:  # a message no retry can fix (a bad address, a template bug)
            give_up(booking, role=role, kind=kind, now=now, error=exc)
            continue
        if sent and role == Role.INVITEE and kind == Kind.REQUEST:
            schedule_reminders(booking, now=timezone.now())
    return transient


@task()
def notify_booking_changed(booking_pk: int, sequence: int, attempt: int = 0,
                           roles: list[str] | None = None) -> str:
    """Send the invitee and the coach the invite (or cancellation) for this SEQUENCE.

    A task for an older SEQUENCE than the booking's sends nothing: the newer change enqueued
    its own task, which sends the current state (the CANCEL rather than an outdated REQUEST).
    `roles` (default both) lets a retry send only the messages that failed.
    """
    booking = _load(booking_pk)
    if booking is None or booking.sequence != sequence:
        return "stale"
    if booking.anonymised_at is not None:
        return "erased"  # no address left to write to (booking.privacy)
    kind = _notify_kind(booking)
    if kind is None:
        return "nothing to send"
    now = timezone.now()
    failed = _deliver(booking, roles or [Role.INVITEE.value, Role.COACH.value], kind, now)
    if not failed:
        return "done"
    when = retry_at(attempt, now)
    if when is None:
        for role, exc in failed:
            give_up(booking, role=role, kind=kind, now=now, error=exc)
        return "gave up"
    logger.warning("Mail failed for booking %s #%s (%s); retrying at %s", booking_pk, sequence,
                   "; ".join(f"{role}: {type(exc).__name__}" for role, exc in failed),
                   when.isoformat())
    notify_booking_changed.using(run_after=when).enqueue(
        booking_pk, sequence, attempt=attempt + 1, roles=[str(role) for role, _ in failed])
    return "retry scheduled"


def _superseded(booking: Booking, minutes: int, now: datetime) -> bool:
    return any(m < minutes and booking.start - timedelta(minutes=m) <= now
               for m in reminder_offsets(booking))


@task()
def send_reminder(booking_pk: int, sequence: int, minutes: int, attempt: int = 0) -> str:
    """Remind the invitee `minutes` before the session (late is fine, after the start not)."""
    booking = _load(booking_pk)
    if (booking is None or booking.sequence != sequence
            or booking.status != Booking.Status.CONFIRMED):
        return "stale"
    now = timezone.now()
    if now >= booking.start:
        return "too late"
    if _superseded(booking, minutes, now):
        return "superseded"
    try:
        sent = send_once(booking, role=Role.INVITEE, kind=Kind.REMINDER, now=now,
                         minutes=minutes)
    except TRANSIENT_ERRORS as exc:
        when = retry_at(attempt, now)
        if when is None or when >= booking.start:
            give_up(booking, role=Role.INVITEE, kind=Kind.REMINDER, now=now, error=exc,
                    minutes=minutes)
            return "gave up"
        send_reminder.using(run_after=when).enqueue(booking_pk, sequence, minutes,
                                                    attempt=attempt + 1)
        return "retry scheduled"
    return "sent" if sent else "already sent"
