"""Reads of a coach's own bookings: the agenda, one booking with its history, the export.

Every function takes the coach and filters by her first, so no door can reach another coach's
booking (invariant 9); each reads through the (coach, start) index, so a practice's other
bookings cost nothing.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from accounts.models import Coach
from booking.models import Booking, BookingEvent, BookingNote, SentNotification

SEARCH_MAX = 100
EXPORT_CHUNK = 500


@dataclass(frozen=True, slots=True)
class AgendaFilter:
    """What the agenda shows: upcoming or past, a status, a range of instants, a search."""

    past: bool
    split: datetime  # upcoming starts here (her local midnight today), past ends here
    status: str = ""
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive
    query: str = ""


def agenda_bookings(*, coach: Coach, filters: AgendaFilter) -> QuerySet[Booking]:
    """Her bookings as the filter asks: upcoming ones soonest first, past ones latest first."""
    bookings = Booking.objects.filter(coach=coach).select_related("session_type")
    if filters.past:
        bookings = bookings.filter(start__lt=filters.split).order_by("-start", "-pk")
    else:
        bookings = bookings.filter(start__gte=filters.split).order_by("start", "pk")
    if filters.status:
        bookings = bookings.filter(status=filters.status)
    if filters.start is not None:
        bookings = bookings.filter(start__gte=filters.start)
    if filters.end is not None:
        bookings = bookings.filter(start__lt=filters.end)
    if query := filters.query.strip()[:SEARCH_MAX]:
        bookings = bookings.filter(Q(invitee_name__icontains=query)
                                   | Q(invitee_email__icontains=query))
    return bookings


def week_bookings(*, coach: Coach, start: datetime, end: datetime) -> list[Booking]:
    """Her bookings that are not cancelled and start in [start, end), soonest first."""
    return list(Booking.objects.filter(coach=coach, start__gte=start, start__lt=end)
                .exclude(status=Booking.Status.CANCELLED)
                .select_related("session_type").order_by("start", "pk"))


def export_bookings(*, coach: Coach, start: datetime, end: datetime) -> Iterator[Booking]:
    """Every booking of hers starting in [start, end), soonest first, read in chunks."""
    return (Booking.objects.filter(coach=coach, start__gte=start, start__lt=end)
            .select_related("session_type").order_by("start", "pk")
            .iterator(chunk_size=EXPORT_CHUNK))


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """One line of a booking's history: a change (`event`) or an email that went out."""

    at: datetime
    event: BookingEvent | None = None
    email: SentNotification | None = None

    @property
    def sequence(self) -> int:
        return self.event.sequence if self.event is not None else self.email.sequence


def booking_history(*, booking: Booking) -> list[HistoryItem]:
    """Changes and the emails sent about them, oldest first (two queries)."""
    items = [HistoryItem(at=event.at, event=event) for event in booking.events.all()]
    items += [HistoryItem(at=sent.sent_at, email=sent)
              for sent in booking.notifications.filter(sent_at__isnull=False)]
    # An email follows the change it reports even when both carry the same instant.
    return sorted(items, key=lambda item: (item.at, item.sequence, item.email is not None))


def booking_notes(*, booking: Booking) -> list[BookingNote]:
    return list(booking.notes.order_by("created_at", "pk"))
