"""Domain errors of booking services; views map them to form errors or HTTP statuses."""

from django.utils.translation import gettext_lazy as _

from availability.slots import Refusal

SLOT_TAKEN = _("Sorry, this slot has just been taken. Please choose another one.")
LIMIT_REACHED = _("You have already booked this session. You can manage your booking from "
                  "the link in your confirmation email.")
FUTURE_LIMIT_REACHED = _("You already have the maximum number of upcoming bookings for this "
                         "session.")
TOO_LATE_TO_CHANGE = _("This booking can no longer be changed online. Please contact the coach.")
NOT_ACTIVE = _("This booking is cancelled or already over.")
TYPE_INACTIVE = _("This session type is not offered at the moment.")
NOT_STARTED = _("This session has not started yet.")
RESCHEDULE_LIMIT = _("This booking has been moved as many times as allowed online. Please "
                     "contact the coach to change it again.")

REFUSAL_MESSAGES = {
    Refusal.PAST: _("This time is in the past."),
    Refusal.TOO_SOON: _("This time is too soon; please choose a later slot."),
    Refusal.TOO_FAR: _("This time is too far ahead; bookings open later."),
    Refusal.OUTSIDE_WINDOWS: _("The coach is not available at this time."),
    Refusal.TIME_OFF: _("The coach is away at this time."),
    Refusal.OFF_GRID: _("Sessions do not start at this time; please choose a listed slot."),
    Refusal.DAILY_CAP: _("This day is fully booked."),
    Refusal.TAKEN: SLOT_TAKEN,
}


class BookingError(Exception):
    """A booking cannot be made or changed; `code` is stable, `message` is for people."""

    code = "invalid"

    def __init__(self, message, *, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code


class SlotTaken(BookingError):
    code = "slot_taken"

    def __init__(self, message=SLOT_TAKEN) -> None:
        super().__init__(message)


class LimitReached(BookingError):
    code = "limit_reached"


class SlotUnavailable(BookingError):
    """The start breaks a rule (past, off-grid, outside windows, …); `refusal` says which."""

    code = "slot_unavailable"

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(REFUSAL_MESSAGES[refusal])
        self.refusal = refusal


class ChangeNotAllowed(BookingError):
    code = "change_not_allowed"


class RescheduleLimitReached(BookingError):
    """The invitee has moved this booking as often as its session type allows."""

    code = "reschedule_limit"

    def __init__(self, message=RESCHEDULE_LIMIT) -> None:
        super().__init__(message)
