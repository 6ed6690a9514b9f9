"""Writes of bookings: create, cancel, reschedule, outcomes. The only code that saves a Booking.

Invariant 2 (no overlap, buffers included) holds three ways: the engine re-checks the slot
inside the transaction; on SQLite that transaction holds the write lock from BEGIN
(transaction_mode IMMEDIATE); on PostgreSQL the exclusion constraint `booking_no_overlap`
refuses a second overlapping row and the IntegrityError becomes SlotTaken. Rules the
constraint cannot express (the per-person limit, the daily cap) are re-checked under
advisory locks on PostgreSQL (booking.locks), always taken in the order row → person → day.

Side effects (emails) go through `notify_booking_changed`, enqueued inside the change's
transaction (an outbox, DESIGN invariant 3): django-tasks-db writes the task row in the same
database, so a refused or rolled-back write leaves no task, and a committed one always has
its task. Workers only see committed rows, so the task never runs before the change is visible.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from availability.models import SessionType
from availability.selectors import session_type_rules
from availability.slots import Refusal, timing_refusal
from booking import errors, location
from booking.addresses import canonical_email
from booking.locks import lock
from booking.models import Booking, BookingEvent, BookingNote
from booking.selectors import SlotFacts, change_refusal, invitee_moves_left, same_booking
from booking.tasks import notify_booking_changed
from booking.validators import (
    clean_phone_number,
    validate_email_address,
    validate_message,
    validate_person_name,
)

OVERLAP_CONSTRAINT = "booking_no_overlap"
ACTORS = frozenset(Booking.CancelledBy.values)


@dataclass(frozen=True, slots=True)
class Invitee:
    name: str
    email: str
    timezone: ZoneInfo
    language: str = "fr"
    message: str = ""
    phone: str = ""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _as_utc(start: datetime) -> datetime:
    if timezone.is_naive(start):
        raise ValueError("Booking times must be aware datetimes.")
    return start.astimezone(UTC)


def _validated(field: str, validator, value: str, errors_by_field: dict) -> str:
    try:
        validator(value)
    except ValidationError as exc:
        errors_by_field[field] = exc.error_list
    return value


def _clean_invitee(invitee: Invitee, *, phone_required: bool = False) -> Invitee:
    """The invitee with trimmed, normalised values; ValidationError keyed by Booking field."""
    found: dict[str, list] = {}
    phone = clean_phone_number(invitee.phone, required=phone_required, found=found)
    name = _validated("invitee_name", validate_person_name, invitee.name.strip(), found)
    email = _validated("invitee_email", validate_email_address,
                       normalize_email(invitee.email), found)
    message = _validated("message", validate_message, invitee.message.strip(), found)
    if invitee.language not in dict(settings.LANGUAGES):
        found["invitee_language"] = [ValidationError(_("Please choose a listed language."),
                                                     code="invalid_choice")]
    if found:
        raise ValidationError(found)
    return Invitee(name=name, email=email, timezone=invitee.timezone,
                   language=invitee.language, message=message.replace("\r\n", "\n"),
                   phone=phone)


def _is_overlap(exc: IntegrityError) -> bool:
    """Whether the database refused the row for `booking_no_overlap` (and not another rule)."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == OVERLAP_CONSTRAINT


def _notify(booking: Booking) -> None:
    """Enqueue this SEQUENCE's notification; call inside the change's transaction.

    Not on commit: a failed enqueue after the commit would leave a confirmed booking that
    nobody is told about. Inside the transaction, a failed enqueue rolls the change back.
    """
    notify_booking_changed.enqueue(booking.pk, booking.sequence)


def _record(booking: Booking, kind: str, *, by: str, at: datetime, message: str = "",
            old_start: datetime | None = None) -> None:
    """The history row of a change; call inside the change's transaction (zulip's audit log)."""
    BookingEvent.objects.create(booking=booking, kind=kind, actor=by, at=at,
                                sequence=booking.sequence, old_start=old_start,
                                new_start=booking.start, message=message)


def _place(booking: Booking, session_type: SessionType, start: datetime) -> None:
    booking.start = start
    booking.end = start + session_type.duration
    booking.blocked_start = start - session_type.buffer_before
    booking.blocked_end = booking.end + session_type.buffer_after


def _lock_person(session_type: SessionType, email: str) -> None:
    """Serialise one person's bookings with one coach until the transaction ends.

    Two bookings by one person on different days share no other lock: without this one each
    would see the other's allowance still free; and of two identical requests at once, the
    second must see the first's booking to answer with it (READ COMMITTED reads it once the
    lock is granted, i.e. once the first has committed).
    """
    lock(f"booking:person:{session_type.coach_id}:{canonical_email(email)}")


def _check_person_limit(*, session_type: SessionType, email: str, start: datetime,
                        now: datetime, exclude: Booking | None = None) -> None:
    """The coach's per-person policy for this type; cancelled bookings do not count.

    Call with the person locked (_lock_person)."""
    policy = SessionType.LimitPolicy
    if (session_type.limit_policy == policy.UNLIMITED
            and session_type.max_future_bookings is None):
        return
    canonical = canonical_email(email)
    theirs = Booking.objects.filter(session_type=session_type,
                                    invitee_email_canonical=canonical).exclude(
        status=Booking.Status.CANCELLED)
    if exclude is not None:
        theirs = theirs.exclude(pk=exclude.pk)
    rows = list(theirs.values_list("start", "status"))
    if session_type.limit_policy == policy.ONCE and rows:
        raise errors.LimitReached(errors.LIMIT_REACHED)
    if session_type.limit_policy == policy.PER_PERIOD and session_type.limit_period_days:
        period = timedelta(days=session_type.limit_period_days)
        if any(abs(their_start - start) < period for their_start, _ in rows):
            raise errors.LimitReached(errors.LIMIT_REACHED)
    if session_type.max_future_bookings is not None:
        upcoming = sum(1 for their_start, status in rows
                       if status in Booking.ACTIVE_STATUSES and their_start >= now)
        if upcoming >= session_type.max_future_bookings:
            raise errors.LimitReached(errors.FUTURE_LIMIT_REACHED)


def _check_slot(*, session_type: SessionType, start: datetime, now: datetime,
                exclude: Booking | None = None) -> None:
    """Every rule of the slot engine, against what is committed now."""
    coach = session_type.coach
    early = timing_refusal(start, rules=session_type_rules(session_type, coach.zone), now=now)
    if early is not None:
        raise errors.SlotUnavailable(early)
    # Two bookings of one day would each see the day one short of its cap, so a coach's day
    # is serialised whenever any of her types has a cap (a booking of an uncapped type still
    # fills a capped type's day). Without caps, overlaps are the exclusion constraint's job
    # and bookings of distinct slots run in parallel.
    if SessionType.objects.filter(coach_id=coach.pk, daily_cap__isnull=False).exists():
        lock(f"booking:day:{coach.pk}:{start.astimezone(coach.zone).date()}")
    facts = SlotFacts.of(session_type, start=start, end=start + session_type.duration,
                         exclude_booking=exclude)
    reason = facts.refusal(start, now=now)
    if reason is Refusal.TAKEN:
        raise errors.SlotTaken()
    if reason is not None:
        raise errors.SlotUnavailable(reason)


def _fresh_session_type(pk: int) -> SessionType:
    # The rules as committed now, not as the caller read them; the coach's user is read by
    # the booking's feed event, rendered when it is saved.
    return SessionType.objects.select_related("coach__user").get(pk=pk)


def booking_create(*, session_type: SessionType, start: datetime, invitee: Invitee,
                   now: datetime | None = None,
                   status: str = Booking.Status.CONFIRMED,
                   by: str = Booking.CancelledBy.INVITEE) -> Booking:
    """Book `start` for `invitee`, re-checking every rule at write time.

    Raises ValidationError (keyed by Booking field) for bad invitee data, then SlotTaken,
    SlotUnavailable, LimitReached or BookingError("type_inactive"); never two rows.
    `status` is CONFIRMED, or PENDING_PAYMENT for a paid type (the slot is held either way).

    Idempotent: if this person (same canonical email) already holds an active booking of this
    type at this start, that booking is returned unchanged and nobody is notified again, so a
    double submit or a retried request leads to the same confirmation as the first.
    """
    now = now or timezone.now()
    start = _as_utc(start)
    invitee = _clean_invitee(invitee, phone_required=location.needs_phone(session_type))
    if status not in Booking.ACTIVE_STATUSES:
        raise ValueError(f"A new booking cannot be {status!r}.")
    try:
        with transaction.atomic():
            session_type = _fresh_session_type(session_type.pk)
            if not session_type.is_active:
                raise errors.BookingError(errors.TYPE_INACTIVE, code="type_inactive")
            _lock_person(session_type, invitee.email)
            existing = same_booking(session_type=session_type, start=start,
                                    email_canonical=canonical_email(invitee.email))
            if existing is not None:
                return existing
            _check_person_limit(session_type=session_type, email=invitee.email, start=start,
                                now=now)
            _check_slot(session_type=session_type, start=start, now=now)
            booking = Booking(
                coach=session_type.coach, session_type=session_type, status=status,
                invitee_name=invitee.name, invitee_email=invitee.email,
                invitee_email_canonical=canonical_email(invitee.email),
                invitee_timezone=invitee.timezone, invitee_language=invitee.language,
                message=invitee.message, consent_at=now,
                consent_version=settings.PRIVACY_NOTICE_VERSION, invitee_phone=invitee.phone,
                meeting_url=location.new_meeting_url() if location.needs_room(session_type)
                else "")
            _place(booking, session_type, start)
            booking.save(force_insert=True)
            _record(booking, BookingEvent.Kind.CREATED, by=by, at=now)
            _notify(booking)
    except IntegrityError as exc:
        if not _is_overlap(exc):
            raise
        # An overlapping booking committed between our re-check and our insert.
        raise errors.SlotTaken() from exc
    return booking


def _locked(booking: Booking) -> Booking:
    """The booking as committed, locked until the transaction ends. Call inside atomic()."""
    # of=self: lock the booking row only, not the coach or the session type joined to it.
    # The coach's user is read by the feed event that save() renders.
    return (Booking.objects.select_for_update(of=("self",))
            .select_related("session_type", "coach__user").get(pk=booking.pk))


def _ensure_changeable(booking: Booking, *, by: str, now: datetime,
                       cutoff: bool = True) -> None:
    if by not in ACTORS:
        raise ValueError(f"Unknown actor {by!r}.")
    refusal = change_refusal(booking, by=by, now=now)
    if refusal is errors.TOO_LATE_TO_CHANGE and not cutoff:
        return
    if refusal is not None:
        raise errors.ChangeNotAllowed(refusal)


def booking_cancel(*, booking: Booking, by: str, reason: str = "",
                   now: datetime | None = None, cutoff: bool = True) -> Booking:
    """Cancel and free the slot; both sides are told. `by` is a Booking.CancelledBy value.

    The invitee may cancel until the type's cut-off before the start; the coach until the end.
    `cutoff=False` lifts the invitee's cut-off (an erasure of their data: booking.privacy).
    """
    now = now or timezone.now()
    reason = _clean_text("cancel_reason", reason)
    with transaction.atomic():
        booking = _locked(booking)
        _ensure_changeable(booking, by=by, now=now, cutoff=cutoff)
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by = by
        booking.cancel_reason = reason
        booking.sequence += 1
        booking.save()
        _record(booking, BookingEvent.Kind.CANCELLED, by=by, at=now,
                message=booking.cancel_reason)
        _notify(booking)
    return booking


def _ensure_free_again(booking: Booking, *, now: datetime) -> None:
    """A released hold may come back only if its slot is still free and still ahead.

    The slot is judged as offered when it was booked (notice and horizon as of then), against
    what is busy now: paying late must not fail on the notice the invitee met at booking time.
    """
    if booking.start <= now:
        raise errors.ChangeNotAllowed(errors.NOT_ACTIVE)
    _check_slot(session_type=booking.session_type, start=booking.start,
                now=booking.consent_at, exclude=booking)


def booking_confirm_payment(*, booking: Booking, now: datetime | None = None) -> Booking:
    """A paid booking is confirmed: pending_payment (or a hold released meanwhile) → confirmed.

    Confirming an already confirmed booking changes nothing (a payment event may arrive
    twice). A hold the system released comes back if its slot is still free; otherwise, as for
    a booking cancelled by a person or over, raises SlotTaken, SlotUnavailable or
    ChangeNotAllowed, and the caller refunds. SEQUENCE rises (the coach's feed showed the hold
    as TENTATIVE), and both sides get the invitation as for a free booking.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            booking = _locked(booking)
            if booking.status == Booking.Status.CONFIRMED:
                return booking
            released = (booking.status == Booking.Status.CANCELLED
                        and booking.cancelled_by == Booking.CancelledBy.SYSTEM)
            if released:
                _ensure_free_again(booking, now=now)
            elif booking.status != Booking.Status.PENDING_PAYMENT:
                raise errors.ChangeNotAllowed(errors.NOT_ACTIVE)
            booking.status = Booking.Status.CONFIRMED
            booking.cancelled_at, booking.cancelled_by, booking.cancel_reason = None, "", ""
            booking.sequence += 1
            booking.save()
            _record(booking, BookingEvent.Kind.CONFIRMED, by=Booking.CancelledBy.SYSTEM, at=now)
            _notify(booking)
    except IntegrityError as exc:
        if not _is_overlap(exc):
            raise
        raise errors.SlotTaken() from exc
    return booking


def booking_release_hold(*, booking: Booking, now: datetime | None = None) -> Booking:
    """An unpaid hold ends (checkout expired, abandoned or failed): cancelled by SYSTEM.

    The slot is free again at once. A booking no longer pending is returned unchanged, so a
    late or repeated release is harmless. Nobody is emailed: the invitee was never invited
    (booking.tasks sends no CANCEL for a hold that was never announced).
    """
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        if booking.status != Booking.Status.PENDING_PAYMENT:
            return booking
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by = Booking.CancelledBy.SYSTEM
        booking.sequence += 1
        booking.save()
        _record(booking, BookingEvent.Kind.CANCELLED, by=Booking.CancelledBy.SYSTEM, at=now)
        _notify(booking)
    return booking


def _clean_text(field: str, text: str) -> str:
    text = text.strip().replace("\r\n", "\n")
    try:
        validate_message(text)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from exc
    return text


def _check_reschedule_allowance(booking: Booking) -> None:
    """Refuse an invitee's move past her session type's `max_reschedules` (row locked)."""
    if invitee_moves_left(booking) <= 0:
        raise errors.RescheduleLimitReached()


def booking_reschedule(*, booking: Booking, start: datetime, by: str,
                       now: datetime | None = None, message: str = "") -> Booking:
    """Move to `start` under the same rules as a new booking; same UID, higher SEQUENCE.

    The booking's own range does not block it, so it can move by less than its length.
    A "move" to the time it already has changes nothing: no event, no SEQUENCE, no email.
    The per-person policy and the type's `max_reschedules` bind the invitee only; the coach
    may move anyone anywhere free, as often as she likes.
    `message` (optional) goes into the invitee's email about the move.
    """
    now = now or timezone.now()
    start = _as_utc(start)
    message = _clean_text("message", message)
    try:
        with transaction.atomic():
            booking = _locked(booking)
            _ensure_changeable(booking, by=by, now=now)
            if start == booking.start:
                return booking
            session_type = booking.session_type
            if by == Booking.CancelledBy.INVITEE:
                _check_reschedule_allowance(booking)
                _lock_person(session_type, booking.invitee_email)
                _check_person_limit(session_type=session_type, email=booking.invitee_email,
                                    start=start, now=now, exclude=booking)
            _check_slot(session_type=session_type, start=start, now=now, exclude=booking)
            old_start = booking.start
            _place(booking, session_type, start)
            booking.sequence += 1
            booking.save()
            _record(booking, BookingEvent.Kind.RESCHEDULED, by=by, at=now, message=message,
                    old_start=old_start)
            _notify(booking)
    except IntegrityError as exc:
        if not _is_overlap(exc):
            raise
        raise errors.SlotTaken() from exc
    return booking


def _record_outcome(booking: Booking, status: str, now: datetime | None, by: str) -> Booking:
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        done = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)
        if booking.status not in done:
            raise errors.ChangeNotAllowed(errors.NOT_ACTIVE)
        if booking.start > now:
            raise errors.ChangeNotAllowed(errors.NOT_STARTED)
        if booking.status == status:
            return booking  # marked twice (a second click): one history row is enough
        booking.status = status
        booking.save(update_fields=["status", "updated_at"])
        _record(booking, status, by=by, at=now)
    return booking


def booking_mark_no_show(*, booking: Booking, now: datetime | None = None,
                         by: str = Booking.CancelledBy.COACH) -> Booking:
    """The invitee did not come. Nothing is sent: no calendar has anything to change."""
    return _record_outcome(booking, Booking.Status.NO_SHOW, now, by)


def booking_complete(*, booking: Booking, now: datetime | None = None,
                     by: str = Booking.CancelledBy.COACH) -> Booking:
    """The session took place (or a no-show mark was a mistake). Nothing is sent."""
    return _record_outcome(booking, Booking.Status.COMPLETED, now, by)


def booking_note_add(*, booking: Booking, text: str, now: datetime | None = None) -> BookingNote:
    """A private note of the coach on `booking`; ValidationError keyed "text" if unusable."""
    text = _clean_text("text", text)
    if not text:
        raise ValidationError({"text": [ValidationError(_("Please write the note."),
                                                         code="required")]})
    return BookingNote.objects.create(booking=booking, text=text,
                                      created_at=now or timezone.now())
