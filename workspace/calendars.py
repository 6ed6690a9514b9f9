"""Her own calendars (ICS URLs) whose busy times block her slots: list, add, remove, refresh.

Every lookup is scoped to her: another coach's calendar answers 404 like a missing one. The
downloads run in the worker (availability.tasks); this page only queues them.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Coach
from availability.models import ExternalCalendar
from availability.selectors import coach_external_calendar, coach_external_calendars
from availability.services import (
    external_calendar_add,
    external_calendar_refresh,
    external_calendar_remove,
)
from workspace.common import page, workspace_view


class CalendarForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Calendar address (ICS)"), max_length=1000,
        help_text=gettext_lazy("The private address of your calendar in iCal format, "
                               "https://… or webcal://…"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False,
                           help_text=gettext_lazy("Only you see it; empty: the server's "
                                                  "name."))

    def add_service_errors(self, error: ValidationError) -> None:
        for name, found in error.message_dict.items():
            for message in found:
                self.add_error(name if name in self.fields else None, message)


def masked_url(url: str) -> str:
    """Scheme and host only: the rest of a private calendar address is its secret."""
    scheme, _sep, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…"


def _rows(coach: Coach) -> list[dict]:
    return [{"calendar": calendar, "masked_url": masked_url(calendar.url)}
            for calendar in coach_external_calendars(coach=coach)]


def _own(coach: Coach, pk: int) -> ExternalCalendar:
    calendar = coach_external_calendar(coach=coach, pk=pk)
    if calendar is None:
        raise Http404
    return calendar


@require_http_methods(["GET", "HEAD", "POST"])
@workspace_view
def calendar_list(request: HttpRequest, coach: Coach) -> HttpResponse:
    """Her calendars; POST adds one (its first refresh is queued at once)."""
    form = CalendarForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            calendar = external_calendar_add(coach=coach, url=form.cleaned_data["url"],
                                             name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("“%(name)s” is added; its busy times will block your "
                                        "slots in a moment.") % {"name": calendar.name})
            return redirect("workspace:calendars")
    return page(request, coach, "calendars", {"nav": "calendars", "form": form,
                                              "rows": _rows(coach)},
                status=400 if form.is_bound else 200)


@require_POST
@workspace_view
def calendar_remove(request: HttpRequest, coach: Coach, pk: int) -> HttpResponse:
    calendar = _own(coach, pk)
    external_calendar_remove(calendar=calendar)
    messages.success(request, _("“%(name)s” is removed; its busy times no longer block your "
                                "slots.") % {"name": calendar.name})
    return redirect("workspace:calendars")


@require_POST
@workspace_view
def calendar_refresh(request: HttpRequest, coach: Coach, pk: int) -> HttpResponse:
    calendar = _own(coach, pk)
    external_calendar_refresh(calendar=calendar)
    messages.success(request, _("“%(name)s” will be read again in a moment.")
                     % {"name": calendar.name})
    return redirect("workspace:calendars")
