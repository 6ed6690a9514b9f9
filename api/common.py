"""What the API's routers share: the error answers and the shapes of a booking."""

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from ninja import Path, Status

from api.schemas import ErrorOut, ErrorsOut
from booking import errors
from booking.models import Booking
from web.errors import answer_for

COMMON = {400: ErrorsOut, 404: ErrorOut, 413: ErrorOut}
# The model's field names, as the API calls them.
API_FIELDS = {"invitee_name": "name", "invitee_email": "email", "invitee_timezone": "tz",
              "invitee_language": "language", "message": "message", "start": "start",
              "cancel_reason": "reason", "invitee_phone": "phone"}
# A made-up token for the OpenAPI document; the test of that document gives it to a booking.
TOKEN_EXAMPLE = "Qz7fK2mWx9Abc4Ns8Tq1Lr6Vy3Jd0Hp5Ge"  # noqa: S105 (public, made up)
CoachSlug = Annotated[str, Path(description="The coach's slug.", example="demo")]
ManageToken = Annotated[str, Path(description="The private token ending the manage_url.",
                                  example=TOKEN_EXAMPLE)]


class InvalidInput(Exception):
    """Input that parsed but makes no sense together; api.main answers 400 with `errors`."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def error_status(exc: errors.BookingError, response: HttpResponse | None = None) -> Status:
    """The answer for `exc`; given ninja's temporal `response`, a 503 says when to retry."""
    answer = answer_for(exc)
    if response is not None and answer.retry_after is not None:
        response["Retry-After"] = str(answer.retry_after)
    return Status(answer.status, answer.api_body())


def field_errors(exc: DjangoValidationError) -> Status:
    """400 with the model's ValidationError, its fields named as the API names them."""
    by_field = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return Status(400, {"errors": {API_FIELDS.get(name, "__all__"): [str(m) for m in messages]
                                   for name, messages in by_field.items()}})


def iso(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat()


def booking_out(booking: Booking) -> dict:
    zone = booking.invitee_zone
    return {"uid": str(booking.uid), "status": booking.status, "start": iso(booking.start, zone),
            "end": iso(booking.end, zone), "manage_url": booking.manage_url}
