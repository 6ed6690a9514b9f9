"""Public pages: coaches, the slot picker, the booking form and its confirmation."""

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Coach
from availability.models import SessionType
from availability.selectors import active_session_types
from availability.slots import Refusal
from booking import errors
from booking.location import needs_phone, where_booked, where_public
from booking.location_labels import where_label
from booking.models import Booking
from booking.selectors import booking_by_manage_token, start_refusal
from booking.services import Invitee, booking_create
from pages.embed import PARAM as EMBED_PARAM
from pages.embed import csrf_exempt_when_embedded, embeddable, is_embedded, with_flag
from pages.forms import BAD_START, REFUSED, BookingForm
from pages.picker import Links, build_calendar, iso_utc, picker_span
from pages.zones import zone_caption, zone_options
from web.checkout import allow_checkout_redirect, checkout_url_for
from web.errors import answer_for
from web.lookups import coach_or_404, session_type_or_404
from web.parsing import instant_or_none, zone_or_none
from web.payment_facts import price_label
from web.ratelimit import booking_rate_limited, take_email_allowance

TZ_COOKIE = "tz"
TOO_MANY_ATTEMPTS = gettext_lazy("Too many booking attempts. Please wait a few minutes and try "
                                 "again.")
TOO_MANY_BOOKINGS = gettext_lazy("Too many bookings for this email address. Please wait an "
                                 "hour and try again.")
TZ_COOKIE_AGE = 365 * 24 * 3600
# Booking fields whose validation errors belong to a form field of the same meaning.
FIELD_OF = {"invitee_name": "name", "invitee_email": "email", "message": "message",
            "invitee_phone": "phone"}


@dataclass
class ViewerZone:
    zone: ZoneInfo
    remember: bool  # an explicit, valid ?tz= that the cookie should keep
    notices: list[str]


def _viewer_zone(request: HttpRequest, coach: Coach) -> ViewerZone:
    """?tz= first, then the `tz` cookie, then the coach's zone; bad values fall through."""
    notices = []
    asked = request.GET.get("tz")
    if asked:
        zone = zone_or_none(asked)
        if zone is not None:
            return ViewerZone(zone, remember=True, notices=[])
        notices.append(_("Unknown time zone “%(zone)s”.") % {"zone": asked[:64]})
    zone = zone_or_none(request.COOKIES.get(TZ_COOKIE)) or coach.zone
    return ViewerZone(zone, remember=False, notices=notices)


def _render_picker(request: HttpRequest, session_type: SessionType) -> HttpResponse:
    coach = session_type.coach
    viewer = _viewer_zone(request, coach)
    picker_url = reverse("pages:picker", args=[coach.slug, session_type.slug])
    embedded = is_embedded(request)
    links = Links(picker_url, reverse("pages:book", args=[coach.slug, session_type.slug]),
                  viewer.zone, embed=embedded)
    calendar = build_calendar(request.GET, picker_span(session_type, viewer.zone), viewer.zone,
                              viewer.notices, links)
    if embedded:  # the zone form keeps the flag too
        calendar.keep.append((EMBED_PARAM, "1"))
    partial = request.htmx and not request.htmx.history_restore_request
    context = {
        "coach": coach, "session_type": session_type, "zone": viewer.zone,
        "calendar": calendar, "week": calendar.week, "month": calendar.month,
        "notices": viewer.notices, "picker_url": picker_url,
        "minutes": int(session_type.duration.total_seconds() // 60),
        "price": price_label(session_type), "partial": partial,
        "caption": zone_caption(viewer.zone, *calendar.shown),
    }
    if not partial:
        # Only the whole page has the zone select; fragments leave it in place and update
        # the zone's caption and the announcement out of band.
        context["zone_options"] = zone_options(viewer.zone.key)
    template = "booking/_slots.html" if partial else "booking/picker.html"
    response = render(request, template, context)
    # Embedded, the zone stays in the URLs: a frame on another site may not keep cookies.
    if viewer.remember and not embedded:
        response.set_cookie(TZ_COOKIE, viewer.zone.key, max_age=TZ_COOKIE_AGE, samesite="Lax",
                            secure=request.is_secure())
    # The same URL answers a whole page or a fragment: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _render_coach(request: HttpRequest, coach: Coach) -> HttpResponse:
    session_types = list(active_session_types(coach=coach))
    if len(session_types) == 1:
        # The only thing to choose is a time: show it at once.
        session_types[0].coach = coach
        return _render_picker(request, session_types[0])
    for found in session_types:
        found.price_label = price_label(found)
        found.where_label = where_label(where_public(found))
    return render(request, "booking/coach.html",
                  {"coach": coach, "session_types": session_types})


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    coaches = list(Coach.objects.all()[:2])
    if len(coaches) == 1:
        return _render_coach(request, coaches[0])
    return render(request, "booking/home.html", {"coaches": Coach.objects.all()})


@require_GET
def coach_page(request: HttpRequest, coach: str) -> HttpResponse:
    return _render_coach(request, coach_or_404(coach))


@require_GET
@embeddable
def picker(request: HttpRequest, coach: str, session_type: str) -> HttpResponse:
    return _render_picker(request, session_type_or_404(coach, session_type))


def _refusal_message(reason: Refusal | None) -> str | None:
    return None if reason is None else str(errors.REFUSAL_MESSAGES[reason])


def _book_context(session_type: SessionType, form: BookingForm, start: datetime | None,
                  zone: ZoneInfo, **extra) -> dict:
    coach = session_type.coach
    return {
        "coach": coach, "session_type": session_type, "form": form, "start": start,
        "end": start + session_type.duration if start else None, "zone": zone,
        "coach_zone": coach.zone,
        "picker_url": reverse("pages:picker", args=[coach.slug, session_type.slug]),
        "price": price_label(session_type),
        "privacy_notice_version": settings.PRIVACY_NOTICE_VERSION, **extra,
    }


def _book_get(request: HttpRequest, session_type: SessionType) -> HttpResponse:
    zone = _viewer_zone(request, session_type.coach).zone
    start = instant_or_none(request.GET.get("start"))
    form = BookingForm(initial={"start": request.GET.get("start", ""), "tz": zone.key},
                       phone=needs_phone(session_type))
    if start is None:
        context = _book_context(session_type, form, None, zone, problem=str(BAD_START))
        return render(request, "booking/book.html", context, status=400)
    # GET only reads: it says at once when the slot went, without holding anything.
    reason = start_refusal(session_type=session_type, start=start, now=timezone.now())
    status = 200 if reason is None else 409 if reason is Refusal.TAKEN else 400
    context = _book_context(session_type, form, start, zone,
                            problem=_refusal_message(reason),
                            taken=reason is Refusal.TAKEN)
    return render(request, "booking/book.html", context, status=status)


def _invitee(form: BookingForm, coach: Coach) -> Invitee:
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    data = form.cleaned_data
    return Invitee(name=data["name"], email=data["email"], message=data["message"],
                   timezone=data["tz"] or coach.zone, language=language,
                   phone=data.get("phone", ""))


def _book_post(request: HttpRequest, session_type: SessionType) -> HttpResponse:
    coach = session_type.coach
    form = BookingForm(request.POST, phone=needs_phone(session_type))

    def again(status: int, message: str | None = None, **extra) -> HttpResponse:
        if message:
            form.add_error(None, message)
        cleaned = getattr(form, "cleaned_data", {})
        start = cleaned.get("start") or instant_or_none(form.data.get("start"))
        zone = cleaned.get("tz") or zone_or_none(form.data.get("tz")) or coach.zone
        return render(request, "booking/book.html",
                      _book_context(session_type, form, start, zone, **extra), status=status)

    # Counted before validation, so that malformed attempts from one address count too.
    if booking_rate_limited(request):
        return again(429, str(TOO_MANY_ATTEMPTS))
    if form.is_bot:
        return again(400, str(REFUSED))
    if not form.is_valid():
        return again(400)
    # Only bookings made spend the email's allowance: given back below when refused.
    allowance = take_email_allowance(request, email=form.cleaned_data["email"])
    if allowance is None:
        return again(429, str(TOO_MANY_BOOKINGS))
    # A paid type's booking holds the slot unpaid until Stripe says it is paid (invariant 10).
    status = Booking.Status.PENDING_PAYMENT if session_type.is_paid else Booking.Status.CONFIRMED
    try:
        booking = booking_create(session_type=session_type, start=form.cleaned_data["start"],
                                 invitee=_invitee(form, coach), status=status)
        if session_type.is_paid:  # the hold has committed: now ask Stripe
            return redirect(checkout_url_for(booking, f"{request.scheme}://{request.get_host()}"))
    except errors.BookingError as exc:  # PaymentUnavailable too: 503, the slot is free again
        allowance.rollback()
        answer = answer_for(exc)
        return again(answer.status, answer.message, taken=isinstance(exc, errors.SlotTaken))
    except ValidationError as exc:
        allowance.rollback()
        by_field = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for name, messages in by_field.items():
            for message in messages:
                form.add_error(FIELD_OF.get(name), message)
        return again(400)
    return redirect(with_flag(reverse("pages:confirmed", args=[
        coach.slug, session_type.slug, booking.manage_token]), request))


@csrf_exempt_when_embedded
@require_http_methods(["GET", "POST"])
@embeddable
def book(request: HttpRequest, coach: str, session_type: str) -> HttpResponse:
    found = session_type_or_404(coach, session_type)
    response = _book_post(request, found) if request.method == "POST" else _book_get(request,
                                                                                  found)
    return allow_checkout_redirect(response) if found.is_paid else response


def _utc_stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _calendar_links(booking: Booking) -> dict[str, str]:
    title = _("%(session)s with %(coach)s") % {"session": booking.session_type.display_name(),
                                               "coach": booking.coach.display_name}
    details = _("Manage or cancel this booking: %(url)s") % {"url": booking.manage_url}
    place = where_booked(booking).location
    google = urlencode({"action": "TEMPLATE", "text": title, "details": details,
                        "location": place,
                        "dates": f"{_utc_stamp(booking.start)}/{_utc_stamp(booking.end)}"})
    outlook = urlencode({
        "subject": title, "body": details, "location": place,
        "startdt": iso_utc(booking.start), "enddt": iso_utc(booking.end)})
    return {
        "ics": booking.get_absolute_url() + "invite.ics",
        "google": f"https://calendar.google.com/calendar/render?{google}",
        "outlook": f"https://outlook.live.com/calendar/0/deeplink/compose?{outlook}",
    }


def booking_on_page_or_404(coach: str, session_type: str, token: str) -> Booking:
    """The booking this token opens, if it is of this coach and type; else 404 (invariant 5)."""
    booking = booking_by_manage_token(token=token)
    if (booking is None or booking.coach.slug != coach
            or booking.session_type.slug != session_type):
        raise Http404
    return booking


def render_confirmed(request: HttpRequest, booking: Booking, **extra) -> HttpResponse:
    """The confirmation page (also the paid return page, which adds `awaiting_payment`)."""
    coach, session_type = booking.coach, booking.session_type
    return render(request, "booking/confirmed.html", {
        "booking": booking, "coach": coach, "session_type": session_type,
        "invitee_zone": booking.invitee_zone,
        "coach_zone": coach.zone, "links": _calendar_links(booking),
        "start_iso": iso_utc(booking.start),
        "picker_url": reverse("pages:picker", args=[coach.slug, session_type.slug]),
        **extra,
    })


@require_GET
@never_cache
@embeddable
def confirmed(request: HttpRequest, coach: str, session_type: str, token: str) -> HttpResponse:
    return render_confirmed(request, booking_on_page_or_404(coach, session_type, token))
