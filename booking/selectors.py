"""Reads of bookings, and where free slots are composed: availability minus what is busy."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from accounts import tokens
from accounts.models import Coach
from availability.models import MAX_BLOCKED_SPAN, SessionType
from availability.raw_reads import fetch_instants, instant, param
from availability.selectors import (
    SlotSubject,
    availability_windows,
    busy_times_sql,
    slot_subject_of,
)
from availability.slots import Refusal, Slot, Span, free_slots, refusal
from booking import errors
from booking.models import Booking, BookingEvent


def blocked_spans(*, coach_id: int, start: datetime, end: datetime,
                  exclude_pk: int | None = None,
                  with_starts: bool = False) -> tuple[list[Span], list[datetime]]:
    """What blocks her slots around [start, end), in UTC, read in one hand-written query
    (raw_reads says why): the blocked ranges of her active bookings and her imported busy
    times overlapping it; with `with_starts`, also her active bookings' own starts (for the
    daily cap).

    The lower bound on blocked_start is implied by blocked_end > start (spans are bounded)
    but lets the (coach, blocked_start) index skip the coach's history.
    """
    booked = f", {instant('start')}" if with_starts else ""
    sql = (f"SELECT {instant('blocked_start')}, {instant('blocked_end')}{booked} "  # noqa: S608
           f"FROM {Booking._meta.db_table} WHERE coach_id = %s AND status IN (%s, %s) "
           "AND blocked_start < %s AND blocked_start > %s AND blocked_end > %s")
    params = [coach_id, *Booking.ACTIVE_STATUSES, param(end), param(start - MAX_BLOCKED_SPAN),
              param(start)]
    if exclude_pk is not None:
        sql += " AND id <> %s"
        params.append(exclude_pk)
    busy_sql, busy_params = busy_times_sql(coach_id=coach_id, start=start, end=end,
                                           also="NULL" if with_starts else "")
    rows = fetch_instants(f"{sql} UNION ALL {busy_sql}", params + busy_params, prepare=True)
    if not with_starts:
        return rows, []  # (start, end) pairs already
    return [(a, b) for a, b, _ in rows], [c for _, _, c in rows if c is not None]


class SlotFacts:
    """Everything the slot engine needs about one coach around [start, end)."""

    def __init__(self, *, subject: SlotSubject, start: datetime, end: datetime,
                 exclude_booking: Booking | None = None) -> None:
        zone = subject.zone
        self.rules = subject.rules
        # Whole local days around the range, so the daily cap counts every booking of a day.
        day_start = datetime.combine(start.astimezone(zone).date(), datetime.min.time(),
                                     tzinfo=zone) - timedelta(days=1)
        day_end = datetime.combine(end.astimezone(zone).date(), datetime.min.time(),
                                   tzinfo=zone) + timedelta(days=2)
        self.windows, self.closed = availability_windows(
            availability=subject.availability, zone=zone, start=day_start, end=day_end)
        # Without a cap, days need no counting: the bookings' starts are not read.
        self.busy, starts = blocked_spans(
            coach_id=subject.coach_id, start=day_start, end=day_end,
            exclude_pk=exclude_booking.pk if exclude_booking else None,
            with_starts=self.rules.daily_cap is not None)
        self.bookings_per_day = Counter(booked.astimezone(zone).date() for booked in starts)

    @classmethod
    def of(cls, session_type: SessionType, *, start: datetime, end: datetime,
           exclude_booking: Booking | None = None) -> "SlotFacts":
        """The facts for a type already loaded (its coach too)."""
        return cls(subject=slot_subject_of(session_type), start=start, end=end,
                   exclude_booking=exclude_booking)

    def slots(self, *, start: datetime, end: datetime, now: datetime) -> list[Slot]:
        return free_slots(windows=self.windows, closed=self.closed, busy=self.busy,
                          rules=self.rules, now=now, start=start, end=end,
                          bookings_per_day=self.bookings_per_day)

    def refusal(self, slot_start: datetime, *, now: datetime) -> Refusal | None:
        return refusal(slot_start, windows=self.windows, closed=self.closed, busy=self.busy,
                       rules=self.rules, now=now, bookings_per_day=self.bookings_per_day)


def free_slots_for(*, session_type: SessionType | None = None,
                   subject: SlotSubject | None = None, start: datetime, end: datetime,
                   now: datetime | None = None) -> list[Slot]:
    """Bookable slots starting in [start, end), UTC, sorted; of a loaded type, or of the
    SlotSubject the slots endpoint reads in one query (`slot_subject`)."""
    now = now or timezone.now()
    if subject is None:
        subject = slot_subject_of(session_type)
    facts = SlotFacts(subject=subject, start=start, end=end)
    return facts.slots(start=start, end=end, now=now)


@dataclass(frozen=True)
class Bookable:
    """The days a viewer can pick in their zone, and the free slots grouped by local day."""

    first: date
    last: date
    by_day: Mapping[date, list[Slot]]

    def first_free_from(self, day: date) -> date | None:
        return next((d for d in self.by_day if d >= day), None)

    @property
    def slots(self) -> list[Slot]:
        return [slot for slots in self.by_day.values() for slot in slots]


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def bookable_days(*, session_type: SessionType, zone: ZoneInfo, now: datetime,
                  moving: Booking | None = None) -> Bookable:
    """Which days and times a viewer in `zone` can pick, from today to the horizon.

    One engine call covers every bookable day, so the query count stays fixed whatever is
    shown and the first free day is known without asking again. `moving` is a booking being
    rescheduled: its own range does not block its neighbours and its own start is left out.
    """
    first = now.astimezone(zone).date()
    last = (now + session_type.horizon).astimezone(zone).date()
    start, end = _local_midnight(first, zone), _local_midnight(last + timedelta(days=1), zone)
    facts = SlotFacts.of(session_type, start=start, end=end, exclude_booking=moving)
    by_day: dict[date, list[Slot]] = {}
    for slot in facts.slots(start=start, end=end, now=now):
        if moving is None or slot.start != moving.start:
            by_day.setdefault(slot.start.astimezone(zone).date(), []).append(slot)
    return Bookable(first=first, last=last, by_day=by_day)


def start_refusal(*, session_type: SessionType, start: datetime, now: datetime,
                  moving: Booking | None = None) -> Refusal | None:
    """Why `start` cannot be booked now (the engine's reason), or None when it can."""
    facts = SlotFacts.of(session_type, start=start, end=start + session_type.duration,
                      exclude_booking=moving)
    return facts.refusal(start, now=now)


def same_booking(*, session_type: SessionType, start: datetime,
                 email_canonical: str) -> Booking | None:
    """This person's active booking of this very slot (same type, hence coach, and start).

    A second identical request (a double click, a browser's resend, a client's retry) is
    answered with it rather than refused: the person already has what they asked for.
    """
    return (Booking.objects.active()
            .filter(coach=session_type.coach_id, invitee_email_canonical=email_canonical,
                    session_type=session_type, start=start)
            .select_related("session_type", "coach__user").order_by("pk").first())


def change_deadline(booking: Booking) -> datetime:
    """Until when the invitee may cancel or reschedule online (the type's cut-off)."""
    return booking.start - booking.session_type.cancel_cutoff


def change_refusal(booking: Booking, *, by: str, now: datetime) -> str | None:
    """Why `by` (a Booking.CancelledBy value) can no longer change this booking, or None.

    The one rule the services enforce and the manage page and API show: nothing changes once
    cancelled or over; the invitee stops at the cut-off, the coach at the end.
    """
    if booking.status not in Booking.ACTIVE_STATUSES or booking.end <= now:
        return errors.NOT_ACTIVE
    if by == Booking.CancelledBy.INVITEE and now > change_deadline(booking):
        return errors.TOO_LATE_TO_CHANGE
    return None


def invitee_moves_left(booking: Booking) -> int:
    """How many more times the invitee may move `booking` from her link (the coach's moves
    are not counted against her)."""
    moves = booking.events.filter(kind=BookingEvent.Kind.RESCHEDULED,
                                  actor=Booking.CancelledBy.INVITEE).count()
    return max(booking.session_type.max_reschedules - moves, 0)


def booking_by_manage_token(*, token: str) -> Booking | None:
    """The booking this manage token opens, or None (wrong and unknown look the same)."""
    parts = tokens.split(token)
    if parts is None:
        return None
    selector, secret = parts
    booking = (Booking.objects.select_related("coach__user", "session_type")
               .filter(manage_selector=selector).first())
    if booking is None or not tokens.secrets_match(booking.manage_secret, secret):
        return None
    return booking


# How many bookings one page of the coach's list holds.
COACH_PAGE_SIZE = 50


def coach_booking(*, coach: Coach, uid: UUID) -> Booking | None:
    """The coach's booking of this uid; another coach's is None, as an unknown one is."""
    return (Booking.objects.select_related("session_type", "coach__user")
            .filter(coach=coach, uid=uid).first())


@dataclass(frozen=True, slots=True)
class BookingFilter:
    """What the coach's list is narrowed to; `start`/`end` are instants, half-open."""

    start: datetime | None = None
    end: datetime | None = None
    status: str | None = None
    q: str = ""


def coach_bookings(*, coach: Coach, where: BookingFilter, after: tuple[datetime, int] | None,
                   limit: int = COACH_PAGE_SIZE) -> list[Booking]:
    """One page of the coach's bookings by (start, id), every status unless filtered.

    Keyset pagination: `after` is the (start, id) of the previous page's last row, so a page
    costs one indexed query however deep it is, and rows added meanwhile are neither skipped
    nor repeated. One row more than `limit` is read to tell whether a next page exists.
    """
    rows = Booking.objects.filter(coach=coach).select_related("session_type")
    if where.start is not None:
        rows = rows.filter(start__gte=where.start)
    if where.end is not None:
        rows = rows.filter(start__lt=where.end)
    if where.status:
        rows = rows.filter(status=where.status)
    if where.q:
        rows = rows.filter(Q(invitee_name__icontains=where.q)
                           | Q(invitee_email__icontains=where.q))
    if after is not None:
        start, pk = after
        rows = rows.filter(Q(start__gt=start) | Q(start=start, pk__gt=pk))
    return list(rows.order_by("start", "pk")[:limit + 1])
