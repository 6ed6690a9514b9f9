"""Forms of the manage pages (/b/<token>/…) and the free times a booking can move to."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import Booking
from booking.selectors import SlotFacts
from booking.validators import MESSAGE_MAX, validate_message

PAGE_DAYS = 14
CHOOSE_LISTED = _("Please choose one of the listed times.")


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=MESSAGE_MAX, strip=True,
        validators=[validate_message],
        help_text=_("The coach will see it."),
        widget=forms.Textarea(attrs={"rows": 3}))


class RescheduleForm(forms.Form):
    """The new start, as the ISO 8601 instant a listed radio button sends.

    Only its shape is checked here; whether it is still free is the service's call.
    """

    start = forms.CharField(max_length=40, error_messages={
        "required": _("Please choose a new time."), "max_length": CHOOSE_LISTED})

    def clean_start(self) -> datetime:
        value = self.cleaned_data["start"]
        try:
            start = datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(CHOOSE_LISTED, code="invalid") from None
        if start.utcoffset() is None:
            raise forms.ValidationError(CHOOSE_LISTED, code="invalid")
        return start.astimezone(UTC)


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


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def iso_utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def reschedule_page(*, booking: Booking, zone: ZoneInfo, asked: date | None,
                    now: datetime) -> SlotPage:
    """Free times for `booking`, whose own time does not block its neighbours.

    One selector call covers the whole horizon, so the query count stays fixed and an empty
    page can point at the next free day.
    """
    session_type = booking.session_type
    first = now.astimezone(zone).date()
    last = (now + session_type.horizon).astimezone(zone).date()
    start, end = _midnight(first, zone), _midnight(last + timedelta(days=1), zone)
    facts = SlotFacts(session_type=session_type, start=start, end=end, exclude_booking=booking)
    slots = [slot for slot in facts.slots(start=start, end=end, now=now)
             if slot.start != booking.start]
    if asked is None:
        asked = slots[0].start.astimezone(zone).date() if slots else first
    page_first = min(max(asked, first), last)
    page_end = page_first + timedelta(days=PAGE_DAYS)
    days: dict[date, SlotDay] = {}
    next_free = None
    earlier = False
    for slot in slots:
        day = slot.start.astimezone(zone).date()
        if page_first <= day < page_end:
            days.setdefault(day, SlotDay(day)).slots.append(ShownSlot(slot.start,
                                                                      iso_utc(slot.start)))
        elif day >= page_end and next_free is None:
            next_free = day
        earlier = earlier or day < page_first
    previous = max(page_first - timedelta(days=PAGE_DAYS), first) if earlier else None
    return SlotPage(first=page_first, days=list(days.values()), previous=previous,
                    next=page_end if page_end <= last else None,
                    next_free=next_free if not days else None)
