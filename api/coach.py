"""The coach API (/api/v1/me…): a coach's own profile and bookings, by API key.

`Authorization: Bearer <key>` names the coach; every lookup is scoped to her, so another
coach's booking answers 404 exactly like an unknown one. Times are ISO 8601 with offset in her
zone, and dates are her local dates (invariant 8).
"""

import base64
import binascii
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.security import HttpBearer

from accounts.models import Coach
from accounts.selectors import coach_by_api_key
from accounts.services import coach_rotate_feed_token
from api.coach_schemas import (
    AvailabilityOut,
    CoachBookingOut,
    CoachBookingsOut,
    CoachBookingsQuery,
    CoachCancelIn,
    CoachRescheduleIn,
    FeedOut,
    MeOut,
    OutcomeIn,
    PeriodIn,
    PeriodOut,
    TimeOffOut,
    WeeklyIn,
    WeeklyOut,
)
from api.common import COMMON, InvalidInput, error_status, field_errors, iso
from api.schemas import ErrorOut
from availability import hours
from availability.slots import Interval
from booking import errors
from booking.closing import close_time
from booking.models import Booking
from booking.selectors import COACH_PAGE_SIZE, BookingFilter, coach_bookings
from booking.services import (
    booking_complete,
    booking_mark_no_show,
    booking_reschedule,
)
from payments.services import booking_cancel_with_refund
from web.lookups import coach_booking_or_404
from web.parsing import instant_or_none, parse_date, parse_instant, parse_time


class CoachKey(HttpBearer):
    """The coach whose API key is in `Authorization: Bearer …`; None makes ninja answer 401."""

    def authenticate(self, request: HttpRequest, token: str) -> Coach | None:
        return coach_by_api_key(key=token)


router = Router(tags=["coach"], auth=CoachKey())
AUTHED = {401: ErrorOut, **COMMON}
CHANGE = {200: CoachBookingOut, 409: ErrorOut, **AUTHED}


def _coach(request: HttpRequest) -> Coach:
    return request.auth


def _me(coach: Coach) -> dict:
    return {"slug": coach.slug, "name": coach.display_name, "zone": str(coach.timezone),
            "language": coach.language, "feed_url": coach.feed_url}


def booking_item(booking: Booking, coach: Coach) -> dict:
    zone = coach.zone
    return {"uid": str(booking.uid), "status": booking.status,
            "type": booking.session_type.slug, "start": iso(booking.start, zone),
            "end": iso(booking.end, zone), "name": booking.invitee_name,
            "email": booking.invitee_email, "tz": str(booking.invitee_timezone),
            "language": booking.invitee_language, "message": booking.message,
            "created_at": iso(booking.created_at, zone),
            "phone": booking.invitee_phone, "meeting_url": booking.meeting_url}


def encode_cursor(booking: Booking) -> str:
    raw = f"{booking.start.astimezone(UTC).isoformat()}|{booking.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (start, id) a cursor stands for; a cursor not made by encode_cursor is a 400."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        start_text, pk_text = raw.split("|")
        start, pk = instant_or_none(start_text), int(pk_text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        start, pk = None, 0
    if start is None or not 0 < pk < 2**63:
        raise InvalidInput({"cursor": [_("This cursor is not valid; start again without "
                                         "it.")]})
    return start, pk


def _filter(query: CoachBookingsQuery, coach: Coach) -> BookingFilter:
    zone = coach.zone
    first = parse_date(query.start) if query.start else None
    last = parse_date(query.end) if query.end else None
    if first and last and last < first:
        raise InvalidInput({"end": [_("The end must not be before the start.")]})
    return BookingFilter(
        start=datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC) if first else None,
        end=(datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
             if last else None),
        status=query.status, q=(query.q or "").strip())


@router.get("/me", response={200: MeOut, **AUTHED})
def me(request: HttpRequest) -> dict:
    """The coach this key belongs to."""
    return _me(_coach(request))


@router.post("/me/feed/rotate", response={200: FeedOut, **AUTHED})
def rotate_feed(request: HttpRequest) -> dict:
    """A new private feed URL; the old one answers 404 from now on."""
    coach = coach_rotate_feed_token(coach=_coach(request))
    return {"feed_url": coach.feed_url}


@router.get("/me/bookings", response={200: CoachBookingsOut, **AUTHED})
def bookings(request: HttpRequest, query: Query[CoachBookingsQuery]) -> dict:
    """Her bookings by start, every status unless `status` filters, 50 a page."""
    coach = _coach(request)
    after = decode_cursor(query.cursor) if query.cursor else None
    rows = coach_bookings(coach=coach, where=_filter(query, coach), after=after)
    page, more = rows[:COACH_PAGE_SIZE], len(rows) > COACH_PAGE_SIZE
    return {"items": [booking_item(booking, coach) for booking in page],
            "next": encode_cursor(page[-1]) if more else None}


@router.get("/me/bookings/{uid}", response={200: CoachBookingOut, **AUTHED})
def booking(request: HttpRequest, uid: str) -> dict:
    """One of her bookings; another coach's is a 404."""
    coach = _coach(request)
    return booking_item(coach_booking_or_404(coach, uid), coach)


def _change(request: HttpRequest, uid: str, change: Callable[[Booking], Booking]) -> Status:
    """Apply one service to one of her bookings; its refusals answer 409 or 400."""
    coach = _coach(request)
    found = coach_booking_or_404(coach, uid)
    try:
        found = change(found)
    except errors.BookingError as exc:
        return error_status(exc)
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(200, booking_item(found, coach))


@router.post("/me/bookings/{uid}/cancel", response=CHANGE)
def cancel(request: HttpRequest, uid: str, payload: CoachCancelIn | None = None) -> Status:
    """Cancel as the coach (until the session ends); `message` reaches the invitee."""
    return _change(request, uid, lambda found: booking_cancel_with_refund(
        booking=found, by=Booking.CancelledBy.COACH, reason=payload.message if payload else "",
        now=timezone.now()))


@router.post("/me/bookings/{uid}/reschedule", response=CHANGE)
def reschedule(request: HttpRequest, uid: str, payload: CoachRescheduleIn) -> Status:
    """Move to another free start of its type; same uid, the invitee's calendar updates."""
    return _change(request, uid, lambda found: booking_reschedule(
        booking=found, start=parse_instant(payload.start), by=Booking.CancelledBy.COACH,
        now=timezone.now(), message=payload.message))


@router.post("/me/bookings/{uid}/outcome", response=CHANGE)
def outcome(request: HttpRequest, uid: str, payload: OutcomeIn) -> Status:
    """Record that a session that has started took place, or that the invitee did not come."""
    record = booking_complete if payload.status == "completed" else booking_mark_no_show
    return _change(request, uid, lambda found: record(booking=found, now=timezone.now()))


def _weekly_out(found: hours.WeeklyRange) -> dict:
    return {"id": found.id, "weekday": found.weekday, "start": f"{found.start:%H:%M}",
            "end": f"{found.end:%H:%M}"}


def _period_out(event, coach: Coach) -> dict:
    return {"id": event.pk, "start": iso(event.start, coach.zone),
            "end": iso(event.end, coach.zone)}


def _refused(exc: DjangoValidationError) -> Status:
    return Status(400, {"errors": {"__all__": [str(m) for m in exc.messages]}})


@router.get("/me/availability", response={200: AvailabilityOut, **AUTHED})
def availability(request: HttpRequest) -> dict:
    """Her weekly ranges (every weekday), and time off and extra hours not yet over."""
    coach, now = _coach(request), timezone.now()
    weekly = hours.weekly_ranges(coach=coach, now=now)
    return {"zone": str(coach.timezone),
            "weekly": [_weekly_out(r) for day in range(7) for r in weekly[day]],
            "time_off": [_period_out(e, coach) for e in
                         hours.one_off_events(coach=coach, kind="time_off", now=now)],
            "extra": [_period_out(e, coach) for e in
                      hours.one_off_events(coach=coach, kind="extra", now=now)]}


@router.post("/me/availability/weekly", response={201: WeeklyOut, **AUTHED})
def weekly_add(request: HttpRequest, payload: WeeklyIn) -> Status:
    """A weekly range (her wall-clock times); refused if it overlaps one of that day's."""
    coach, now = _coach(request), timezone.now()
    try:
        event = hours.weekly_range_add(
            coach=coach, weekday=payload.weekday, start=parse_time(payload.start),
            end=parse_time(payload.end), today=now.astimezone(coach.zone).date(), now=now)
    except DjangoValidationError as exc:
        return _refused(exc)
    found = next(r for r in hours.weekly_ranges(coach=coach, now=now)[payload.weekday]
                 if r.id == event.pk)
    return Status(201, _weekly_out(found))


@router.post("/me/availability/time-off", response={201: TimeOffOut, **AUTHED})
def time_off_add(request: HttpRequest, payload: PeriodIn) -> Status:
    """Time off; bookings inside are kept and listed in `conflicts` (cancel them one by one)."""
    coach, now = _coach(request), timezone.now()
    start, end = parse_instant(payload.start), parse_instant(payload.end)
    try:
        event, covered = close_time(
            coach=coach, intervals=[Interval(start, end)], now=now,
            write=lambda: hours.time_off_create(coach=coach, start=start, end=end))
    except DjangoValidationError as exc:
        return _refused(exc)
    return Status(201, {**_period_out(event, coach),
                        "conflicts": [str(booking.uid) for booking in covered]})


@router.post("/me/availability/extra", response={201: PeriodOut, **AUTHED})
def extra_add(request: HttpRequest, payload: PeriodIn) -> Status:
    """Extra hours; refused if they overlap extra hours she has."""
    coach = _coach(request)
    try:
        event = hours.extra_create(coach=coach, start=parse_instant(payload.start),
                                   end=parse_instant(payload.end))
    except DjangoValidationError as exc:
        return _refused(exc)
    return Status(201, _period_out(event, coach))


def _delete(request: HttpRequest, kind: str, pk: int) -> Status:
    coach = _coach(request)
    event = hours.coach_event(coach=coach, kind=kind, pk=pk) if 0 < pk < 2**63 else None
    if event is None:
        raise Http404  # another coach's item answers as an unknown one
    hours.event_delete(coach=coach, event=event)
    return Status(204, None)


@router.delete("/me/availability/weekly/{id}", response={204: None, **AUTHED})
def weekly_delete(request: HttpRequest, id: int) -> Status:
    """Remove one of her weekly ranges."""
    return _delete(request, "weekly", id)


@router.delete("/me/availability/time-off/{id}", response={204: None, **AUTHED})
def time_off_delete(request: HttpRequest, id: int) -> Status:
    """Remove one of her time off periods (its slots open again)."""
    return _delete(request, "time_off", id)


@router.delete("/me/availability/extra/{id}", response={204: None, **AUTHED})
def extra_delete(request: HttpRequest, id: int) -> Status:
    """Remove one of her extra hours."""
    return _delete(request, "extra", id)
