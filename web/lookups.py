"""Find-or-404 for every door: a coach, her active session type, a booking by manage token.

Each checks the value's shape before any query (a NUL or a lone surrogate must not reach the
database driver), and a miss of any kind is the same Http404: a wrong token must look exactly
like an unknown one.
"""

import uuid

from django.http import Http404

from accounts.models import Coach
from accounts.selectors import coach_by_slug
from availability.models import SessionType
from availability.selectors import active_session_type
from booking.agenda import coach_booking
from booking.models import Booking
from booking.selectors import booking_by_manage_token
from web.parsing import is_slug, is_token


def coach_or_404(slug: str) -> Coach:
    coach = coach_by_slug(slug=slug) if is_slug(slug) else None
    if coach is None:
        raise Http404
    return coach


def session_type_or_404(coach_slug: str, type_slug: str | None) -> SessionType:
    """The coach's active type of that slug (her first one if None), coach joined."""
    if not is_slug(coach_slug) or (type_slug is not None and not is_slug(type_slug)):
        raise Http404
    found = active_session_type(coach_slug=coach_slug, slug=type_slug)
    if found is None:
        raise Http404
    return found


def booking_or_404(token: str) -> Booking:
    booking = booking_by_manage_token(token=token) if is_token(token) else None
    if booking is None:
        raise Http404
    return booking


def coach_booking_or_404(coach: Coach, uid: uuid.UUID) -> Booking:
    """Her booking of this uid; another coach's booking is the same 404 as an unknown one."""
    booking = coach_booking(coach=coach, uid=uid)
    if booking is None:
        raise Http404
    return booking
