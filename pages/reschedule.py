"""The manage link's reschedule page: which times, page by page, a booking can move to."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from booking.models import Booking
from booking.selectors import bookable_days
from pages.picker import iso_utc

PAGE_DAYS = 14


@dataclass(frozen=True, slots=True)
class ShownSlot:
    start: datetime
    iso: str  # the radio button's value, UTC


@dataclass(slots=True)
class SlotDay:
    day: date
    slots: list[ShownSlot] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SlotPage:
    """PAGE_DAYS days (in the invitee's zone) of times this booking could move to."""

    first: date
    days: list[SlotDay]
    previous: date | None
    next: date | None
    next_free: date | None  # when this page is empty: the first later day with a free time


def reschedule_page(*, booking: Booking, zone: ZoneInfo, asked: date | None,
                    now: datetime) -> SlotPage:
    """Free times for `booking`, whose own time does not block its neighbours."""
    span = bookable_days(session_type=booking.session_type, zone=zone, now=now, moving=booking)
    if asked is None:
        asked = span.first_free_from(span.first) or span.first
    page_first = min(max(asked, span.first), span.last)
    page_end = page_first + timedelta(days=PAGE_DAYS)
    days = [SlotDay(day, [ShownSlot(slot.start, iso_utc(slot.start)) for slot in slots])
            for day, slots in span.by_day.items() if page_first <= day < page_end]
    earlier = any(day < page_first for day in span.by_day)
    return SlotPage(
        first=page_first, days=days,
        previous=max(page_first - timedelta(days=PAGE_DAYS), span.first) if earlier else None,
        next=page_end if page_end <= span.last else None,
        next_free=None if days else span.first_free_from(page_end))
