"""Clock times as the invitee reads them, from the picker to the manage page and the emails.

One format per language, written here once: French "14:30", English "2:30 PM". Django's own
English TIME_FORMAT ("2:30 p.m.", "3 a.m.") differs from page to page with the minutes, so
every invitee-facing time goes through `clock_time` (templates through the `clock` filter).
"""

from datetime import datetime, time

from django.utils import dateformat
from django.utils.translation import get_language

CLOCK_FORMATS = {"en": "g:i A"}
DEFAULT_CLOCK_FORMAT = "H:i"


def clock_format(language: str | None = None) -> str:
    """The time format (Django's date-format letters) of `language`, or the active one."""
    language = (language or get_language() or "").split("-")[0]
    return CLOCK_FORMATS.get(language, DEFAULT_CLOCK_FORMAT)


def clock_time(value: datetime | time) -> str:
    """A local time as the active language writes it; convert to the zone shown first."""
    return dateformat.time_format(value, clock_format())
