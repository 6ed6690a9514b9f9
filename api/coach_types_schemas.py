"""Shapes of the coach's session types in the API (DESIGN.md "Coach API"), in plain units."""

from typing import Literal

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt, StrictStr

from api.schemas import Strict

# Minutes and days are bounded here so a huge number is a 400, never a timedelta overflow;
# the service refuses what the rules forbid (8 h sessions, 4 h buffers…) with its own words.
Minutes = StrictInt
MINUTES = {"ge": 0, "le": 1_000_000}
Kind = Literal["video", "phone", "in_person", "custom"]
Policy = Literal["once", "per_period", "unlimited"]
Refund = Literal["before_cutoff", "always", "never"]


class LocationSchema(Strict):
    kind: Kind
    details: StrictStr = Field("", description="Her video link, the address, or what to "
                               "tell the invitee.")
    room_per_booking: StrictBool = Field(False, description="Video: a Jitsi Meet room made "
                                         "for each booking instead of her own link.")


class PriceSchema(Strict):
    amount: StrictInt = Field(gt=0, le=10_000_000, description="Minor units (cents).")
    currency: StrictStr = Field("eur", pattern=r"^[A-Za-z]{3}$", examples=["eur"])


class SessionTypeIn(Strict):
    """POST needs `name` and `duration_minutes`; PATCH changes only the fields it sends."""

    slug: StrictStr | None = Field(None, max_length=60, description="Derived from the name "
                                   "when left out on POST.")
    name: StrictStr | None = Field(None, max_length=120)
    name_en: StrictStr | None = Field(None, max_length=120)
    description: StrictStr | None = Field(None, max_length=4000)
    description_en: StrictStr | None = Field(None, max_length=4000)
    duration_minutes: Minutes | None = Field(None, **MINUTES)
    step_minutes: Minutes | None = Field(None, **MINUTES)
    notice_minutes: Minutes | None = Field(None, **MINUTES)
    horizon_days: StrictInt | None = Field(None, ge=0, le=10_000)
    buffer_before_minutes: Minutes | None = Field(None, **MINUTES)
    buffer_after_minutes: Minutes | None = Field(None, **MINUTES)
    daily_cap: StrictInt | None = Field(None, ge=1, le=100, description="null: no cap.")
    limit_policy: Policy | None = None
    limit_period_days: StrictInt | None = Field(None, ge=1, le=3650)
    max_reschedules: StrictInt | None = Field(
        None, ge=0, le=100, description="Moves the invitee may make from her link (default 3); "
        "the coach's own moves are not counted.")
    cancel_cutoff_minutes: Minutes | None = Field(None, **MINUTES)
    reminder_minutes: list[StrictInt] | None = Field(None, max_length=5)
    location: LocationSchema | None = Field(None, description="null: not said.")
    price: PriceSchema | None = Field(None, description="null: free.")
    refund_policy: Refund | None = None
    active: StrictBool | None = None


class SessionTypeOut(Schema):
    slug: str
    name: str
    name_en: str
    description: str
    description_en: str
    duration_minutes: int
    step_minutes: int
    notice_minutes: int
    horizon_days: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    daily_cap: int | None
    limit_policy: str
    limit_period_days: int | None
    max_reschedules: int
    cancel_cutoff_minutes: int
    reminder_minutes: list[int]
    location: LocationSchema | None
    price: PriceSchema | None
    refund_policy: str
    active: bool
