"""A booking's VEVENT in the coach's feed, written by icalendar and kept on the booking's row.

icalendar is the only code that writes iCalendar, and it needs about 1 ms per event: a feed of
10,000 bookings cannot have its events written on each request. So each booking keeps its feed
event as icalendar wrote it (`Booking.feed_event`), rendered whenever the booking is saved,
and the feed joins the stored pieces. Two fields say what a stored event was made from:

- `feed_event_at`: the booking's `updated_at` it was rendered for. Every field of the booking
  that the event shows is written with a new `updated_at`, so a row changed behind `save()`'s
  back (a QuerySet.update() that moves `updated_at`) shows as stale too.
- `feed_event_key`: a hash of everything else that went into it: the builder (this module,
  `booking.invites` and icalendar's version), the coach's name and email and the session
  type's name and location, which live on other rows.

The feed renders again the rows whose `feed_event_at` or `feed_event_key` no longer match.

Pure, like `invites`: no ORM import; it reads attributes of a booking, its coach (and her user)
and its session type, which callers should select_related.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import icalendar

from booking import invites, location
from booking.invites import InviteFacts

if TYPE_CHECKING:
    from booking.models import Booking


def _builder_version() -> str:
    # A deploy that changes what the builder writes must make every stored event stale.
    source = b"".join(Path(module.__file__).read_bytes()
                      for module in (invites, location, sys.modules[__name__]))
    return hashlib.blake2b(source + icalendar.__version__.encode(), digest_size=8).hexdigest()


BUILDER_VERSION = _builder_version()
KEY_LENGTH = 32


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """What `Booking` keeps of its feed event: its bytes and what they were made from."""

    ics: bytes
    key: str
    at: datetime


# The session type's fields an event shows besides its name: where the session happens.
TYPE_LOCATION_FIELDS = ("location_kind", "location_details", "location_room_per_booking")


def event_key(*, organizer_name: str, organizer_email: str, type_name: str,
              type_location: tuple = ()) -> str:
    """The hash of what an event depends on besides its booking's row (KEY_LENGTH hex digits).

    `type_location` is the session type's TYPE_LOCATION_FIELDS values, in that order.

    A feed holds a handful of distinct keys (one per session type), so it computes each once.
    """
    parts = json.dumps([BUILDER_VERSION, organizer_name, organizer_email, type_name,
                        list(type_location)])
    return hashlib.blake2b(parts.encode(), digest_size=KEY_LENGTH // 2).hexdigest()


def feed_facts(booking: Booking) -> InviteFacts:
    """The facts of `booking`'s event in the coach's feed.

    What the emailed invite says (same UID, SEQUENCE and times), with DTSTAMP at the booking's
    last change (so a row always gives the same bytes), the summary "<session type> ·
    <invitee>", her message (and the video link) as the description, no alarm and no manage
    link: that link is the invitee's credential and stays out of the coach's calendar.
    """
    # The video link also goes in the description: not every client shows CONFERENCE.
    link = location.where_booked(booking).link
    return InviteFacts.from_booking(
        booking, dtstamp=booking.updated_at, manage_url="",
        description="\n\n".join(filter(None, [booking.message, link])),
        summary=_summary(booking), alarm_minutes=None)


# Not translated: the builder is pure, and the feed's other words are the coach's own.
ANONYMISED = "Anonymised"


def _summary(booking: Booking) -> str:
    """"<session type> · <invitee>", or "· Anonymised" once the invitee's data is erased."""
    who = ANONYMISED if booking.anonymised_at is not None else booking.invitee_name
    return f"{booking.session_type.name} · {who}"


def render_event(booking: Booking) -> StoredEvent:
    """`booking`'s feed VEVENT as icalendar writes it, with its key and stamp."""
    coach = booking.coach
    ics = invites.vevent(feed_facts(booking)).to_ical()
    key = event_key(organizer_name=coach.display_name, organizer_email=coach.user.email,
                    type_name=booking.session_type.name,
                    type_location=tuple(getattr(booking.session_type, field)
                                        for field in TYPE_LOCATION_FIELDS))
    return StoredEvent(ics=ics, key=key, at=booking.updated_at)
