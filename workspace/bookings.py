"""A booking's page in the workspace and its actions: cancel, move, outcome, private note.

Each action is a GET page that says what will happen, then a POST (CSRF) that calls the one
service every door uses; the services decide what is allowed, these views show their answer
with the status `web.errors.answer_for` gives it.
"""

import uuid
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Coach
from booking import errors
from booking.agenda import booking_history, booking_notes
from booking.models import Booking
from booking.privacy import person_bookings
from booking.selectors import change_refusal
from booking.services import (
    booking_complete,
    booking_mark_no_show,
    booking_note_add,
    booking_reschedule,
)
from pages.reschedule import reschedule_page
from payments.services import booking_cancel_with_refund, person_erase_with_refund
from web.errors import answer_for
from web.lookups import coach_booking_or_404
from web.parsing import date_or_none
from web.payment_facts import payment_facts
from workspace.common import page, workspace_view
from workspace.forms import CoachCancelForm, CoachRescheduleForm, NoteForm, OutcomeForm

COACH = Booking.CancelledBy.COACH
GET_OR_POST = ["GET", "HEAD", "POST"]


def can_record_outcome(booking: Booking, now: datetime) -> bool:
    """Completed or no-show: once the session has started, unless it was cancelled."""
    return booking.status != Booking.Status.CANCELLED and booking.start <= now and (
        booking.status != Booking.Status.PENDING_PAYMENT)


def _render(request: HttpRequest, coach: Coach, template: str, booking: Booking, *,
            status: int = 200, error: str | None = None, **extra) -> HttpResponse:
    now = timezone.now()
    refusal = change_refusal(booking, by=COACH, now=now)
    context = {"booking": booking, "invitee_zone": booking.invitee_zone,
               "refusal": None if refusal is None else str(refusal), "error": error,
               "can_change": refusal is None,
               "can_outcome": can_record_outcome(booking, now), "nav": "agenda",
               "payment": payment_facts(booking, by=COACH, now=now), **extra}
    return page(request, coach, f"booking/{template}", context, status=status)


def _render_detail(request: HttpRequest, coach: Coach, booking: Booking, *,
                   note_form: NoteForm | None = None, status: int = 200) -> HttpResponse:
    return _render(request, coach, "detail", booking, status=status,
                   history=booking_history(booking=booking),
                   notes=booking_notes(booking=booking), note_form=note_form or NoteForm())


@require_http_methods(["GET", "HEAD"])
@workspace_view
def detail(request: HttpRequest, coach: Coach, uid: uuid.UUID) -> HttpResponse:
    return _render_detail(request, coach, coach_booking_or_404(coach, uid))


@require_POST
@workspace_view
def note_add(request: HttpRequest, coach: Coach, uid: uuid.UUID) -> HttpResponse:
    booking = coach_booking_or_404(coach, uid)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            booking_note_add(booking=booking, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error("text", exc.messages)
    if not form.is_valid():
        return _render_detail(request, coach, booking, note_form=form, status=400)
    messages.success(request, _("Note saved. Only you can see it."))
    return redirect(booking.get_workspace_url() + "#notes")


@require_http_methods(GET_OR_POST)
@workspace_view
def cancel(request: HttpRequest, coach: Coach, uid: uuid.UUID) -> HttpResponse:
    booking = coach_booking_or_404(coach, uid)
    if request.method != "POST":
        return _render(request, coach, "cancel", booking, form=CoachCancelForm())
    form = CoachCancelForm(request.POST)
    if not form.is_valid():
        return _render(request, coach, "cancel", booking, form=form, status=400)
    try:
        booking_cancel_with_refund(booking=booking, by=COACH,
                                   reason=form.cleaned_data["message"])
    except errors.BookingError as exc:
        return _render(request, coach, "cancel", booking, form=form, error=str(exc.message),
                       status=answer_for(exc).status)
    except ValidationError as exc:
        form.add_error("message", exc.messages)
        return _render(request, coach, "cancel", booking, form=form, status=400)
    messages.success(request, _("The booking is cancelled. %(name)s is being told by email.")
                     % {"name": booking.invitee_name})
    return redirect(booking.get_workspace_url())


def _render_reschedule(request: HttpRequest, coach: Coach, booking: Booking,
                       form: CoachRescheduleForm, *, status: int = 200,
                       error: str | None = None) -> HttpResponse:
    now = timezone.now()
    slots = None
    if change_refusal(booking, by=COACH, now=now) is None:
        slots = reschedule_page(booking=booking, zone=coach.zone,
                                asked=date_or_none(request.GET.get("from")), now=now)
    return _render(request, coach, "reschedule", booking, form=form, slots=slots,
                   status=status, error=error)


@require_http_methods(GET_OR_POST)
@workspace_view
def reschedule(request: HttpRequest, coach: Coach, uid: uuid.UUID) -> HttpResponse:
    booking = coach_booking_or_404(coach, uid)
    if request.method != "POST":
        return _render_reschedule(request, coach, booking, CoachRescheduleForm())
    form = CoachRescheduleForm(request.POST)
    if not form.is_valid():
        return _render_reschedule(request, coach, booking, form, status=400)
    try:
        booking = booking_reschedule(booking=booking, start=form.cleaned_data["start"],
                                     by=COACH, message=form.cleaned_data["message"])
    except errors.BookingError as exc:
        return _render_reschedule(request, coach, booking, form, error=str(exc.message),
                                  status=answer_for(exc).status)
    except ValidationError as exc:
        form.add_error("message", exc.messages)
        return _render_reschedule(request, coach, booking, form, status=400)
    messages.success(request, _("The booking has moved. %(name)s is getting a new invitation.")
                     % {"name": booking.invitee_name})
    return redirect(booking.get_workspace_url())


OUTCOMES = {Booking.Status.COMPLETED: booking_complete,
            Booking.Status.NO_SHOW: booking_mark_no_show}


@require_http_methods(GET_OR_POST)
@workspace_view
def outcome(request: HttpRequest, coach: Coach, uid: uuid.UUID) -> HttpResponse:
    booking = coach_booking_or_404(coach, uid)
    data = request.POST if request.method == "POST" else request.GET
    form = OutcomeForm(data)
    if not form.is_valid():
        return _render(request, coach, "outcome", booking, form=form, status=400,
                       error=_("Choose completed or no-show."))
    chosen = form.cleaned_data["status"]
    if request.method != "POST":
        return _render(request, coach, "outcome", booking, form=form, chosen=chosen)
    try:
        OUTCOMES[chosen](booking=booking)
    except errors.BookingError as exc:
        return _render(request, coach, "outcome", booking, form=form, chosen=chosen,
                       error=str(exc.message), status=answer_for(exc).status)
    messages.success(request, _("Saved: %(status)s.") % {
        "status": Booking.Status(chosen).label})
    return redirect(booking.get_workspace_url())


def _render_erase(request: HttpRequest, coach: Coach, booking: Booking, **extra) -> HttpResponse:
    theirs = list(person_bookings(booking))
    upcoming = sum(1 for item in theirs if item.is_active and item.end > timezone.now())
    return _render(request, coach, "erase", booking, person_count=len(theirs),
                   upcoming_count=upcoming, **extra)


@require_http_methods(GET_OR_POST)
@workspace_view
def erase(request: HttpRequest, coach: Coach, uid: uuid.UUID) -> HttpResponse:
    """Erase the person of this booking from the coach's data, after a confirm page."""
    booking = coach_booking_or_404(coach, uid)
    if request.method != "POST":
        return _render_erase(request, coach, booking)
    try:
        erasure = person_erase_with_refund(booking=booking, by=COACH)
    except errors.BookingError as exc:  # a booking changed under us: nothing was erased
        return _render_erase(request, coach, booking, error=str(exc.message),
                             status=answer_for(exc).status)
    if erasure.cancelled:
        count = len(erasure.cancelled)
        messages.success(request, ngettext(
            "Erased. %(count)s upcoming booking was cancelled and the person told by email; "
            "its data goes within a day.",
            "Erased. %(count)s upcoming bookings were cancelled and the person told by email; "
            "their data goes within a day.", count) % {"count": count})
    else:
        messages.success(request, _("This person's data is erased."))
    return redirect(booking.get_workspace_url())
