"""What the hours page shows beside the editor: her time off and overrides in words, the next
two weeks of slots of one type (the slot engine's own answer), and why a time is not offered.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from schedule.models import Event

from availability.models import SessionType
from availability.selectors import local_instant
from availability.slots import Slot
from booking.selectors import free_slots_for
from booking.why import Reason, Why

PREVIEW_DAYS = 14


@dataclass(frozen=True)
class Period:
    id: int
    label: str


def _is_midnight(instant: datetime) -> bool:
    return instant.time() == time(0)


def period_label(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """A closed or opened period in her words: whole days, or from a time to a time."""
    start, end = start.astimezone(zone), end.astimezone(zone)
    if _is_midnight(start) and _is_midnight(end):
        last = end.date() - timedelta(days=1)
        if last == start.date():
            return _("%(day)s, all day") % {"day": date_format(start, "l j F Y")}
        return _("%(first)s to %(last)s, all day") % {
            "first": date_format(start, "l j F Y"), "last": date_format(last, "l j F Y")}
    if start.date() == end.date():
        return _("%(day)s, %(start)s–%(end)s") % {
            "day": date_format(start, "l j F Y"), "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}"}
    return _("%(start)s to %(end)s") % {"start": date_format(start, "l j F Y, H:i"),
                                        "end": date_format(end, "l j F Y, H:i")}


def periods(events: list[Event], zone: ZoneInfo) -> list[Period]:
    return [Period(event.pk, period_label(event.start, event.end, zone)) for event in events]


@dataclass(frozen=True)
class PreviewDay:
    day: date
    slots: list[str]


def preview(*, session_type: SessionType, zone: ZoneInfo, now: datetime) -> list[PreviewDay]:
    """The next two weeks of free slots of this type, by her local day (days without any
    slot included, so a closed day shows as closed)."""
    today = now.astimezone(zone).date()
    start = local_instant(datetime.combine(today, time(0)), zone)
    end = local_instant(datetime.combine(today + timedelta(days=PREVIEW_DAYS), time(0)), zone)
    slots: list[Slot] = free_slots_for(session_type=session_type, start=start, end=end, now=now)
    by_day: dict[date, list[str]] = {today + timedelta(days=n): [] for n in range(PREVIEW_DAYS)}
    for slot in slots:
        local = slot.start.astimezone(zone)
        by_day.setdefault(local.date(), []).append(f"{local:%H:%M}")
    return [PreviewDay(day, times) for day, times in by_day.items()]


def why_message(why: Why, session_type: SessionType, zone: ZoneInfo) -> str:
    """The answer to "why is this time not offered?" in her words."""
    simple = {
        Reason.OFFERED: _("It is offered: this time is one of the free slots."),
        Reason.PAST: _("It is in the past."),
        Reason.OUTSIDE_WINDOWS: _("It is outside your hours."),
        Reason.TIME_OFF: _("You are off at this time (time off or a date override)."),
        Reason.DAILY_CAP: _("This day already has as many sessions as your daily cap allows."),
    }
    if why.reason in simple:
        return simple[why.reason]
    if why.reason == Reason.TOO_SOON:
        return _("It is too soon: this session needs %(hours)s hours' notice.") % {
            "hours": f"{session_type.notice.total_seconds() / 3600:g}"}
    if why.reason == Reason.TOO_FAR:
        return _("It is beyond the horizon: this session can be booked up to %(days)s days "
                 "ahead.") % {"days": session_type.horizon.days}
    if why.reason == Reason.OFF_GRID:
        return _("It is off the slot grid: sessions start every %(minutes)s minutes from the "
                 "start of your hours.") % {"minutes": int(session_type.step.total_seconds() // 60)}
    if why.reason == Reason.BUSY:
        return _("You are busy in your calendar “%(name)s” at this time.") % {
            "name": why.calendar or _("imported")}
    booking = why.booking
    when = booking.start.astimezone(zone).strftime("%H:%M") if booking else ""
    if why.reason == Reason.BOOKED:
        return _("It is booked: %(name)s has a session at %(time)s.") % {
            "name": booking.invitee_name if booking else "", "time": when}
    return _("It is within the free time kept around another booking (%(name)s at "
             "%(time)s).") % {"name": booking.invitee_name if booking else "", "time": when}


def booking_link(why: Why) -> str:
    if why.booking is None or why.reason not in (Reason.BOOKED, Reason.BUFFER):
        return ""
    return reverse("workspace:booking", args=[why.booking.uid])
