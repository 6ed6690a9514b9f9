"""Shapes of the JSON API (DESIGN.md "HTTP API"): what comes in is checked here, field by field.

Each check raises ValueError with a message for people; config.api turns those into
`400 {"errors": {field: [message]}}`. Strings are parsed by hand rather than by pydantic's lax
coercions so that a number is not taken for a date and a naive datetime is refused.
"""

import re
from datetime import UTC, date, datetime
from functools import cache
from typing import Annotated
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool, StrictStr, field_validator

from booking import validators

SLUG_RE = re.compile(r"[-a-zA-Z0-9_]{1,60}")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Far enough for any booking, near enough that converting between zones cannot overflow.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)

DateTimeStr = Annotated[StrictStr, Field(json_schema_extra={"format": "date-time"},
                                         examples=["2027-03-01T09:00:00+01:00"])]
DateStr = Annotated[StrictStr, Field(json_schema_extra={"format": "date"},
                                     examples=["2027-03-01"])]
ZoneStr = Annotated[StrictStr, Field(examples=["Europe/Paris"])]


class Strict(Schema):
    """Input: unknown fields are refused, not ignored (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid")


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_slug(value: str) -> bool:
    return SLUG_RE.fullmatch(value) is not None


def check_zone(value: str) -> str:
    if value not in _zone_names():
        raise ValueError(_("Unknown time zone; use an IANA name such as Europe/Paris."))
    return value


def parse_date(value: str) -> date:
    try:
        if DATE_RE.fullmatch(value) is None:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("Enter a valid date as YYYY-MM-DD.")) from None


def parse_aware_datetime(value: str) -> datetime:
    """An ISO 8601 date and time with its UTC offset, as aware UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(_("Enter a date and time in ISO 8601 format, with its UTC offset, "
                           "such as 2027-03-01T09:00:00+01:00.")) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(_("Add the UTC offset to this date and time, "
                           "such as 2027-03-01T09:00:00+01:00."))
    try:
        instant = parsed.astimezone(UTC)
    except OverflowError:
        instant = None
    if instant is None or not EARLIEST <= instant < LATEST:
        raise ValueError(_("This date and time is out of range."))
    return instant


def _django_check(check, value: str) -> str:
    """Run one of booking.validators and hand its first message to pydantic."""
    try:
        check(value)
    except DjangoValidationError as exc:
        raise ValueError(exc.messages[0]) from None
    return value


class SessionTypeOut(Schema):
    slug: str
    name: str
    description: str
    duration_minutes: int


class SlotOut(Schema):
    start: DateTimeStr
    end: DateTimeStr


class SlotsOut(Schema):
    tz: str
    slots: list[SlotOut]


class SlotsQuery(Schema):
    type: StrictStr | None = Field(None, description="Session type slug; the coach's first "
                                   "active type by default.")
    start: DateStr | None = Field(None, description="First day, in `tz`; today by default.")
    end: DateStr | None = Field(None, description="Last day (inclusive), in `tz`; `start` "
                                "+ 30 days by default; at most 62 days in all.")
    tz: ZoneStr | None = Field(None, description="IANA zone of the answer; the coach's by "
                               "default.")

    @field_validator("start", "end")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        if value is not None:
            parse_date(value)
        return value

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else check_zone(value)


class BookingIn(Strict):
    type: StrictStr = Field(description="Session type slug.", examples=["discovery"])
    start: DateTimeStr = Field(description="One of the listed slots' `start`, with offset.")
    name: StrictStr = Field(examples=["Zoé Durand"])
    email: StrictStr = Field(examples=["zoe@example.com"])
    tz: ZoneStr | None = Field(None, description="Invitee's zone, for emails and pages; the "
                               "coach's by default.")
    language: StrictStr | None = Field(None, description="`fr` or `en`; the request's by "
                                       "default.", examples=["fr"])
    message: StrictStr = Field("", examples=["J'aimerais parler de ma prise de parole."])
    consent: StrictBool = Field(description="Must be true: the invitee agrees to the use of "
                                "these details for this booking.", examples=[True])

    @field_validator("start")
    @classmethod
    def _start(cls, value: str) -> str:
        parse_aware_datetime(value)
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _django_check(validators.validate_person_name, value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return _django_check(validators.validate_email_address, value.strip())

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        return _django_check(validators.validate_message, value)

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else check_zone(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and value not in dict(settings.LANGUAGES):
            raise ValueError(_("Unknown language; use one of: %(codes)s.")
                             % {"codes": ", ".join(dict(settings.LANGUAGES))})
        return value

    @field_validator("consent")
    @classmethod
    def _consent(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError(_("Please agree to the processing of your details to book."))
        return value


class BookingOut(Schema):
    uid: str
    status: str
    start: DateTimeStr
    end: DateTimeStr
    manage_url: str


class NamedRef(Schema):
    slug: str
    name: str


class ManagedBookingOut(BookingOut):
    tz: str
    coach: NamedRef
    session_type: NamedRef
    can_change: bool
    change_until: DateTimeStr


class CancelIn(Strict):
    reason: StrictStr = Field("", examples=["Un empêchement, désolée."])

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return _django_check(validators.validate_message, value)


class RescheduleIn(Strict):
    start: DateTimeStr

    @field_validator("start")
    @classmethod
    def _start(cls, value: str) -> str:
        parse_aware_datetime(value)
        return value


class ErrorOut(Schema):
    error: str
    message: str = ""


class ErrorsOut(Schema):
    errors: dict[str, list[str]]
    code: str | None = None
