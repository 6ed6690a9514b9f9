"""Where a booking's session happens, as plain values the pages, emails and invites show.

Pure (no Django, like `invites`, which uses it): reads attributes of a booking and its
session type, no query. The room made for one booking (`Booking.meeting_url`) is the two
sides' business: only their pages, emails and invites carry it, never a public page.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from availability.models import SessionType
    from booking.models import Booking

# Jitsi Meet makes a room for any name on first visit: no account, no API call.
MEETING_BASE = "https://meet.jit.si/"
PHONE_CHARS = re.compile(r"^[0-9 +\-().]*$")
PHONE_DIGITS_MIN, PHONE_DIGITS_MAX = 6, 20
PHONE_MAX_LENGTH = 32  # Booking.invitee_phone


@dataclass(frozen=True, slots=True)
class Where:
    """`kind` (a SessionType.LocationKind value or ""), a line of text and/or a link."""

    kind: str = ""
    text: str = ""
    link: str = ""

    @property
    def location(self) -> str:
        """The iCalendar LOCATION: the address, the phone line, or the link."""
        return self.text or self.link


def new_meeting_url() -> str:
    """A fresh room whose name nobody can guess (128 bits from `secrets`)."""
    return MEETING_BASE + "Creneau-" + secrets.token_urlsafe(16)


def needs_room(session_type: SessionType) -> bool:
    return session_type.location_kind == "video" and session_type.location_room_per_booking


def needs_phone(session_type: SessionType) -> bool:
    return session_type.location_kind == "phone"


def clean_phone(value: str) -> str:
    """The number trimmed, or ValueError: digits, spaces, + - ( ) and dots, 6–20 digits.

    Light on purpose: numbers are written many ways, and the coach reads it, not a machine.
    """
    value = value.strip()
    if not PHONE_CHARS.match(value):  # before spaces are folded: no line break slips through
        raise ValueError(value)
    value = " ".join(value.split())
    digits = sum(char.isdigit() for char in value)
    if (len(value) > PHONE_MAX_LENGTH or not PHONE_CHARS.match(value)
            or not PHONE_DIGITS_MIN <= digits <= PHONE_DIGITS_MAX):
        raise ValueError(value)
    return value


def where_booked(booking: Booking) -> Where:
    """Where `booking` happens, for its invitee and its coach (private room link included)."""
    session_type = booking.session_type
    kind, details = session_type.location_kind, session_type.location_details
    if kind == "video":
        link = booking.meeting_url if needs_room(session_type) else details
        return Where(kind=kind, link=link or details)
    if kind == "phone":
        return Where(kind=kind, text=booking.invitee_phone)
    return Where(kind=kind, text=details)


def where_public(session_type: SessionType) -> Where:
    """What a public page may say before booking: no link (it comes with the invite)."""
    kind = session_type.location_kind
    if kind in ("video", "phone"):
        return Where(kind=kind)
    return Where(kind=kind, text=session_type.location_details)

