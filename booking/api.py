"""JSON endpoints: session types, slots, bookings and manage links (DESIGN.md contracts).

Each endpoint parses its input (booking.schemas), calls one selector or service and shapes the
answer. Domain errors become statuses here: a lost race or a used allowance is a 409, a start
that breaks a rule is a 400 on `start`. Generic failures (bad JSON, wrong types, oversized
bodies, unknown paths) are mapped once, in config.api.
"""

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.throttling import BaseThrottle

from accounts import tokens
from accounts.models import Coach
from availability.models import SessionType
from availability.selectors import active_session_types
from booking import errors
from booking.models import Booking
from booking.ratelimit import booking_rate_limited
from booking.schemas import (
    BookingIn,
    BookingOut,
    CancelIn,
    ErrorOut,
    ErrorsOut,
    ManagedBookingOut,
    RescheduleIn,
    SessionTypeOut,
    SlotsOut,
    SlotsQuery,
    is_slug,
    parse_aware_datetime,
    parse_date,
)
from booking.selectors import (
    booking_by_manage_token,
    change_deadline,
    change_refusal,
    free_slots_for,
)
from booking.services import Invitee, booking_cancel, booking_create, booking_reschedule

router = Router(tags=["booking"])

MAX_RANGE_DAYS = 62
DEFAULT_RANGE_DAYS = 30
TOKEN_RE = re.compile(rf"[A-Za-z0-9_-]{{{tokens.SELECTOR_LENGTH + tokens.SECRET_LENGTH}}}")
# The model's field names, as the API calls them.
API_FIELDS = {"invitee_name": "name", "invitee_email": "email", "invitee_timezone": "tz",
              "invitee_language": "language", "message": "message", "start": "start",
              "cancel_reason": "reason"}

COMMON = {400: ErrorsOut, 404: ErrorOut, 413: ErrorOut}
# A made-up token for the OpenAPI document; the test of that document gives it to a booking.
TOKEN_EXAMPLE = "Qz7fK2mWx9Abc4Ns8Tq1Lr6Vy3Jd0Hp5Ge"  # noqa: S105 (public, made up)
CoachSlug = Annotated[str, Path(description="The coach's slug.", example="demo")]
ManageToken = Annotated[str, Path(description="The private token ending the manage_url.",
                                  example=TOKEN_EXAMPLE)]


class InvalidInput(Exception):
    """Input that parsed but makes no sense together; config.api answers 400 with `errors`."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class BookingAttempts(BaseThrottle):
    """Counts every booking attempt, well-formed or not, before anything is validated."""

    def allow_request(self, request: HttpRequest) -> bool:
        return not booking_rate_limited(request, email=_claimed_email(request))


def _claimed_email(request: HttpRequest) -> str:
    try:
        data = json.loads(request.body)
    except (RequestDataTooBig, ValueError):
        return ""
    email = data.get("email") if isinstance(data, dict) else None
    return email if isinstance(email, str) else ""


def _coach_or_404(slug: str) -> Coach:
    # Checked first: a NUL or a lone surrogate must not reach the database driver.
    coach = Coach.objects.filter(slug=slug).first() if is_slug(slug) else None
    if coach is None:
        raise Http404
    return coach


def _session_type(coach: Coach, slug: str | None) -> SessionType | None:
    types = active_session_types(coach=coach)
    if slug is None:
        found = types.first()
    else:
        found = types.filter(slug=slug).first() if is_slug(slug) else None
    if found is not None:
        found.coach = coach  # already loaded
    return found


def _session_type_or_404(coach_slug: str, type_slug: str | None) -> SessionType:
    """The coach's active type of that slug (her first one if None), coach joined; one query."""
    if not is_slug(coach_slug) or (type_slug is not None and not is_slug(type_slug)):
        raise Http404
    types = SessionType.objects.select_related("coach").filter(coach__slug=coach_slug,
                                                               is_active=True)
    found = types.filter(slug=type_slug).first() if type_slug is not None else types.first()
    if found is None:
        raise Http404
    return found


def _booking_or_404(token: str) -> Booking:
    booking = booking_by_manage_token(token=token) if TOKEN_RE.fullmatch(token) else None
    if booking is None:
        raise Http404
    return booking


def _iso(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat()


def _booking_out(booking: Booking) -> dict:
    zone = ZoneInfo(str(booking.invitee_timezone))
    return {"uid": str(booking.uid), "status": booking.status, "start": _iso(booking.start, zone),
            "end": _iso(booking.end, zone), "manage_url": booking.manage_url}


def _managed_out(booking: Booking, now: datetime) -> dict:
    zone = ZoneInfo(str(booking.invitee_timezone))
    change_until = change_deadline(booking)
    return {
        **_booking_out(booking),
        "tz": str(zone),
        "coach": {"slug": booking.coach.slug, "name": booking.coach.display_name},
        "session_type": {"slug": booking.session_type.slug, "name": booking.session_type.name},
        "can_change": change_refusal(booking, by=Booking.CancelledBy.INVITEE, now=now) is None,
        "change_until": _iso(change_until, zone),
    }


def _error_answer(exc: errors.BookingError) -> Status:
    message = str(exc.message)
    if isinstance(exc, errors.SlotUnavailable):
        return Status(400, {"errors": {"start": [message]}, "code": exc.refusal.value})
    if isinstance(exc, errors.SlotTaken | errors.LimitReached | errors.ChangeNotAllowed):
        return Status(409, {"error": exc.code, "message": message})
    field = "type" if exc.code == "type_inactive" else "__all__"
    return Status(400, {"errors": {field: [message]}, "code": exc.code})


def _field_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    return {API_FIELDS.get(name, "__all__"): [str(m) for m in messages]
            for name, messages in exc.message_dict.items()}


def _day_range(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[first 00:00, day after last 00:00) in `zone`, as UTC."""
    start = datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


@router.get("/coaches/{coach}/session-types", response={200: list[SessionTypeOut], **COMMON})
def session_types(request: HttpRequest, coach: CoachSlug) -> list[dict]:
    """The coach's active session types, in her order."""
    return [{"slug": t.slug, "name": t.name, "description": t.description,
             "duration_minutes": int(t.duration.total_seconds() // 60)}
            for t in active_session_types(coach=_coach_or_404(coach))]


@router.get("/coaches/{coach}/slots", response={200: SlotsOut, **COMMON})
def slots(request: HttpRequest, coach: CoachSlug, query: Query[SlotsQuery]) -> dict:
    """Free slots starting on the days `start`..`end` (inclusive) of `tz`, shown in `tz`."""
    session_type = _session_type_or_404(coach, query.type)
    zone = ZoneInfo(query.tz) if query.tz else session_type.coach.zone
    now = timezone.now()
    try:
        first = parse_date(query.start) if query.start else now.astimezone(zone).date()
        last = parse_date(query.end) if query.end else first + timedelta(days=DEFAULT_RANGE_DAYS)
        range_start, range_end = _day_range(first, last, zone)
    except OverflowError:
        raise InvalidInput({"start": [_("These dates are out of range.")]}) from None
    if last < first:
        raise InvalidInput({"end": [_("The end date must not be before the start date.")]})
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput({"end": [_("Ask for at most %(days)d days at a time.")
                                    % {"days": MAX_RANGE_DAYS}]})
    # Nothing outside [now, now + horizon] is bookable: never expand windows beyond it.
    range_start = max(range_start, now - timedelta(days=1))
    range_end = min(range_end, now + session_type.horizon + timedelta(days=1))
    found = (free_slots_for(session_type=session_type, start=range_start, end=range_end, now=now)
             if range_start < range_end else [])
    return {"tz": str(zone),
            "slots": [{"start": _iso(s.start, zone), "end": _iso(s.end, zone)} for s in found]}


@router.post("/coaches/{coach}/bookings", throttle=[BookingAttempts()], exclude_none=True,
             response={201: BookingOut, 409: ErrorOut, 429: ErrorOut, **COMMON})
def create_booking(request: HttpRequest, coach: CoachSlug, payload: BookingIn) -> Status:
    """Book one of the listed slots; the answer's `manage_url` ends with the manage token."""
    coach_obj = _coach_or_404(coach)
    session_type = _session_type(coach_obj, payload.type)
    if session_type is None:
        raise InvalidInput({"type": [_("This session type is not offered by this coach.")]})
    language = payload.language or get_language()
    invitee = Invitee(
        name=payload.name, email=payload.email,
        timezone=ZoneInfo(payload.tz) if payload.tz else coach_obj.zone,
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        message=payload.message)
    start = parse_aware_datetime(payload.start)
    now = timezone.now()
    try:
        booking = booking_create(session_type=session_type, start=start, invitee=invitee,
                                 now=now)
    except errors.BookingError as exc:
        return _error_answer(exc)
    except DjangoValidationError as exc:
        return Status(400, {"errors": _field_errors(exc)})
    return Status(201, _booking_out(booking))


@router.get("/manage/{token}", response={200: ManagedBookingOut, **COMMON})
def manage_booking(request: HttpRequest, token: ManageToken) -> dict:
    """The booking this private token opens; reading it changes nothing."""
    return _managed_out(_booking_or_404(token), timezone.now())


@router.post("/manage/{token}/cancel", exclude_none=True,
             response={200: ManagedBookingOut, 409: ErrorOut, **COMMON})
def cancel_booking(request: HttpRequest, token: ManageToken,
                   payload: CancelIn | None = None) -> Status:
    """Cancel as the invitee, until the session type's cut-off."""
    booking = _booking_or_404(token)
    now = timezone.now()
    try:
        booking = booking_cancel(booking=booking, by=Booking.CancelledBy.INVITEE,
                                 reason=payload.reason if payload else "", now=now)
    except errors.BookingError as exc:
        return _error_answer(exc)
    except DjangoValidationError as exc:
        return Status(400, {"errors": _field_errors(exc)})
    return Status(200, _managed_out(booking, now))


@router.post("/manage/{token}/reschedule", exclude_none=True,
             response={200: ManagedBookingOut, 409: ErrorOut, **COMMON})
def reschedule_booking(request: HttpRequest, token: ManageToken,
                       payload: RescheduleIn) -> Status:
    """Move to another listed slot, until the cut-off; same uid, calendars update in place."""
    booking = _booking_or_404(token)
    start = parse_aware_datetime(payload.start)
    now = timezone.now()
    try:
        booking = booking_reschedule(booking=booking, start=start,
                                     by=Booking.CancelledBy.INVITEE, now=now)
    except errors.BookingError as exc:
        return _error_answer(exc)
    return Status(200, _managed_out(booking, now))
