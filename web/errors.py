"""The one map from domain errors to what a door answers: an HTTP status, a stable code, the
field at fault and a message for people. Pages show the message on the form (with the status),
the JSON API answers `409 {"error": code, "message"}` (503 likewise when payment is down) or
`400 {"errors": {field: [message]}}`.
"""

from dataclasses import dataclass

from booking import errors
from payments.errors import PaymentUnavailable

# Errors about the state of things rather than the request: asking again will not help.
CONFLICTS = (errors.SlotTaken, errors.LimitReached, errors.ChangeNotAllowed,
             errors.RescheduleLimitReached)
# Stripe outages are usually short; a minute is a polite first retry.
RETRY_AFTER_SECONDS = 60


@dataclass(frozen=True, slots=True)
class ErrorAnswer:
    status: int
    code: str
    message: str
    field: str  # the input field at fault, "__all__" when none is

    @property
    def is_conflict(self) -> bool:
        return self.status == 409

    @property
    def retry_after(self) -> int | None:
        """Seconds a client should wait before asking again (503 only)."""
        return RETRY_AFTER_SECONDS if self.status == 503 else None

    def api_body(self) -> dict:
        if self.is_conflict or self.status == 503:
            return {"error": self.code, "message": self.message}
        return {"errors": {self.field: [self.message]}, "code": self.code}


def answer_for(exc: errors.BookingError) -> ErrorAnswer:
    """How every door reports `exc`."""
    message = str(exc.message)
    if isinstance(exc, PaymentUnavailable):
        return ErrorAnswer(503, exc.code, message, "__all__")
    if isinstance(exc, errors.SlotUnavailable):
        return ErrorAnswer(400, exc.refusal.value, message, "start")
    if isinstance(exc, CONFLICTS):
        return ErrorAnswer(409, exc.code, message, "__all__")
    field = "type" if exc.code == "type_inactive" else "__all__"
    return ErrorAnswer(400, exc.code, message, field)
