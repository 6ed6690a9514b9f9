"""The invitee's manage API (/api/v1/manage/{token}…): the token in the path is the credential."""

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from ninja import Router, Status

from api.common import (
    COMMON,
    ManageToken,
    booking_out,
    error_status,
    field_errors,
    iso,
)
from api.schemas import (
    CancelIn,
    ErasureOut,
    ErrorOut,
    ManagedBookingOut,
    PersonDataOut,
    RescheduleIn,
)
from booking import errors
from booking.models import Booking
from booking.privacy import person_data
from booking.selectors import change_deadline, change_refusal, invitee_moves_left
from booking.services import booking_reschedule
from payments.services import booking_cancel_with_refund, person_erase_with_refund
from web.lookups import booking_or_404
from web.parsing import parse_instant

router = Router(tags=["manage"])

ALREADY_THERE = gettext_lazy("The booking is already at this time; nothing changed.")


def _managed_out(booking: Booking, now: datetime) -> dict:
    zone = booking.invitee_zone
    return {
        **booking_out(booking),
        "tz": str(zone),
        "coach": {"slug": booking.coach.slug, "name": booking.coach.display_name},
        "session_type": {"slug": booking.session_type.slug, "name": booking.session_type.name},
        "can_change": change_refusal(booking, by=Booking.CancelledBy.INVITEE, now=now) is None,
        "moves_left": invitee_moves_left(booking),
        "change_until": iso(change_deadline(booking), zone),
    }


@router.get("/manage/{token}", response={200: ManagedBookingOut, **COMMON})
def manage_booking(request: HttpRequest, token: ManageToken) -> dict:
    """The booking this private token opens; reading it changes nothing."""
    return _managed_out(booking_or_404(token), timezone.now())


@router.post("/manage/{token}/cancel", exclude_none=True,
             response={200: ManagedBookingOut, 409: ErrorOut, **COMMON})
def cancel_booking(request: HttpRequest, token: ManageToken,
                   payload: CancelIn | None = None) -> Status:
    """Cancel as the invitee, until the session type's cut-off."""
    booking = booking_or_404(token)
    now = timezone.now()
    try:
        booking = booking_cancel_with_refund(booking=booking, by=Booking.CancelledBy.INVITEE,
                                             reason=payload.reason if payload else "", now=now)
    except errors.BookingError as exc:
        return error_status(exc)
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(200, _managed_out(booking, now))


@router.post("/manage/{token}/reschedule", exclude_none=True,
             response={200: ManagedBookingOut, 409: ErrorOut, **COMMON})
def reschedule_booking(request: HttpRequest, token: ManageToken,
                       payload: RescheduleIn) -> Status:
    """Move to another listed slot, until the cut-off; same uid, calendars update in place.

    At most the session type's `max_reschedules` moves (409 `reschedule_limit` after). A move
    to the time the booking already has changes nothing and says so in `message`.
    """
    booking = booking_or_404(token)
    now = timezone.now()
    start = parse_instant(payload.start)
    try:
        moved = booking_reschedule(booking=booking, start=start,
                                   by=Booking.CancelledBy.INVITEE, now=now)
    except errors.BookingError as exc:
        return error_status(exc)
    body = _managed_out(moved, now)
    if moved.sequence == booking.sequence:
        body["message"] = str(ALREADY_THERE)
    return Status(200, body)


@router.get("/manage/{token}/data", response={200: PersonDataOut, **COMMON})
def my_data(request: HttpRequest, token: ManageToken) -> dict:
    """Everything this coach holds about the person this link belongs to (right of access):
    every booking of that email with her, its history, her private notes, the emails sent."""
    return person_data(booking=booking_or_404(token))


@router.post("/manage/{token}/erase", response={200: ErasureOut, 409: ErrorOut, **COMMON})
def erase_my_data(request: HttpRequest, token: ManageToken) -> dict | Status:
    """Erase this person's data held by this coach (right to erasure): bookings not over yet
    are cancelled (both sides are emailed, paid ones refunded by policy) and everything is
    anonymised, the cancelled bookings once their emails had time to go out."""
    try:
        erasure = person_erase_with_refund(booking=booking_or_404(token),
                                           by=Booking.CancelledBy.INVITEE)
    except errors.BookingError as exc:  # a booking changed under us: nothing was erased
        return error_status(exc)
    until = erasure.deferred_until
    return {"cancelled": erasure.cancelled, "anonymised": erasure.anonymised,
            "erased_after": until.isoformat() if until else None}
