"""Shapes of the JSON API (DESIGN.md "HTTP API"): what comes in is checked here, field by field.

Each check raises ValueError with a message for people; api.main turns those into
`400 {"errors": {field: [message]}}`. Strings are parsed by hand rather than by pydantic's lax
coercions so that a number is not taken for a date and a naive datetime is refused.
"""

from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, StrictBool, StrictStr, field_validator

from booking import validators
from web.parsing import parse_date, parse_instant, parse_time, parse_zone

DateTimeStr = Annotated[StrictStr, Field(json_schema_extra={"format": "date-time"},
                                         examples=["2027-03-01T09:00:00+01:00"])]
DateStr = Annotated[StrictStr, Field(json_schema_extra={"format": "date"},
                                     examples=["2027-03-01"])]
ZoneStr = Annotated[StrictStr, Field(examples=["Europe/Paris"])]


class Strict(Schema):
    """Input: unknown fields are refused, not ignored (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid")


def check_zone(value: str | None) -> str | None:
    """The zone's canonical name (legacy aliases mapped), or None when not given."""
    return None if value is None else parse_zone(value).key


def check_instant(value: str) -> str:
    parse_instant(value)
    return value


def check_time(value: str) -> str:
    parse_time(value)
    return value


def check_date(value: str) -> str:
    parse_date(value)
    return value


# Input fields: parsed by web.parsing, the parser every door shares.
InstantIn = Annotated[DateTimeStr, AfterValidator(check_instant)]
DateIn = Annotated[DateStr, AfterValidator(check_date)]
ZoneIn = Annotated[ZoneStr, AfterValidator(check_zone)]
TimeIn = Annotated[StrictStr, Field(examples=["09:00"]), AfterValidator(check_time)]


def _django_check(check, value: str) -> str:
    """Run one of booking.validators and hand its first message to pydantic."""
    try:
        check(value)
    except DjangoValidationError as exc:
        raise ValueError(exc.messages[0]) from None
    return value


class PriceOut(Schema):
    amount: int = Field(description="Minor units (cents; yen have none).")
    currency: str = Field(description="ISO 4217, lower case.")


class PlaceOut(Schema):
    kind: str = Field(description="video, phone, in_person or custom.")
    details: str = Field(description="The address or text; links come with the invite.")


class SessionTypeOut(Schema):
    slug: str
    name: str
    description: str
    duration_minutes: int
    price: PriceOut | None = Field(description="null: free.")
    location: PlaceOut | None = Field(description="null: the coach has not said.")


class SlotOut(Schema):
    start: DateTimeStr
    end: DateTimeStr


class SlotsOut(Schema):
    tz: str
    slots: list[SlotOut]


class SlotsQuery(Schema):
    type: StrictStr | None = Field(None, description="Session type slug; the coach's first "
                                   "active type by default.")
    start: DateIn | None = Field(None, description="First day, in `tz`; today by default.")
    end: DateIn | None = Field(None, description="Last day (inclusive), in `tz`; `start` "
                                "+ 30 days by default; at most 62 days in all.")
    tz: ZoneIn | None = Field(None, description="IANA zone of the answer; the coach's by "
                               "default.")



class BookingIn(Strict):
    type: StrictStr = Field(description="Session type slug.", examples=["discovery"])
    start: InstantIn = Field(description="One of the listed slots' `start`, with offset.")
    name: StrictStr = Field(examples=["Zoé Durand"])
    email: StrictStr = Field(examples=["zoe@example.com"])
    tz: ZoneIn | None = Field(None, description="Invitee's zone, for emails and pages; the "
                               "coach's by default.")
    language: StrictStr | None = Field(None, description="`fr` or `en`; the request's by "
                                       "default.", examples=["fr"])
    message: StrictStr = Field("", examples=["J'aimerais parler de ma prise de parole."])
    phone: StrictStr = Field("", description="The number the coach calls; required when the "
                             "session type is a phone call (6 to 20 digits).",
                             examples=["+33 6 12 34 56 78"])
    consent: StrictBool = Field(description="Must be true: the invitee agrees to the use of "
                                "these details for this booking, as the privacy notice at "
                                "`/privacy/` says (show or link it). The booking records the "
                                "notice's version in force.", examples=[True])

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
    checkout_url: str | None = None  # a paid type's Stripe Checkout page


class NamedRef(Schema):
    slug: str
    name: str


class ManagedBookingOut(BookingOut):
    tz: str
    coach: NamedRef
    session_type: NamedRef
    can_change: bool
    change_until: DateTimeStr
    moves_left: int = Field(description="How many more times the invitee may move it.")
    message: str | None = Field(None, description="Set when the request changed nothing, as "
                                "a move to the time the booking already has.")


class CancelIn(Strict):
    reason: StrictStr = Field("", examples=["Un empêchement, désolée."])

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return _django_check(validators.validate_message, value)


class RescheduleIn(Strict):
    start: InstantIn


class ErrorOut(Schema):
    error: str
    message: str = ""


class ErrorsOut(Schema):
    errors: dict[str, list[str]]
    code: str | None = None


class HistoryItemOut(Schema):
    kind: str
    by: str
    at: DateTimeStr
    previous_start: DateTimeStr | None
    new_start: DateTimeStr | None
    message: str


class NoteOut(Schema):
    text: str
    created_at: DateTimeStr


class EmailSentOut(Schema):
    kind: str
    to: str = Field(description="`invitee` or `coach`.")
    session_start: DateTimeStr
    sent_at: DateTimeStr | None
    failed_at: DateTimeStr | None


class PersonBookingOut(Schema):
    uid: str
    session_type: str
    status: str
    start: DateTimeStr
    end: DateTimeStr
    name: str
    email: str
    phone: str
    message: str
    time_zone: str
    language: str
    meeting_url: str
    consent_at: DateTimeStr
    consent_version: str
    created_at: DateTimeStr
    cancelled_at: DateTimeStr | None
    cancelled_by: str
    cancel_reason: str
    history: list[HistoryItemOut]
    coach_notes: list[NoteOut] = Field(description="The coach's private notes about you.")
    emails_sent: list[EmailSentOut]


class CoachContactOut(Schema):
    name: str
    slug: str
    email: str


class NoticeOut(Schema):
    url: str
    version: str


class PersonDataOut(Schema):
    generated_at: DateTimeStr
    coach: CoachContactOut
    privacy_notice: NoticeOut
    retention_days: int
    bookings: list[PersonBookingOut]


class ErasureOut(Schema):
    cancelled: list[str] = Field(description="Uids of the bookings cancelled (both sides are "
                                 "emailed); their data is erased after `erased_after`.")
    anonymised: list[str] = Field(description="Uids of the bookings anonymised at once.")
    erased_after: DateTimeStr | None
