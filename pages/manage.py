"""The invitee's private manage link: /b/<token>/ shows, its forms cancel or move (POST only).

Mail scanners fetch links, so a GET here never changes anything (invariant 4); a wrong token
is the same 404 as an unknown one (invariant 5). The services decide what is allowed; these
views only show their answer.
"""

import json
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from booking import errors
from booking.invites import InviteFacts, invite_ics
from booking.location import where_booked
from booking.location_labels import where_label
from booking.models import Booking
from booking.privacy import person_data
from booking.selectors import change_refusal, invitee_moves_left
from booking.services import booking_reschedule
from pages.forms import CancelForm, RescheduleForm
from pages.reschedule import reschedule_calendar
from pages.zones import zone_caption
from payments.services import booking_cancel_with_refund, person_erase_with_refund
from web.errors import answer_for
from web.lookups import booking_or_404
from web.payment_facts import payment_facts


def _invitee_refusal(booking: Booking, now: datetime) -> str | None:
    refusal = change_refusal(booking, by=Booking.CancelledBy.INVITEE, now=now)
    return None if refusal is None else str(refusal)


def _render(request: HttpRequest, template: str, booking: Booking, *, status: int = 200,
            error: str | None = None, **extra) -> HttpResponse:
    now = timezone.now()
    context = {
        "booking": booking, "coach": booking.coach, "session_type": booking.session_type,
        "invitee_zone": booking.invitee_zone, "coach_zone": booking.coach.zone,
        "refusal": _invitee_refusal(booking, now), "error": error,
        "payment": payment_facts(booking, by=Booking.CancelledBy.INVITEE, now=now), **extra,
    }
    return render(request, f"booking/manage/{template}.html", context, status=status)


@require_safe
@never_cache
def detail(request: HttpRequest, token: str) -> HttpResponse:
    return _render(request, "detail", booking_or_404(token))


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    booking = booking_or_404(token)
    if request.method != "POST":
        return _render(request, "cancel", booking, form=CancelForm())
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _render(request, "cancel", booking, form=form, status=400)
    try:
        booking_cancel_with_refund(booking=booking, by=Booking.CancelledBy.INVITEE,
                                   reason=form.cleaned_data["reason"])
    except errors.BookingError as exc:
        return _render(request, "cancel", booking, form=form, error=str(exc.message),
                       status=answer_for(exc).status)
    except ValidationError as exc:
        form.add_error("reason", exc.messages)
        return _render(request, "cancel", booking, form=form, status=400)
    messages.success(request, _("Your booking is cancelled. The coach has been told."))
    return redirect(booking.get_absolute_url())


def _render_reschedule(request: HttpRequest, booking: Booking, form: RescheduleForm, *,
                       status: int = 200, error: str | None = None) -> HttpResponse:
    """The page, or with htmx only its calendar (`booking/_slots.html`), as the picker does."""
    now = timezone.now()
    refusal = _invitee_refusal(booking, now)
    if refusal is None and invitee_moves_left(booking) <= 0:
        refusal = str(errors.RESCHEDULE_LIMIT)  # say so before she picks a time
    if refusal is not None:
        return _render(request, "reschedule", booking, form=form, status=status, error=error,
                       refusal=refusal)
    zone, notices = booking.invitee_zone, []
    params = request.POST if request.method == "POST" else request.GET
    calendar = reschedule_calendar(booking=booking, params=params, zone=zone, now=now,
                                   url=reverse("manage:reschedule", args=[booking.manage_token]),
                                   notices=notices)
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    extra = {"calendar": calendar, "week": calendar.week, "month": calendar.month,
             "notices": notices, "zone": zone, "partial": partial,
             "caption": zone_caption(zone, *calendar.shown),
             "times_template": "booking/manage/_times.html", "keep_form": "reschedule-form"}
    if partial:
        response = render(request, "booking/_slots.html", extra)
    else:
        response = _render(request, "reschedule", booking, form=form, status=status,
                           error=error, **extra)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    booking = booking_or_404(token)
    if request.method != "POST":
        return _render_reschedule(request, booking, RescheduleForm())
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return _render_reschedule(request, booking, form, status=400)
    try:
        moved = booking_reschedule(booking=booking, start=form.cleaned_data["start"],
                                   by=Booking.CancelledBy.INVITEE)
    except errors.BookingError as exc:
        return _render_reschedule(request, booking, form, error=str(exc.message),
                                  status=answer_for(exc).status)
    if moved.sequence == booking.sequence:  # the same time: nothing changed, nothing sent
        messages.info(request, _("Your booking is already at this time; nothing changed."))
    else:
        messages.success(request,
                         _("Your booking has been moved. A new invitation is on its way."))
    return redirect(moved.get_absolute_url())


@require_safe
@never_cache
def invite(request: HttpRequest, token: str) -> HttpResponse:
    """The invite as it stands: REQUEST while the booking holds, CANCEL once it is cancelled."""
    booking = booking_or_404(token)
    with translation.override(booking.invitee_language):
        where = where_booked(booking)
        line = " ".join(filter(None, [where_label(where), where.link]))
        lines = [_("Where: %(where)s") % {"where": line}] if line else []
        description = "\n\n".join(
            [*lines, _("Cancel or reschedule: %(url)s") % {"url": booking.manage_url}])
        summary = f"{booking.session_type.display_name()} · {booking.coach.display_name}"
    facts = InviteFacts.from_booking(
        booking, dtstamp=timezone.now(), manage_url=booking.manage_url,
        summary=summary, description=description)
    method = "CANCEL" if booking.status == Booking.Status.CANCELLED else "REQUEST"
    response = HttpResponse(invite_ics(facts, method),
                            content_type=f"text/calendar; charset=utf-8; method={method}")
    response["Content-Disposition"] = 'attachment; filename="invite.ics"'
    return response


@require_safe
@never_cache
def my_data(request: HttpRequest, token: str) -> HttpResponse:
    """Everything the coach holds about this link's person, as a JSON file (right of access)."""
    booking = booking_or_404(token)
    body = json.dumps(person_data(booking=booking), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def erase(request: HttpRequest, token: str) -> HttpResponse:
    """Erase this person's data held by the coach: a page that says what happens, then POST."""
    booking = booking_or_404(token)
    if request.method != "POST":
        return _render(request, "erase", booking)
    try:
        person_erase_with_refund(booking=booking, by=Booking.CancelledBy.INVITEE)
    except errors.BookingError as exc:  # a booking changed under us: nothing was erased
        return _render(request, "erase", booking, error=str(exc.message),
                       status=answer_for(exc).status)
    messages.success(request, _("Your data is erased. Any upcoming session is cancelled and "
                                "the coach has been told."))
    return redirect(booking.get_absolute_url())
