"""The public API: a coach's session types and free slots, and booking one.

Each endpoint parses its input (api.schemas, on web.parsing), calls one selector or service and
shapes the answer; domain errors become statuses through web.errors. Generic failures (bad
JSON, wrong types, oversized bodies, unknown paths) are mapped once, in api.main.
"""

import json
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.throttling import BaseThrottle

from api.common import (
    COMMON,
    CoachSlug,
    InvalidInput,
    booking_out,
    error_status,
    field_errors,
    iso,
)
from api.schemas import BookingIn, BookingOut, ErrorOut, SessionTypeOut, SlotsOut, SlotsQuery
from availability.models import SessionType
from availability.selectors import active_session_types
from availability.slots import Slot
from booking import errors
from booking.location import where_public
from booking.models import Booking
from booking.selectors import free_slots_for
from booking.services import Invitee, booking_create
from web.checkout import checkout_url_for
from web.lookups import coach_or_404, slot_subject_or_404
from web.parsing import is_slug, parse_date, parse_instant
from web.ratelimit import booking_rate_limited, take_email_allowance

router = Router(tags=["booking"])

MAX_RANGE_DAYS = 62
# What ninja's JSONRenderer answers with.
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
DEFAULT_RANGE_DAYS = 30


class BookingAttempts(BaseThrottle):
    """Counts every attempt from one address, well-formed or not, before anything is validated.

    The email's own allowance counts only bookings made (see web.ratelimit), in the endpoint.
    """

    def allow_request(self, request: HttpRequest) -> bool:
        return not booking_rate_limited(request)


def _day_range(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[first 00:00, day after last 00:00) in `zone`, as UTC."""
    start = datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


@router.get("/coaches/{coach}/session-types", response={200: list[SessionTypeOut], **COMMON})
def session_types(request: HttpRequest, coach: CoachSlug) -> list[dict]:
    """The coach's active session types, in her order."""
    return [_session_type_out(t) for t in active_session_types(coach=coach_or_404(coach))]


def _session_type_out(session_type: SessionType) -> dict:
    """A type as a prospect may see it before booking: no meeting link (invariant of
    `booking.location.where_public`), the price in minor units."""
    where = where_public(session_type)
    price = None if session_type.price_amount is None else {
        "amount": session_type.price_amount, "currency": session_type.price_currency}
    return {"slug": session_type.slug, "name": session_type.name,
            "description": session_type.description,
            "duration_minutes": session_type.duration_minutes, "price": price,
            "location": {"kind": where.kind, "details": where.text} if where.kind else None}


@router.get("/coaches/{coach}/slots", response={200: SlotsOut, **COMMON})
def slots(request: HttpRequest, coach: CoachSlug, query: Query[SlotsQuery]) -> HttpResponse:
    """Free slots starting on the days `start`..`end` (inclusive) of `tz`, shown in `tz`."""
    subject = slot_subject_or_404(coach, query.type)
    zone = ZoneInfo(query.tz) if query.tz else subject.zone
    now = timezone.now()
    first = parse_date(query.start) if query.start else now.astimezone(zone).date()
    last = parse_date(query.end) if query.end else first + timedelta(days=DEFAULT_RANGE_DAYS)
    if last < first:
        raise InvalidInput({"end": [_("The end date must not be before the start date.")]})
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput({"end": [_("Ask for at most %(days)d days at a time.")
                                    % {"days": MAX_RANGE_DAYS}]})
    range_start, range_end = _day_range(first, last, zone)
    # Nothing outside [now, now + horizon] is bookable: never expand windows beyond it.
    range_start = max(range_start, now - timedelta(days=1))
    range_end = min(range_end, now + subject.rules.horizon + timedelta(days=1))
    found = (free_slots_for(subject=subject, start=range_start, end=range_end, now=now)
             if range_start < range_end else [])
    # Rendered here as ninja renders (the bytes json.dumps gives, the same Content-Type), not
    # handed back to it: ninja would first validate every slot through SlotsOut (pydantic, via
    # its per-attribute getter), ~10 % of this request for 100 slots (bench/profile_slots.py).
    # SlotsOut still documents the shape; test_api checks the two agree.
    body = (f'{{"tz": {json.dumps(str(zone))}, "slots": ['
            + ", ".join([_slot_json(slot, zone) for slot in found]) + "]}")
    return HttpResponse(body, content_type=JSON_CONTENT_TYPE)


@lru_cache(maxsize=16_384)
def _slot_json(slot: Slot, zone: ZoneInfo) -> str:
    """One slot of the answer, as json.dumps writes it.

    Every visitor in a zone is sent the same hundred-odd slots of a month, and writing one
    costs a few µs, most of this answer's rendering (bench/profile_slots.py). Equal slots
    write alike in a zone, so this pure function is memoized (a few MB at most).
    """
    return json.dumps({"start": iso(slot.start, zone), "end": iso(slot.end, zone)})


def _invitee(payload: BookingIn, coach_zone: ZoneInfo) -> Invitee:
    language = payload.language or get_language()
    return Invitee(
        name=payload.name, email=payload.email,
        timezone=ZoneInfo(payload.tz) if payload.tz else coach_zone,
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        message=payload.message, phone=payload.phone)


@router.post("/coaches/{coach}/bookings", throttle=[BookingAttempts()], exclude_none=True,
             response={201: BookingOut, 409: ErrorOut, 429: ErrorOut, 503: ErrorOut, **COMMON})
def create_booking(request: HttpRequest, response: HttpResponse, coach: CoachSlug,
                   payload: BookingIn) -> Status:
    """Book one of the listed slots; the answer's `manage_url` ends with the manage token.

    A paid type answers `pending_payment` and the `checkout_url` to pay at; if Stripe is
    unavailable, 503 with `Retry-After`, and the slot is free again.
    """
    coach_obj = coach_or_404(coach)
    found = (active_session_types(coach=coach_obj).filter(slug=payload.type).first()
             if is_slug(payload.type) else None)
    if found is None:
        raise InvalidInput({"type": [_("This session type is not offered by this coach.")]})
    found.coach = coach_obj  # already loaded
    # A paid type's booking holds the slot unpaid until Stripe says it is paid (invariant 10).
    status = Booking.Status.PENDING_PAYMENT if found.is_paid else Booking.Status.CONFIRMED
    start = parse_instant(payload.start)
    # Only bookings made spend the email's allowance: given back below when refused.
    allowance = take_email_allowance(request, email=payload.email)
    if allowance is None:
        return Status(429, {"error": "rate_limited", "message": _(
            "Too many bookings for this email address; please wait an hour and try again.")})
    try:
        booking = booking_create(session_type=found, start=start,
                                 invitee=_invitee(payload, coach_obj.zone), now=timezone.now(),
                                 status=status)
        # The hold has committed: now ask Stripe (PaymentUnavailable releases it: 503).
        checkout_url = checkout_url_for(booking, settings.SITE_URL) if found.is_paid else None
    except errors.BookingError as exc:
        allowance.rollback()
        return error_status(exc, response)
    except DjangoValidationError as exc:
        allowance.rollback()
        return field_errors(exc)
    return Status(201, {**booking_out(booking), "checkout_url": checkout_url})
