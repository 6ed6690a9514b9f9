"""The one map from domain errors to what a door answers: an HTTP status, a stable code, the
field at fault and a message for people. Pages show the message on the form (with the status),
the JSON API answers `409 {"error": code, "message"}` or `400 {"errors": {field: [message]}}`.
"""

from dataclasses import dataclass

from booking import errors

# Errors about the state of things rather than the request: asking again will not help.
CONFLICTS = (errors.SlotTaken, errors.LimitReached, errors.ChangeNotAllowed)


@dataclass(frozen=True, slots=True)
class ErrorAnswer:
    status: int
    code: str
    message: str
    field: str  # the input field at fault, "__all__" when none is

    @property
    def is_conflict(self) -> bool:
        return self.status == 409

    def api_body(self) -> dict:
        if self.is_conflict:
            return {"error": self.code, "message": self.message}
        return {"errors": {self.field: [self.message]}, "code": self.code}


def answer_for(exc: errors.BookingError) -> ErrorAnswer:
    """How every door reports `exc`."""
    message = str(exc.message)
    if isinstance(exc, errors.SlotUnavailable):
        return ErrorAnswer(400, exc.refusal.value, message, "start")
    if isinstance(exc, CONFLICTS):
        return ErrorAnswer(409, exc.code, message, "__all__")
    field = "type" if exc.code == "type_inactive" else "__all__"
    return ErrorAnswer(400, exc.code, message, field)
