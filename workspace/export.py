"""CSV export of her bookings over a date range: Excel-friendly and formula-safe.

UTF-8 with a byte-order mark (so Excel reads accents), comma-separated with quoting by the
csv module, times in her zone (named in the header). A cell a spreadsheet would evaluate
(starting with =, +, -, @, or a tab or carriage return) gets a leading apostrophe: names and
messages are typed by strangers (CSV formula injection).
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.models import Coach
from booking.agenda import export_bookings
from booking.models import Booking
from web.parsing import BadValue, parse_date
from workspace.agenda import local_midnight
from workspace.common import workspace_view

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


def _header(coach: Coach) -> list[str]:
    zone = coach.zone.key
    return [_("Date (%(zone)s)") % {"zone": zone}, _("Start (%(zone)s)") % {"zone": zone},
            _("End (%(zone)s)") % {"zone": zone}, _("Status"), _("Session type"), _("Name"),
            _("Email"), _("Invitee time zone"), _("Language"), _("Message"),
            _("Cancelled by"), _("Cancellation message"), _("Booked at (%(zone)s)") % {
                "zone": zone}, _("UID")]


def _row(booking: Booking, coach: Coach) -> list[str]:
    zone = coach.zone
    start, end = booking.start.astimezone(zone), booking.end.astimezone(zone)
    return [start.date().isoformat(), start.strftime("%H:%M"), end.strftime("%H:%M"),
            booking.get_status_display(), booking.session_type.name, booking.invitee_name,
            booking.invitee_email, str(booking.invitee_timezone),
            booking.get_invitee_language_display(), booking.message,
            booking.get_cancelled_by_display(), booking.cancel_reason,
            booking.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), str(booking.uid)]


def csv_lines(coach: Coach, bookings: Iterable[Booking]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([safe_cell(cell) for cell in _header(coach)])
    for booking in bookings:
        yield writer.writerow([safe_cell(cell) for cell in _row(booking, coach)])


def _range(request: HttpRequest, today: date) -> tuple[date, date]:
    start = parse_date(request.GET["start"]) if request.GET.get("start") else (
        today - timedelta(days=DEFAULT_DAYS))
    end = parse_date(request.GET["end"]) if request.GET.get("end") else (
        start + timedelta(days=2 * DEFAULT_DAYS))
    if end < start:
        raise BadValue(_("The end date must not be before the start date."))
    if (end - start).days > MAX_DAYS:
        raise BadValue(_("Export at most %(days)s days at a time.") % {"days": MAX_DAYS})
    return start, end


@require_safe
@workspace_view
def export_csv(request: HttpRequest, coach: Coach) -> HttpResponse:
    """?start=YYYY-MM-DD&end=YYYY-MM-DD, her local dates, both included."""
    zone = coach.zone
    try:
        start, end = _range(request, timezone.now().astimezone(zone).date())
    except BadValue as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    bookings = export_bookings(coach=coach, start=local_midnight(start, zone),
                               end=local_midnight(end + timedelta(days=1), zone))
    # The rows are built now, in her language (the stream would run after the override).
    lines = list(csv_lines(coach, bookings))
    response = StreamingHttpResponse(iter(lines), content_type="text/csv; charset=utf-8")
    name = f"creneau-{coach.slug}-{start.isoformat()}-{end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
