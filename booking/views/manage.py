"""The invitee's private manage link: /b/<token>/ shows, its forms cancel or move (POST only).

Mail scanners fetch links, so a GET here never changes anything (invariant 4); a wrong token
is the same 404 as an unknown one (invariant 5). The services decide what is allowed; these
views only show their answer.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from booking import errors
from booking.forms_manage import CancelForm, RescheduleForm, reschedule_page
from booking.invites import InviteFacts, invite_ics
from booking.models import Booking
from booking.selectors import booking_by_manage_token, change_refusal
from booking.services import booking_cancel, booking_reschedule

STATUS_FOR = {errors.ChangeNotAllowed: 409, errors.SlotTaken: 409, errors.LimitReached: 409}


def _booking_or_404(token: str) -> Booking:
    booking = booking_by_manage_token(token=token)
    if booking is None:
        raise Http404
    return booking


def _invitee_refusal(booking: Booking, now: datetime) -> str | None:
    refusal = change_refusal(booking, by=Booking.CancelledBy.INVITEE, now=now)
    return None if refusal is None else str(refusal)


def _render(request: HttpRequest, template: str, booking: Booking, *, status: int = 200,
            error: str | None = None, **extra) -> HttpResponse:
    now = timezone.now()
    context = {
        "booking": booking, "coach": booking.coach, "session_type": booking.session_type,
        "invitee_zone": ZoneInfo(str(booking.invitee_timezone)), "coach_zone": booking.coach.zone,
        "refusal": _invitee_refusal(booking, now), "error": error, **extra,
    }
    return render(request, f"booking/manage/{template}.html", context, status=status)


def _service_error(exc: errors.BookingError) -> int:
    return STATUS_FOR.get(type(exc), 400)


@require_safe
@never_cache
def detail(request: HttpRequest, token: str) -> HttpResponse:
    return _render(request, "detail", _booking_or_404(token))


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking_or_404(token)
    if request.method != "POST":
        return _render(request, "cancel", booking, form=CancelForm())
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _render(request, "cancel", booking, form=form, status=400)
    try:
        booking_cancel(booking=booking, by=Booking.CancelledBy.INVITEE,
                       reason=form.cleaned_data["reason"])
    except errors.BookingError as exc:
        return _render(request, "cancel", booking, form=form, error=str(exc.message),
                       status=_service_error(exc))
    except ValidationError as exc:
        form.add_error("reason", exc.messages)
        return _render(request, "cancel", booking, form=form, status=400)
    messages.success(request, _("Your booking is cancelled. The coach has been told."))
    return redirect(booking.get_absolute_url())


def _asked_day(request: HttpRequest) -> date | None:
    try:
        return date.fromisoformat(request.GET.get("from", "")[:10])
    except ValueError:
        return None


def _render_reschedule(request: HttpRequest, booking: Booking, form: RescheduleForm, *,
                       status: int = 200, error: str | None = None) -> HttpResponse:
    now = timezone.now()
    page = None
    if _invitee_refusal(booking, now) is None:
        page = reschedule_page(booking=booking, zone=ZoneInfo(str(booking.invitee_timezone)),
                               asked=_asked_day(request), now=now)
    return _render(request, "reschedule", booking, form=form, page=page, status=status,
                   error=error)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking_or_404(token)
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
                                  status=_service_error(exc))
    messages.success(request, _("Your booking has been moved. A new invitation is on its way."))
    return redirect(booking.get_absolute_url())


@require_safe
@never_cache
def invite(request: HttpRequest, token: str) -> HttpResponse:
    """The invite as it stands: REQUEST while the booking holds, CANCEL once it is cancelled."""
    booking = _booking_or_404(token)
    with translation.override(booking.invitee_language):
        description = _("Cancel or reschedule: %(url)s") % {"url": booking.manage_url}
    facts = InviteFacts.from_booking(
        booking, dtstamp=timezone.now(), manage_url=booking.manage_url,
        summary=f"{booking.session_type.name} · {booking.coach.display_name}",
        description=description)
    method = "CANCEL" if booking.status == Booking.Status.CANCELLED else "REQUEST"
    response = HttpResponse(invite_ics(facts, method),
                            content_type=f"text/calendar; charset=utf-8; method={method}")
    response["Content-Disposition"] = 'attachment; filename="invite.ics"'
    return response
