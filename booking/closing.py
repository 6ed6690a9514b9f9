"""Closing time that holds bookings: which active bookings time off would cover, and closing
it while keeping them or cancelling them through the cancel service (emails and invites go
out as for any cancellation by the coach).

Availability knows nothing of bookings, so this lives here: the availability write is passed
in as a function, run in the same transaction as the cancellations.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from django.db import transaction
from django.db.models import Q

from accounts.models import Coach
from availability.slots import Interval
from booking.models import Booking
from booking.services import booking_cancel

T = TypeVar("T")
CancelService = Callable[..., Booking]


class ConflictsChanged(Exception):
    """Bookings appeared under the time off since the coach was shown the list."""

    def __init__(self, conflicts: list[Booking]) -> None:
        super().__init__("conflicts changed")
        self.conflicts = conflicts


def bookings_covered(*, coach: Coach, intervals: Iterable[Interval],
                     now: datetime) -> list[Booking]:
    """Her active (confirmed or pending payment) bookings not yet over that overlap any of
    `intervals`, by start."""
    overlap = Q()
    for interval in intervals:
        overlap |= Q(start__lt=interval.end, end__gt=interval.start)
    if not overlap:
        return []
    return list(Booking.objects.active().filter(coach=coach, end__gt=now).filter(overlap)
                .select_related("session_type", "coach__user").order_by("start", "pk"))


def close_time(*, coach: Coach, intervals: Sequence[Interval], write: Callable[[], T],
               now: datetime, cancel: bool = False, message: str = "",
               seen: Iterable[UUID] | None = None,
               cancel_with: CancelService = booking_cancel) -> tuple[T, list[Booking]]:
    """Run `write` (the availability change closing `intervals`) and, with `cancel`, cancel
    the bookings it covers as the coach with `message`; all in one transaction.

    `seen` is what the coach was shown: a booking covered but not in it raises
    ConflictsChanged and nothing changes. Without `cancel` the bookings are kept. Returns
    what `write` returned and the bookings covered. `cancel_with` is the cancel service
    (delivery passes the one that also refunds paid bookings).
    """
    with transaction.atomic():
        covered = bookings_covered(coach=coach, intervals=intervals, now=now)
        if seen is not None and {b.uid for b in covered} - set(seen):
            raise ConflictsChanged(covered)
        result = write()
        if cancel:
            covered = [cancel_with(booking=booking, by=Booking.CancelledBy.COACH,
                                   reason=message, now=now) for booking in covered]
    return result, covered
