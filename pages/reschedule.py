"""Where a booking can move to. The invitee's manage link shows the booking picker's week and
month views, whose times are the choices of one POST form, with the booking's own time marked
among them; the coach's workspace pages through PAGE_DAYS days at a time (reschedule_page).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.http import QueryDict

from availability.slots import Slot
from booking.models import Booking
from booking.selectors import Bookable, bookable_days
from pages.picker import Calendar, Links, build_calendar, iso_utc


def with_current(span: Bookable, booking: Booking, zone: ZoneInfo) -> Bookable:
    """`span` plus the booking's own time, which the calendar shows as "your current time"."""
    day = booking.start.astimezone(zone).date()
    if not span.first <= day <= span.last:
        return span
    by_day = {d: list(slots) for d, slots in span.by_day.items()}
    by_day.setdefault(day, []).append(Slot(booking.start, booking.end))
    by_day[day].sort()
    return Bookable(first=span.first, last=span.last, by_day=dict(sorted(by_day.items())))


def reschedule_params(query: QueryDict) -> QueryDict:
    """The calendar's parameters; `?from=` (the old page's links, in sent emails) is a week."""
    if query.get("from") and not query.get("week"):
        query = query.copy()
        query["week"] = query["from"]
    return query


def reschedule_calendar(*, booking: Booking, params: QueryDict, zone: ZoneInfo, now: datetime,
                        url: str, notices: list[str]) -> Calendar:
    """The week or month asked for, of times `booking` can move to (its own time does not
    block its neighbours), with links back to `url`, the reschedule page."""
    span = bookable_days(session_type=booking.session_type, zone=zone, now=now, moving=booking)
    links = Links(url, url, None, current=iso_utc(booking.start))
    return build_calendar(reschedule_params(params), with_current(span, booking, zone), zone,
                          notices, links)


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
