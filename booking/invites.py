"""iCalendar invites for bookings: plain values in, bytes out.

Pure on purpose (no ORM query, no clock, no settings): the caller passes `dtstamp` and the
absolute manage link, so the same facts always give the same bytes. Feeds reuse `vevent`,
which knows nothing of iTIP methods; `invite_ics` wraps one VEVENT in a METHOD:REQUEST or
METHOD:CANCEL calendar the way calendar clients expect (see shared/tools/ical-check).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from icalendar import Alarm, Calendar, Event, vCalAddress, vUri

from booking.location import where_booked

if TYPE_CHECKING:
    from booking.models import Booking

PRODID = "-//Creneau//Creneau bookings//EN"
UID_DOMAIN = "creneau"
DEFAULT_ALARM_MINUTES = 15

Method = Literal["REQUEST", "CANCEL"]
Status = Literal["CONFIRMED", "TENTATIVE", "CANCELLED"]

# Control characters and DQUOTE cannot appear in a parameter value (RFC 5545 3.1, 3.2);
# CR/LF would also end the content line. Names are validated upstream; this makes the
# builder safe by construction whatever it is given.
_PARAM_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class InviteFacts:
    """Everything one VEVENT says about one booking at one SEQUENCE."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    description: str
    url: str
    organizer_email: str
    organizer_name: str
    attendee_email: str
    attendee_name: str
    dtstamp: datetime
    status: Status = "CONFIRMED"
    last_modified: datetime | None = None
    created: datetime | None = None
    # Minutes before the start for a display alarm; None for none (feeds may prefer none).
    alarm_minutes: int | None = DEFAULT_ALARM_MINUTES
    # Where: LOCATION (an address, a phone line or the link) and the video link, sent as an
    # RFC 7986 CONFERENCE so that URL stays the manage link.
    location: str = ""
    conference_url: str = ""

    def __post_init__(self) -> None:
        for name in ("start", "end", "dtstamp", "last_modified", "created"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"InviteFacts.{name} must be an aware datetime")
        if self.end <= self.start:
            raise ValueError("InviteFacts.end must be after start")
        if self.sequence < 0:
            raise ValueError("InviteFacts.sequence cannot be negative")

    @property
    def cancelled(self) -> bool:
        return self.status == "CANCELLED"

    @classmethod
    def from_booking(cls, booking: Booking, *, dtstamp: datetime, manage_url: str,
                     summary: str | None = None, description: str | None = None,
                     alarm_minutes: int | None = DEFAULT_ALARM_MINUTES) -> InviteFacts:
        """Facts of `booking` as it stands (reads attributes only; no query beyond the
        coach's user and session type relations, which callers should select_related).

        `manage_url` is absolute (settings.SITE_URL + path), passed in to keep this pure.
        """
        coach = booking.coach
        where = where_booked(booking)
        return cls(
            uid=booking_uid(booking.uid),
            sequence=booking.sequence,
            start=booking.start,
            end=booking.end,
            summary=summary if summary is not None else
            f"{booking.session_type.name} · {coach.display_name}",
            description=description if description is not None else manage_url,
            url=manage_url,
            organizer_email=coach.user.email,
            organizer_name=coach.display_name,
            attendee_email=booking.invitee_email,
            attendee_name=booking.invitee_name,
            dtstamp=dtstamp,
            status=status_for(booking.status),
            last_modified=booking.updated_at,
            created=booking.created_at,
            alarm_minutes=alarm_minutes,
            location=where.location,
            conference_url=where.link,
        )


def booking_uid(uid: object) -> str:
    """The iCalendar UID of a booking for its whole life (its UUID, scoped to us)."""
    return f"{uid}@{UID_DOMAIN}"


def status_for(booking_status: str) -> Status:
    """iCalendar STATUS for a Booking.Status value (plain strings keep this module pure)."""
    if booking_status == "cancelled":
        return "CANCELLED"
    if booking_status == "pending_payment":
        return "TENTATIVE"
    return "CONFIRMED"


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _param(value: str) -> str:
    return " ".join(_PARAM_CONTROL.sub(" ", value).replace('"', "'").split())


def _text(value: str) -> str:
    return _TEXT_CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _address(email: str, name: str, **params: str) -> vCalAddress:
    email = _param(email).replace(" ", "")
    address = vCalAddress(f"mailto:{email}")
    if _param(name):
        address.params["CN"] = _param(name)
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = value
    return address


def _alarm(facts: InviteFacts) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _text(facts.summary))
    alarm.add("trigger", timedelta(minutes=-facts.alarm_minutes))
    return alarm


def vevent(facts: InviteFacts) -> Event:
    """One VEVENT, in UTC, usable in an iTIP message or in a feed (no METHOD here)."""
    event = Event()
    event.add("uid", facts.uid)
    event.add("dtstamp", _utc(facts.dtstamp))
    event.add("sequence", facts.sequence)
    event.add("dtstart", _utc(facts.start))
    event.add("dtend", _utc(facts.end))
    event.add("status", facts.status)
    event.add("summary", _text(facts.summary))
    if facts.description:
        event.add("description", _text(facts.description))
    if facts.url:
        event.add("url", facts.url)
    if _text(facts.location).strip():
        event.add("location", " ".join(_text(facts.location).split()))
    if facts.conference_url:
        event.add("conference", vUri(_param(facts.conference_url).replace(" ", "")),
                  parameters={"VALUE": "URI", "FEATURE": "VIDEO"})
    if facts.created is not None:
        event.add("created", _utc(facts.created))
    if facts.last_modified is not None:
        event.add("last-modified", _utc(facts.last_modified))
    event.add("transp", "TRANSPARENT" if facts.cancelled else "OPAQUE")
    event.add("organizer", _address(facts.organizer_email, facts.organizer_name))
    if facts.attendee_email:  # none once the invitee's data is erased (booking.privacy)
        event.add("attendee", _address(facts.attendee_email, facts.attendee_name,
                                       role="REQ-PARTICIPANT", partstat="ACCEPTED",
                                       rsvp="FALSE"))
    if facts.alarm_minutes is not None and not facts.cancelled:
        event.add_component(_alarm(facts))
    return event


def invite_ics(facts: InviteFacts, method: Method) -> bytes:
    """An iTIP message (RFC 5546) with exactly one VEVENT: an invite or its cancellation.

    CANCEL always says STATUS:CANCELLED and drops the alarm; a REQUEST of cancelled facts is
    refused because clients keep such an event instead of removing it.
    """
    if method == "CANCEL":
        facts = replace(facts, status="CANCELLED", alarm_minutes=None)
    elif method == "REQUEST":
        if facts.cancelled:
            raise ValueError("A cancelled booking is sent with METHOD:CANCEL, not REQUEST")
    else:
        raise ValueError(f"Unsupported iTIP method {method!r}")
    # Built by hand rather than Calendar.new(), which adds a random calendar-level UID.
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(vevent(facts))
    return calendar.to_ical()
