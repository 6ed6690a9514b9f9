"""Shapes of the coach API (DESIGN.md "Coach API"); input parsed by web.parsing like the rest."""

from typing import Literal

from ninja import Schema
from pydantic import Field, StrictInt, StrictStr, field_validator

from api.schemas import DateIn, DateTimeStr, InstantIn, Strict, TimeIn, _django_check
from booking import validators
from booking.models import Booking

MessageIn = StrictStr
STATUSES = tuple(Booking.Status.values)


def _note(value: str) -> str:
    return _django_check(validators.validate_message, value)


class MeOut(Schema):
    slug: str
    name: str
    zone: str
    language: str
    feed_url: str


class FeedOut(Schema):
    feed_url: str


class CalendarIn(Strict):
    url: StrictStr = Field(max_length=2000, description="The calendar's ICS address: "
                           "https://, http:// or webcal://.",
                           examples=["webcal://p01-caldav.icloud.com/published/2/abc"])
    name: StrictStr = Field("", max_length=120, description="Only she sees it; empty: the "
                            "server's name.")


class CalendarOut(Schema):
    id: int
    name: str
    last_synced: DateTimeStr | None = Field(description="When its busy times were last read "
                                            "(her zone); null before the first read.")
    busy_count: int
    error: str | None = Field(description="Why the last read failed, in her language; null "
                              "when it succeeded.")


class CoachBookingOut(Schema):
    uid: str
    status: str
    type: str = Field(description="The session type's slug.")
    start: DateTimeStr
    end: DateTimeStr
    name: str
    email: str
    tz: str = Field(description="The invitee's zone.")
    language: str
    message: str
    created_at: DateTimeStr
    phone: str = Field("", description="The number to call, when the session is a phone call.")
    meeting_url: str = Field("", description="The room made for this booking, if its type "
                             "asks for one.")


class CoachBookingsOut(Schema):
    items: list[CoachBookingOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")


class CoachBookingsQuery(Schema):
    start: DateIn | None = Field(None, description="First day (the coach's local date).")
    end: DateIn | None = Field(None, description="Last day, inclusive (her local date).")
    status: Literal[STATUSES] | None = Field(None, description="Only bookings in this status.")  # type: ignore[valid-type]
    q: StrictStr | None = Field(None, max_length=100, description="Part of a name or email.")
    cursor: StrictStr | None = Field(None, max_length=200, description="`next` of the "
                                     "previous page.")

    @field_validator("q")
    @classmethod
    def _q(cls, value: str | None) -> str | None:
        # NUL and lone surrogates would reach the database driver inside the LIKE pattern.
        return None if value is None else _note(value)


class CoachCancelIn(Strict):
    message: StrictStr = Field("", description="Sent to the invitee with the cancellation.",
                               examples=["Je suis souffrante, désolée."])

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        return _note(value)


class CoachRescheduleIn(Strict):
    start: InstantIn = Field(description="The new start, with offset; any free start of the "
                             "session type.")
    message: StrictStr = Field("", description="Sent to the invitee with the new time.")

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        return _note(value)


class OutcomeIn(Strict):
    status: Literal["completed", "no_show"]


class WeeklyIn(Strict):
    weekday: StrictInt = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday.")
    start: TimeIn = Field(description="Wall-clock time in her zone, HH:MM.")
    end: TimeIn = Field(description="Wall-clock time in her zone, HH:MM; after `start`.")


class PeriodIn(Strict):
    start: InstantIn = Field(description="With offset; whole minutes.")
    end: InstantIn = Field(description="With offset; after `start`.")


class WeeklyOut(Schema):
    id: int
    weekday: int = Field(description="0 = Monday … 6 = Sunday.")
    start: str = Field(examples=["09:00"])
    end: str = Field(examples=["12:00"])


class PeriodOut(Schema):
    id: int
    start: DateTimeStr
    end: DateTimeStr


class TimeOffOut(PeriodOut):
    conflicts: list[str] = Field(default_factory=list, description="Uids of her active "
                                 "bookings inside this time off (they are kept).")


class AvailabilityOut(Schema):
    zone: str
    weekly: list[WeeklyOut]
    time_off: list[PeriodOut] = Field(description="Time off not yet over, by start.")
    extra: list[PeriodOut] = Field(description="Extra hours not yet over, by start.")
