"""Writes of bookings: create, cancel, reschedule. The only code that saves a Booking.

Invariant 2 (no overlap, buffers included) holds three ways: the engine re-checks the slot
inside the transaction; on SQLite that transaction holds the write lock from BEGIN; on
PostgreSQL the exclusion constraint `booking_no_overlap` refuses a second overlapping row and
the IntegrityError becomes SlotTaken.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from availability.models import SessionType
from availability.slots import Refusal
from booking import errors
from booking.locks import lock
from booking.models import Booking
from booking.selectors import SlotFacts
from booking.tasks import notify_booking_changed


@dataclass(frozen=True, slots=True)
class Invitee:
    name: str
    email: str
    timezone: ZoneInfo
    language: str = "fr"
    message: str = ""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _notify_on_commit(booking: Booking) -> None:
    pk, sequence = booking.pk, booking.sequence
    transaction.on_commit(lambda: notify_booking_changed.enqueue(pk, sequence))


def _check_person_limit(*, session_type: SessionType, email: str, start: datetime,
                        now: datetime, exclude: Booking | None = None) -> None:
    theirs = Booking.objects.filter(session_type=session_type, invitee_email=email).exclude(
        status=Booking.Status.CANCELLED)
    if exclude is not None:
        theirs = theirs.exclude(pk=exclude.pk)
    policy = SessionType.LimitPolicy
    if session_type.limit_policy == policy.ONCE and theirs.exists():
        raise errors.LimitReached(errors.LIMIT_REACHED)
    if session_type.limit_policy == policy.PER_PERIOD and session_type.limit_period_days:
        period = timedelta(days=session_type.limit_period_days)
        if theirs.filter(start__gt=start - period, start__lt=start + period).exists():
            raise errors.LimitReached(errors.LIMIT_REACHED)
    if session_type.max_future_bookings is not None:
        upcoming = theirs.filter(status__in=Booking.ACTIVE_STATUSES, start__gte=now).count()
        if upcoming >= session_type.max_future_bookings:
            raise errors.LimitReached(errors.FUTURE_LIMIT_REACHED)


def _check_slot(*, session_type: SessionType, start: datetime, now: datetime,
                exclude: Booking | None = None) -> None:
    if session_type.daily_cap is not None:
        # Two bookings on one day would each see the day one short of its cap.
        lock(f"booking:day:{session_type.coach_id}:{start.astimezone(session_type.coach.zone).date()}")
    facts = SlotFacts(session_type=session_type, start=start, end=start + session_type.duration,
                      exclude_booking=exclude)
    reason = facts.refusal(start, now=now)
    if reason is Refusal.TAKEN:
        raise errors.SlotTaken()
    if reason is not None:
        raise errors.SlotUnavailable(reason)


def booking_create(*, session_type: SessionType, start: datetime, invitee: Invitee,
                   now: datetime | None = None) -> Booking:
    """Book `start` for `invitee`, re-checking every rule at write time.

    Raises SlotTaken, SlotUnavailable, LimitReached or BookingError; never two rows.
    """
    now = now or timezone.now()
    if not session_type.is_active:
        raise errors.BookingError(errors.TYPE_INACTIVE, code="type_inactive")
    start = start.astimezone(UTC)
    email = normalize_email(invitee.email)
    booking = Booking(
        coach=session_type.coach,
        session_type=session_type,
        start=start,
        end=start + session_type.duration,
        blocked_start=start - session_type.buffer_before,
        blocked_end=start + session_type.duration + session_type.buffer_after,
        status=Booking.Status.CONFIRMED,
        invitee_name=invitee.name.strip(),
        invitee_email=email,
        invitee_timezone=invitee.timezone,
        invitee_language=invitee.language,
        message=invitee.message.strip(),
        consent_at=now,
    )
    booking.clean_fields()
    try:
        with transaction.atomic():
            # One person's bookings are serialised so the per-person limit cannot be raced.
            lock(f"booking:person:{session_type.coach_id}:{email}")
            _check_person_limit(session_type=session_type, email=email, start=start, now=now)
            _check_slot(session_type=session_type, start=start, now=now)
            booking.save()
            _notify_on_commit(booking)
    except IntegrityError as exc:
        # The exclusion constraint saw an overlapping booking committed after our re-check.
        raise errors.SlotTaken() from exc
    return booking


def _ensure_changeable(booking: Booking, *, by: str, now: datetime) -> None:
    if booking.status not in Booking.ACTIVE_STATUSES or booking.end <= now:
        raise errors.ChangeNotAllowed(errors.NOT_ACTIVE)
    cutoff = booking.start - booking.session_type.cancel_cutoff
    if by == Booking.CancelledBy.INVITEE and now > cutoff:
        raise errors.ChangeNotAllowed(errors.TOO_LATE_TO_CHANGE)


def booking_cancel(*, booking: Booking, by: str, reason: str = "",
                   now: datetime | None = None) -> Booking:
    """Cancel and free the slot; both sides are told. `by` is a Booking.CancelledBy value."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related(
            "session_type", "coach").get(pk=booking.pk)
        _ensure_changeable(booking, by=by, now=now)
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by = by
        booking.cancel_reason = reason.strip()[:2000]
        booking.sequence += 1
        booking.save()
        _notify_on_commit(booking)
    return booking


def booking_reschedule(*, booking: Booking, start: datetime, by: str,
                       now: datetime | None = None) -> Booking:
    """Move to `start` under the same rules as a new booking; same UID, higher SEQUENCE."""
    now = now or timezone.now()
    start = start.astimezone(UTC)
    try:
        with transaction.atomic():
            booking = Booking.objects.select_for_update().select_related(
                "session_type", "coach").get(pk=booking.pk)
            _ensure_changeable(booking, by=by, now=now)
            session_type = booking.session_type
            _check_slot(session_type=session_type, start=start, now=now, exclude=booking)
            booking.start = start
            booking.end = start + session_type.duration
            booking.blocked_start = start - session_type.buffer_before
            booking.blocked_end = booking.end + session_type.buffer_after
            booking.sequence += 1
            booking.save()
            _notify_on_commit(booking)
    except IntegrityError as exc:
        raise errors.SlotTaken() from exc
    return booking
