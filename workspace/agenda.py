"""The agenda: her bookings by local day, upcoming or past, filtered, searched, paged.

Times are formatted here once per row, in her zone, rather than by template filters.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import Coach
from booking.agenda import SEARCH_MAX, AgendaFilter, agenda_bookings
from booking.models import Booking
from web.parsing import BadValue, parse_date
from workspace.common import page, workspace_view

PER_PAGE = 25
PREVIEW_WORDS = 12
UPCOMING, PAST = "upcoming", "past"


class DateInput(forms.CharField):
    """A YYYY-MM-DD date, read by the one parser every door shares."""

    widget = forms.DateInput(attrs={"type": "date"})

    def clean(self, value: str) -> date | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            return parse_date(value)
        except BadValue as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class AgendaForm(forms.Form):
    tab = forms.ChoiceField(choices=[(UPCOMING, _("Upcoming")), (PAST, _("Past"))],
                            required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *Booking.Status.choices])
    start = DateInput(label=_("From"), required=False, max_length=10)
    end = DateInput(label=_("To"), required=False, max_length=10)
    q = forms.CharField(label=_("Name or email"), required=False, max_length=SEARCH_MAX,
                        widget=forms.TextInput(attrs={"type": "search"}))

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date must not be before the start date."))
        return data


@dataclass(frozen=True, slots=True)
class Row:
    booking: Booking
    time: str  # local start–end in her zone
    preview: str


@dataclass
class DayGroup:
    day: date
    title: str
    rows: list[Row] = field(default_factory=list)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def group_by_day(bookings: list[Booking], zone: ZoneInfo) -> list[DayGroup]:
    groups: list[DayGroup] = []
    time_format = get_format("TIME_FORMAT")
    for booking in bookings:
        start, end = booking.start.astimezone(zone), booking.end.astimezone(zone)
        if not groups or groups[-1].day != start.date():
            groups.append(DayGroup(day=start.date(), title=capfirst(
                dateformat.format(start, "l j F Y"))))
        label = (f"{dateformat.time_format(start, time_format)}–"
                 f"{dateformat.time_format(end, time_format)}")
        preview = Truncator(" ".join(booking.message.split())).words(PREVIEW_WORDS)
        groups[-1].rows.append(Row(booking=booking, time=label, preview=preview))
    return groups


def agenda_filter(form: AgendaForm, zone: ZoneInfo, now: datetime) -> AgendaFilter:
    """The filter a (validated) form asks for; fields with errors are left out."""
    data = form.cleaned_data if form.is_valid() else {
        name: value for name, value in getattr(form, "cleaned_data", {}).items()
        if name not in form.errors}
    start, end = data.get("start"), data.get("end")
    return AgendaFilter(
        past=data.get("tab") == PAST,
        split=local_midnight(now.astimezone(zone).date(), zone),
        status=data.get("status") or "",
        start=local_midnight(start, zone) if start else None,
        end=local_midnight(end + timedelta(days=1), zone) if end else None,
        query=data.get("q") or "")


def _page_links(request: HttpRequest, shown: Page) -> tuple[str | None, str | None]:
    params = {k: v for k, v in request.GET.items() if k != "page" and v}

    def link(number: int) -> str:
        return "?" + urlencode({**params, "page": number})

    return (link(shown.previous_page_number()) if shown.has_previous() else None,
            link(shown.next_page_number()) if shown.has_next() else None)


def _tab_link(request: HttpRequest, tab: str) -> str:
    params = {k: v for k, v in request.GET.items() if k not in ("page", "tab") and v}
    return "?" + urlencode({**params, "tab": tab})


@workspace_view
def agenda(request: HttpRequest, coach: Coach) -> HttpResponse:
    zone = coach.zone
    form = AgendaForm(request.GET)
    filters = agenda_filter(form, zone, timezone.now())
    paginator = Paginator(agenda_bookings(coach=coach, filters=filters), PER_PAGE)
    shown = paginator.get_page(request.GET.get("page"))
    previous_url, next_url = _page_links(request, shown)
    context = {
        "form": form, "tab": PAST if filters.past else UPCOMING,
        "groups": group_by_day(list(shown.object_list), zone), "page": shown,
        "previous_url": previous_url, "next_url": next_url,
        "upcoming_url": _tab_link(request, UPCOMING), "past_url": _tab_link(request, PAST),
        "poll_url": request.get_full_path(), "nav": "agenda",
    }
    template = "_agenda_list" if request.htmx else "agenda"
    return page(request, coach, template, context, status=400 if form.errors else 200)
