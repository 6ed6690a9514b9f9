"""Find-or-404 for every door: a coach, her active session type, a booking by manage token
or by uid among the coach's own.

Each checks the value's shape before any query (a NUL or a lone surrogate must not reach the
database driver), and a miss of any kind is the same Http404: a wrong token must look exactly
like an unknown one.
"""


from collections.abc import Callable
from typing import TypeVar

from django.http import Http404

from accounts.models import Coach
from accounts.selectors import coach_by_slug
from availability.models import SessionType
from availability.selectors import SlotSubject, active_session_type, slot_subject
from booking.models import Booking
from booking.selectors import booking_by_manage_token, coach_booking
from web.parsing import is_slug, is_token, parse_uuid

T = TypeVar("T")


def coach_or_404(slug: str) -> Coach:
    coach = coach_by_slug(slug=slug) if is_slug(slug) else None
    if coach is None:
        raise Http404
    return coach


def _type_or_404(find: Callable[..., T | None], coach_slug: str, type_slug: str | None) -> T:
    if not is_slug(coach_slug) or (type_slug is not None and not is_slug(type_slug)):
        raise Http404
    found = find(coach_slug=coach_slug, slug=type_slug)
    if found is None:
        raise Http404
    return found


def session_type_or_404(coach_slug: str, type_slug: str | None) -> SessionType:
    """The coach's active type of that slug (her first one if None), coach joined."""
    return _type_or_404(active_session_type, coach_slug, type_slug)


def slot_subject_or_404(coach_slug: str, type_slug: str | None) -> SlotSubject:
    """What `session_type_or_404` finds, as the slot path needs it, in one query."""
    return _type_or_404(slot_subject, coach_slug, type_slug)


def booking_or_404(token: str) -> Booking:
    booking = booking_by_manage_token(token=token) if is_token(token) else None
    if booking is None:
        raise Http404
    return booking


def coach_booking_or_404(coach: Coach, uid: object) -> Booking:
    """The coach's booking of this uid; a malformed uid is refused before any query."""
    parsed = parse_uuid(uid)
    booking = coach_booking(coach=coach, uid=parsed) if parsed is not None else None
    if booking is None:
        raise Http404
    return booking
