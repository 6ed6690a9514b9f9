"""Her hours (/coach/availability/): the week, date overrides, time off, a preview of the
slots they give and why a time is not offered.

Plain forms, POST then redirect; a refusal shows the page again (400) with the message and
nothing changed. Time off over active bookings first shows them (nothing saved yet) and
asks whether to keep or cancel them; cancelling goes through the cancel service every door
uses, so the invitees get their emails.
"""

from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Coach
from availability import hours, overrides
from availability.selectors import active_session_types, local_instant
from availability.slots import Interval
from booking.closing import ConflictsChanged, bookings_covered, close_time
from booking.why import why_not_offered
from payments.services import booking_cancel_with_refund
from web.parsing import date_or_none
from workspace.common import page, workspace_view
from workspace.hours_forms import (
    CopyForm,
    DecisionForm,
    OverrideForm,
    TimeOffForm,
    WeekForm,
    WhyForm,
)
from workspace.hours_panel import booking_link, periods, preview, why_message

HOURS = "workspace:hours"


def _today(coach: Coach, now: datetime) -> date:
    return now.astimezone(coach.zone).date()


def _panel(request: HttpRequest, coach: Coach, now: datetime) -> dict:
    """The preview of the chosen type and the answer to "why not offered?", from the query."""
    types = list(active_session_types(coach=coach))
    for found in types:
        found.coach = coach  # the engine reads her zone; no query per type
    chosen = next((t for t in types if t.slug == request.GET.get("type")),
                  types[0] if types else None)
    context = {"session_types": types, "chosen_type": chosen, "preview": None, "why": None}
    if chosen is not None:
        context["preview"] = preview(session_type=chosen, zone=coach.zone, now=now)
    choices = [(t.slug, t.display_name()) for t in types]
    asked = "why_day" in request.GET
    why_form = WhyForm(request.GET if asked else None, type_choices=choices)
    if not asked:
        why_form.initial = {"why_type": chosen.slug if chosen else None}
    elif why_form.is_valid():
        data = why_form.cleaned_data
        session_type = next(t for t in types if t.slug == data["why_type"])
        start = local_instant(datetime.combine(data["why_day"], data["why_time"]),
                                    coach.zone)
        why = why_not_offered(session_type=session_type, start=start, now=now)
        context["why"] = {"reason": why.reason.value, "link": booking_link(why),
                          "message": why_message(why, session_type, coach.zone)}
    context["why_form"] = why_form
    return context


def _render(request: HttpRequest, coach: Coach, *, status: int = 200, **forms) -> HttpResponse:
    now = timezone.now()
    ranges = hours.weekly_ranges(coach=coach, now=now)
    zone = coach.zone
    context = {
        "nav": "hours",
        "week_form": forms.get("week_form") or WeekForm(ranges=ranges),
        "copy_form": forms.get("copy_form") or CopyForm(),
        "override_form": forms.get("override_form") or OverrideForm(),
        "time_off_form": forms.get("time_off_form") or TimeOffForm(),
        "overrides": overrides.overrides(coach=coach, now=now),
        "time_off": periods(hours.one_off_events(coach=coach, kind="time_off", now=now,
                                                 with_overrides=False), zone),
        "extras": periods(hours.one_off_events(coach=coach, kind="extra", now=now,
                                               with_overrides=False), zone),
        **_panel(request, coach, now),
    }
    return page(request, coach, "availability/page", context, status=status)


@require_safe
@workspace_view
def hours_page(request: HttpRequest, coach: Coach) -> HttpResponse:
    return _render(request, coach)


def _saved(request: HttpRequest, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect(HOURS)


@require_POST
@workspace_view
def week_save(request: HttpRequest, coach: Coach) -> HttpResponse:
    form = WeekForm(request.POST)
    if form.is_valid():
        now = timezone.now()
        try:
            hours.weekly_days_save(coach=coach, days=form.cleaned_data["days"],
                                   today=_today(coach, now), now=now)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return _saved(request, _("Your weekly hours are saved."))
    return _render(request, coach, week_form=form, status=400)


@require_POST
@workspace_view
def week_copy(request: HttpRequest, coach: Coach) -> HttpResponse:
    form = CopyForm(request.POST)
    if form.is_valid():
        now = timezone.now()
        try:
            hours.weekly_days_copy(coach=coach, source=form.cleaned_data["source"],
                                   targets=form.cleaned_data["targets"],
                                   today=_today(coach, now), now=now)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return _saved(request, _("The hours are copied."))
    return _render(request, coach, copy_form=form, status=400)


def _closing(request: HttpRequest, coach: Coach, form: DecisionForm, name: str, plan,
             write, done: str) -> HttpResponse:
    """Save time off, asking first about the bookings it covers (see the module's doc).

    `plan(data)` gives the intervals it closes (or refuses them), `write(data)` saves it.
    """
    valid = form.is_valid()
    # Only the message or the list was wrong: the choice is shown again, with the error.
    if not valid and not set(form.errors) <= {"message", "seen"}:
        return _render(request, coach, status=400, **{name: form})
    data = form.cleaned_data
    try:
        intervals = plan(data)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return _render(request, coach, status=400, **{name: form})
    now = timezone.now()
    if not valid or not form.decided:
        covered = bookings_covered(coach=coach, intervals=intervals, now=now)
        if covered or not valid:
            return _confirm(request, coach, form, covered, status=200 if valid else 400)
    try:
        close_time(coach=coach, intervals=intervals, write=lambda: write(data), now=now,
                   cancel=data.get("decision") == "cancel", message=data.get("message", ""),
                   seen=data.get("seen", set()), cancel_with=booking_cancel_with_refund)
    except ConflictsChanged as exc:
        return _confirm(request, coach, form, exc.conflicts, changed=True)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return _render(request, coach, status=400, **{name: form})
    if data.get("decision") == "cancel":
        done += " " + _("The bookings are cancelled; the invitees are being told by email.")
    return _saved(request, done)


def _confirm(request: HttpRequest, coach: Coach, form: DecisionForm, covered: list, *,
             changed: bool = False, status: int = 200) -> HttpResponse:
    """The bookings the time off would cover, and the choice; the form's fields go along."""
    kept = [(name, value) for name in form.data
            for value in form.data.getlist(name)
            if name not in ("csrfmiddlewaretoken", "decision", "seen", "message")]
    return page(request, coach, "availability/confirm", {
        "nav": "hours", "covered": covered, "kept": kept, "changed": changed, "form": form,
        "action": request.path}, status=status)


def _time_off(coach: Coach, data: dict) -> list[Interval]:
    interval = hours.time_off_interval(zone=coach.zone, first_day=data["off_first"],
                                       last_day=data.get("off_last"),
                                       start=data.get("off_start"), end=data.get("off_end"))
    hours.check_time_off(coach=coach, intervals=[interval])
    return [interval]


@require_POST
@workspace_view
def time_off_add(request: HttpRequest, coach: Coach) -> HttpResponse:
    def write(data: dict):
        interval = _time_off(coach, data)[0]
        return hours.time_off_create(coach=coach, start=interval.start, end=interval.end)

    return _closing(request, coach, TimeOffForm(request.POST), "time_off_form",
                    lambda data: _time_off(coach, data), write, _("Your time off is saved."))


@require_POST
@workspace_view
def override_add(request: HttpRequest, coach: Coach) -> HttpResponse:
    def plan(data: dict) -> list[Interval]:
        return overrides.overrides_plan(coach=coach, days=data["days"], hours=data["hours"])[0]

    return _closing(request, coach, OverrideForm(request.POST), "override_form", plan,
                    lambda data: overrides.overrides_set(coach=coach, days=data["days"],
                                                         hours=data["hours"]),
                    _("The dates are saved."))


@require_POST
@workspace_view
def override_remove(request: HttpRequest, coach: Coach, day: str) -> HttpResponse:
    parsed = date_or_none(day)
    if parsed is None or not overrides.override_remove(coach=coach, day=parsed):
        raise Http404
    return _saved(request, _("That date has its weekly hours again."))


@require_POST
@workspace_view
def event_remove(request: HttpRequest, coach: Coach, kind: str, pk: int) -> HttpResponse:
    event = (hours.coach_event(coach=coach, kind=kind, pk=pk)
             if kind in ("time_off", "extra") else None)
    if event is None:
        raise Http404
    hours.event_delete(coach=coach, event=event)
    return _saved(request, _("Removed."))
