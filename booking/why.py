""""Why is this time not offered?": the engine's refusal, told with what causes it.

The answer is the slot engine's `refusal()` (so "offered" exactly when the start is one of
the free slots); only a "taken" start is looked at more closely, to say whether a booking
holds it, a booking's buffer, or a busy time of one of her imported calendars (named).
"""

import enum
from dataclasses import dataclass
from datetime import datetime

from availability.models import BusyInterval, SessionType
from availability.selectors import session_type_rules
from availability.slots import Refusal, timing_refusal
from booking.models import Booking
from booking.selectors import SlotFacts


class Reason(enum.StrEnum):
    OFFERED = "offered"
    PAST = "past"
    TOO_SOON = "too_soon"
    TOO_FAR = "too_far"
    OUTSIDE_WINDOWS = "outside_windows"
    TIME_OFF = "time_off"
    OFF_GRID = "off_grid"
    DAILY_CAP = "daily_cap"
    BOOKED = "booked"  # a booking's own time overlaps the session
    BUSY = "busy"  # a busy time of an imported calendar
    BUFFER = "buffer"  # only the free time kept around sessions collides


@dataclass(frozen=True, slots=True)
class Why:
    reason: Reason
    booking: Booking | None = None
    calendar: str = ""  # the imported calendar's name, for BUSY


def _taken_by(session_type: SessionType, start: datetime) -> Why:
    coach, end = session_type.coach, start + session_type.duration
    booked = (Booking.objects.active().filter(coach=coach, start__lt=end, end__gt=start)
              .order_by("start").first())
    if booked is not None:
        return Why(Reason.BOOKED, booking=booked)
    blocked_start = start - session_type.buffer_before
    blocked_end = end + session_type.buffer_after
    busy = (BusyInterval.objects.filter(coach=coach, start__lt=blocked_end, end__gt=blocked_start)
            .select_related("source").order_by("start").first())
    if busy is not None:
        return Why(Reason.BUSY, calendar=busy.source.name if busy.source else "")
    near = (Booking.objects.active().filter(coach=coach, blocked_start__lt=blocked_end,
                                            blocked_end__gt=blocked_start)
            .order_by("start").first())
    return Why(Reason.BUFFER, booking=near)


def why_not_offered(*, session_type: SessionType, start: datetime, now: datetime) -> Why:
    """Why `start` is not one of the free slots of this type, or OFFERED when it is."""
    # The clock first: a start centuries ahead must not cost expanding windows up to it.
    early = timing_refusal(start, rules=session_type_rules(session_type, session_type.coach.zone),
                           now=now)
    if early is not None:
        return Why(Reason(early.value))
    facts = SlotFacts.of(session_type, start=start, end=start + session_type.duration)
    refusal = facts.refusal(start, now=now)
    if refusal is None:
        return Why(Reason.OFFERED)
    if refusal == Refusal.TAKEN:
        return _taken_by(session_type, start)
    return Why(Reason(refusal.value))
