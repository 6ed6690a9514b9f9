"""The one parser of user-supplied instants, dates, zones, slugs and tokens.

Every door (the booking form, the manage forms, the JSON API, the workspace) reads what people
type or send through these functions, so that a value refused at one door is refused at all of
them with the same message. Each parser raises `BadValue` (a ValueError whose message is for
people, in the active language) and never lets an `OverflowError`, a NUL byte or a lone
surrogate through to the database driver or to `astimezone()`.
"""

import re
from datetime import UTC, date, datetime, time
from functools import cache
from uuid import UUID
from zoneinfo import ZoneInfo, available_timezones

from django.utils.translation import gettext as _

from accounts import tokens
from web.zonedb import canonical_zone_name

# Far enough for any booking, near enough that converting between zones or adding a horizon
# cannot overflow: Python's datetimes end at year 9999.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
INSTANT_MAX_LENGTH = 40
ZONE_MAX_LENGTH = 64
SLUG_RE = re.compile(r"[-a-zA-Z0-9_]{1,60}")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TIME_RE = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
# What an ISO 8601 instant may hold; datetime.fromisoformat alone stops at a NUL byte.
INSTANT_CHARS_RE = re.compile(r"[-0-9T:.,+Z ]+")
TOKEN_RE = re.compile(rf"[A-Za-z0-9_-]{{{tokens.SELECTOR_LENGTH + tokens.SECRET_LENGTH}}}")


class BadValue(ValueError):
    """A value people sent that cannot be used; str(exc) says why, in their language."""


def instant_format_message() -> str:
    return _("Enter a date and time in ISO 8601 format, with its UTC offset, such as "
             "2027-03-01T09:00:00+01:00.")


@cache
def known_zones() -> frozenset[str]:
    """IANA zone names; scanning the zone database once is enough."""
    return frozenset(available_timezones())


def is_slug(value: object) -> bool:
    return isinstance(value, str) and SLUG_RE.fullmatch(value) is not None


def is_token(value: object) -> bool:
    """Whether `value` has a manage or feed token's shape (checked before any query)."""
    return isinstance(value, str) and TOKEN_RE.fullmatch(value) is not None


UUID_RE = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                     r"[0-9a-fA-F]{12}")


def parse_uuid(value: object) -> UUID | None:
    """A booking uid as the API writes it (with or without dashes), or None.

    A UUID passes as it is: the workspace's URLs (`<uuid:uid>`) have converted it already.
    """
    if isinstance(value, UUID):
        return value
    if not isinstance(value, str) or UUID_RE.fullmatch(value) is None:
        return None
    return UUID(value)


def parse_zone(value: object) -> ZoneInfo:
    """An IANA zone by name; legacy names (`Asia/Calcutta`, `US/Eastern`) map to canonical ones."""
    if (not isinstance(value, str) or not value or len(value) > ZONE_MAX_LENGTH
            or value not in known_zones()):
        raise BadValue(_("Unknown time zone; use an IANA name such as Europe/Paris."))
    try:
        return ZoneInfo(canonical_zone_name(value))
    except (ValueError, OSError):
        raise BadValue(_("Unknown time zone; use an IANA name such as Europe/Paris.")) from None


def zone_or_none(value: object) -> ZoneInfo | None:
    """The zone of this name, or None for anything else (pages fall back to a default)."""
    try:
        return parse_zone(value)
    except BadValue:
        return None


def parse_date(value: object) -> date:
    """A calendar date written YYYY-MM-DD."""
    try:
        if not isinstance(value, str) or DATE_RE.fullmatch(value) is None:
            raise ValueError(value)
        parsed = date.fromisoformat(value)
    except ValueError:
        raise BadValue(_("Enter a valid date as YYYY-MM-DD.")) from None
    if not EARLIEST.date() <= parsed < LATEST.date():
        raise BadValue(_("This date is out of range."))
    return parsed


def date_or_none(value: object) -> date | None:
    try:
        return parse_date(value)
    except BadValue:
        return None


def parse_time(value: object) -> time:
    """A wall-clock time written HH:MM (24-hour clock), as a coach's hours are."""
    match = TIME_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise BadValue(_("Enter a time as HH:MM, such as 09:30."))
    return time(int(match[1]), int(match[2]))


def parse_instant(value: object) -> datetime:
    """An ISO 8601 date and time with its UTC offset, as an aware UTC datetime.

    Naive values are refused (whose clock would they be?), and so is anything outside
    [EARLIEST, LATEST): far-off years would overflow the arithmetic around a slot.
    """
    if (not isinstance(value, str) or len(value) > INSTANT_MAX_LENGTH
            or INSTANT_CHARS_RE.fullmatch(value) is None):
        raise BadValue(instant_format_message())
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadValue(instant_format_message()) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise BadValue(_("Add the UTC offset to this date and time, such as "
                         "2027-03-01T09:00:00+01:00."))
    try:
        instant = parsed.astimezone(UTC)
    except OverflowError:
        instant = None
    if instant is None or not EARLIEST <= instant < LATEST:
        raise BadValue(_("This date and time is out of range."))
    return instant


def instant_or_none(value: object) -> datetime | None:
    try:
        return parse_instant(value)
    except BadValue:
        return None
