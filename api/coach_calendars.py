"""The coach's own calendars by API key (DESIGN.md "Coach API"): list, add, remove, refresh.

The same services as the workspace's calendars page; another coach's calendar answers 404
like an unknown one. A refresh runs in the worker: the answer may come before it ends.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Status

from accounts.models import Coach
from api.coach import AUTHED, CoachKey
from api.coach_schemas import CalendarIn, CalendarOut
from api.common import iso
from api.schemas import ErrorOut
from availability.models import ExternalCalendar
from availability.selectors import coach_external_calendar, coach_external_calendars
from availability.services import (
    external_calendar_add,
    external_calendar_refresh,
    external_calendar_remove,
)

router = Router(tags=["coach"], auth=CoachKey())
ONE = {200: CalendarOut, 404: ErrorOut, **AUTHED}


def calendar_out(calendar: ExternalCalendar, coach: Coach) -> dict:
    synced = calendar.last_synced_at
    return {"id": calendar.pk, "name": calendar.name,
            "last_synced": iso(synced, coach.zone) if synced else None,
            "busy_count": calendar.busy_count, "error": calendar.last_error or None}


def _own(coach: Coach, pk: int) -> ExternalCalendar:
    calendar = coach_external_calendar(coach=coach, pk=pk)
    if calendar is None:
        raise Http404
    return calendar


@router.get("/me/calendars", response={200: list[CalendarOut], **AUTHED})
def calendars(request: HttpRequest) -> list[dict]:
    """Her imported calendars, oldest first."""
    coach = request.auth
    return [calendar_out(found, coach) for found in coach_external_calendars(coach=coach)]


@router.post("/me/calendars", response={201: CalendarOut, **AUTHED})
def calendar_add(request: HttpRequest, payload: CalendarIn) -> Status:
    """Import busy times from an ICS address; its first read is queued at once."""
    coach = request.auth
    try:
        found = external_calendar_add(coach=coach, url=payload.url, name=payload.name)
    except DjangoValidationError as exc:
        by_field = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return Status(400, {"errors": {name if name in ("url", "name") else "__all__":
                                       [str(m) for m in messages]
                                       for name, messages in by_field.items()}})
    return Status(201, calendar_out(found, coach))


# `{id}` as DESIGN.md names it.
@router.delete("/me/calendars/{id}", response={204: None, 404: ErrorOut, **AUTHED})
def calendar_remove(request: HttpRequest, id: int) -> Status:
    """Stop importing it; its busy times free their slots at once."""
    external_calendar_remove(calendar=_own(request.auth, id))
    return Status(204, None)


@router.post("/me/calendars/{id}/refresh", response=ONE)
def calendar_refresh(request: HttpRequest, id: int) -> dict:
    """Read it again now, in the worker; answers with what is known so far."""
    coach = request.auth
    found = _own(coach, id)
    external_calendar_refresh(calendar=found)
    return calendar_out(found, coach)
