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
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from booking import errors
from booking.invites import InviteFacts, invite_ics
from booking.location import where_booked
from booking.location_labels import where_label
from booking.models import Booking
from booking.privacy import person_data
from booking.selectors import change_refusal
from booking.services import booking_reschedule
from pages.forms import CancelForm, RescheduleForm
from pages.reschedule import reschedule_page
from payments.services import booking_cancel_with_refund, person_erase_with_refund
from web.errors import answer_for
from web.lookups import booking_or_404
from web.parsing import date_or_none
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
    now = timezone.now()
    page = None
    if _invitee_refusal(booking, now) is None:
        page = reschedule_page(booking=booking, zone=booking.invitee_zone,
                               asked=date_or_none(request.GET.get("from")), now=now)
    return _render(request, "reschedule", booking, form=form, page=page, status=status,
                   error=error)


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
        booking = booking_reschedule(booking=booking, start=form.cleaned_data["start"],
                                     by=Booking.CancelledBy.INVITEE)
    except errors.BookingError as exc:
        return _render_reschedule(request, booking, form, error=str(exc.message),
                                  status=answer_for(exc).status)
    messages.success(request, _("Your booking has been moved. A new invitation is on its way."))
    return redirect(booking.get_absolute_url())


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
