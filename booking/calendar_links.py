"""Add-to-calendar links (Google Calendar, Outlook.com) for the facts an invite carries.

Pure, like `invites`: the same InviteFacts give the same links. They are links the reader
clicks, beside the attached invite.ics, for calendars that do not read attachments; nothing
fetches them. Times go in UTC, as in the invite.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    from booking.invites import InviteFacts

GOOGLE_BASE = "https://calendar.google.com/calendar/render"
OUTLOOK_BASE = "https://outlook.live.com/calendar/0/action/compose"
# Browsers and servers refuse very long URLs; a description cut short loses little.
DETAILS_MAX = 1500


def _google_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _outlook_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _query(params: dict[str, str]) -> str:
    # %20 rather than "+" for spaces: both calendars read it, and it survives every client.
    # "/" and ":" may stand in a query (RFC 3986) and keep the dates and links readable.
    return urlencode(params, quote_via=lambda value, *_: quote(value, safe="/:"))


def google_calendar_url(facts: InviteFacts) -> str:
    """`…/render?action=TEMPLATE&text=…&dates=START/END&details=…&location=…` (UTC)."""
    return GOOGLE_BASE + "?" + _query({
        "action": "TEMPLATE",
        "text": facts.summary,
        "dates": f"{_google_time(facts.start)}/{_google_time(facts.end)}",
        "details": facts.description[:DETAILS_MAX],
        "location": facts.location,
    })


def outlook_calendar_url(facts: InviteFacts) -> str:
    """`…/compose?subject=…&startdt=…&enddt=…&body=…&location=…` (ISO 8601, UTC)."""
    return OUTLOOK_BASE + "?" + _query({
        "subject": facts.summary,
        "startdt": _outlook_time(facts.start),
        "enddt": _outlook_time(facts.end),
        "body": facts.description[:DETAILS_MAX],
        "location": facts.location,
    })
