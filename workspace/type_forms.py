"""The session type editor's form: plain units in (minutes, hours, days, a price as written),
`availability.services.session_type_save`'s changes out (timedeltas, minor units)."""

import re
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from availability.currencies import CURRENCIES, minor_unit_digits
from availability.models import SessionType

# Durations the coach types as an amount and a unit (minutes, hours, days): model field →
# the units offered. The form field has the model's name, so the service's errors land on it.
SPAN_FIELDS = {
    "duration": ("minutes", "hours"), "step": ("minutes", "hours"),
    "buffer_before": ("minutes", "hours"), "buffer_after": ("minutes", "hours"),
    "notice": ("minutes", "hours", "days"), "cancel_cutoff": ("minutes", "hours", "days"),
}
PLAIN_FIELDS = ("name", "name_en", "slug", "description", "description_en", "daily_cap",
                "limit_policy", "limit_period_days", "location_kind", "location_details",
                "location_room_per_booking", "refund_policy", "is_active")
FORM_FIELD_OF = {"horizon": "horizon_days", "reminder_minutes": "reminders",
                 "price_amount": "price", "price_currency": "currency"}
_REMINDER = re.compile(r"^(\d{1,5})\s*(m|min|h|j|d)?$")
_UNIT_MINUTES = {None: 1, "m": 1, "min": 1, "h": 60, "j": 24 * 60, "d": 24 * 60}


_UNIT_LABELS = {"minutes": _("minutes"), "hours": _("hours"), "days": _("days")}
_UNIT_SPAN = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1),
              "days": timedelta(days=1)}


class SpanWidget(forms.MultiWidget):
    """An amount and its unit, side by side: "30 [minutes]", "2 [hours]", "1 [day]"."""

    def __init__(self, units: tuple[str, ...]) -> None:
        self.units = units
        super().__init__([
            forms.NumberInput(attrs={"min": 0, "inputmode": "numeric", "class": "span__amount"}),
            forms.Select(choices=[(unit, _UNIT_LABELS[unit]) for unit in units],
                         attrs={"class": "span__unit"})])

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_0" if id_ else ""  # the label names the amount; the unit has its own

    def decompress(self, value: timedelta | None) -> list:
        """The largest offered unit that shows `value` as a whole number."""
        if value is None:
            return [None, self.units[0]]
        for unit in reversed(self.units):
            if value and value % _UNIT_SPAN[unit] == timedelta(0):
                return [value // _UNIT_SPAN[unit], unit]
        return [int(value.total_seconds() // 60), self.units[0]]


class SpanField(forms.MultiValueField):
    """A timedelta typed as an amount and a unit."""

    def __init__(self, label, units: tuple[str, ...], help_text="") -> None:
        fields = (forms.IntegerField(min_value=0, max_value=100_000),
                  forms.ChoiceField(choices=[(unit, _UNIT_LABELS[unit]) for unit in units]))
        super().__init__(fields, label=label, help_text=help_text, widget=SpanWidget(units),
                         require_all_fields=True)
        self.widget.widgets[1].attrs["aria-label"] = format_lazy("{} ({})", label, _("unit"))

    def compress(self, data_list: list) -> timedelta | None:
        if not data_list:
            return None
        amount, unit = data_list
        return amount * _UNIT_SPAN[unit]


def _span(name: str, label) -> SpanField:
    return SpanField(label, SPAN_FIELDS[name])


def _number(label, help_text="", required=True, max_value=100_000) -> forms.IntegerField:
    return forms.IntegerField(label=label, help_text=help_text, required=required, min_value=0,
                              max_value=max_value)


def minutes_label(value: int) -> str:
    """A reminder as the coach would write it: 1440 → "24h", 90 → "90", 60 → "1h"."""
    return f"{value // 60}h" if value % 60 == 0 else str(value)


class SessionTypeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    name_en = forms.CharField(label=_("Name in English"), max_length=120, required=False,
                              help_text=_("Shown on the English pages; empty: the French one."))
    slug = forms.SlugField(label=_("Address"), max_length=60, required=False,
                           help_text=_("The end of the booking page's address; empty: made "
                                       "from the name."))
    description = forms.CharField(label=_("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    description_en = forms.CharField(label=_("Description in English"), required=False,
                                     max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    duration = _span("duration", _("Duration"))
    step = _span("step", _("Start times every"))
    notice = _span("notice", _("Minimum notice"))
    horizon_days = _number(_("Bookable up to (days ahead)"))
    buffer_before = _span("buffer_before", _("Free time before"))
    buffer_after = _span("buffer_after", _("Free time after"))
    cancel_cutoff = _span("cancel_cutoff", _("Online cancellation until (before the session)"))
    reminders = forms.CharField(
        label=_("Reminders before the session"), required=False, max_length=100,
        help_text=_("Separated by commas, in minutes, or with h for hours: 24h, 1h."))
    daily_cap = _number(_("At most per day"), _("Sessions of any type; empty for no cap."),
                        required=False, max_value=100)
    limit_policy = forms.ChoiceField(label=_("Bookings per person"),
                                     choices=SessionType.LimitPolicy.choices)
    limit_period_days = _number(_("Period (days)"), _("For “once per period”."),
                                required=False, max_value=3650)
    max_reschedules = _number(_("Moves per booking"),
                              _("How many times the invitee can move a booking from her link; "
                                "empty: 3. Your own moves are not counted."),
                              required=False, max_value=100)
    location_kind = forms.ChoiceField(
        label=_("Where the session happens"), required=False,
        choices=[("", _("Not said")), *SessionType.LocationKind.choices])
    location_details = forms.CharField(
        label=_("Link, address or details"), required=False, max_length=500,
        help_text=_("Video: your link. In person: the address. Other: what to tell the "
                    "invitee."))
    location_room_per_booking = forms.BooleanField(
        label=_("A meeting room for each booking (Jitsi Meet, no account needed)"),
        required=False)
    price = forms.DecimalField(label=_("Price"), required=False, min_value=Decimal("0.01"),
                               max_digits=9, decimal_places=2,
                               help_text=_("Empty for a free session."))
    currency = forms.ChoiceField(label=_("Currency"), required=False, initial="eur",
                                 choices=[(code, code.upper()) for code in CURRENCIES])
    refund_policy = forms.ChoiceField(label=_("Refunds"),
                                      choices=SessionType.RefundPolicy.choices)
    is_active = forms.BooleanField(label=_("Open for booking"), required=False)

    def clean_reminders(self) -> list[int]:
        values = []
        for part in filter(None, (p.strip().lower() for p in
                                  self.cleaned_data["reminders"].split(","))):
            match = _REMINDER.match(part)
            if not match:
                raise ValidationError(_("Write each reminder as minutes (30) or hours (2h)."),
                                      code="invalid")
            values.append(int(match[1]) * _UNIT_MINUTES[match[2]])
        return values

    def changes(self) -> dict:
        """What the service takes: model field names, timedeltas, minor units."""
        data = self.cleaned_data
        changes = {name: data[name] for name in (*PLAIN_FIELDS, *SPAN_FIELDS)}
        changes["horizon"] = timedelta(days=data["horizon_days"])
        changes["reminder_minutes"] = data["reminders"]
        changes["price_currency"] = (data["currency"] or "eur").lower()
        changes["price_amount"] = self._minor_units(data["price"], changes["price_currency"])
        if data.get("max_reschedules") is not None:
            changes["max_reschedules"] = data["max_reschedules"]
        return changes

    def clean(self) -> dict:
        data = super().clean()
        price, currency = data.get("price"), data.get("currency") or "eur"
        if price is not None and price != round(price, minor_unit_digits(currency)):
            self.add_error("price", _("%(currency)s has no cents: enter a whole amount.")
                           % {"currency": currency.upper()})
        return data

    @staticmethod
    def _minor_units(price: Decimal | None, currency: str) -> int | None:
        """90.00 EUR → 9000 (cents); 5000 JPY → 5000 (the yen has no minor unit)."""
        return None if price is None else int(price * 10 ** minor_unit_digits(currency))

    def add_service_errors(self, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            field = FORM_FIELD_OF.get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


def initial_for(session_type: SessionType) -> dict:
    """The form's values for an existing type (or the defaults of a new one)."""
    initial = {name: getattr(session_type, name) for name in (*PLAIN_FIELDS, *SPAN_FIELDS)}
    initial["horizon_days"] = session_type.horizon.days
    initial["reminders"] = ", ".join(minutes_label(m) for m in session_type.reminder_minutes)
    if session_type.price_amount is not None:
        digits = minor_unit_digits(session_type.price_currency or "eur")
        initial["price"] = Decimal(session_type.price_amount) / 10 ** digits
    initial["currency"] = session_type.price_currency or "eur"
    initial["max_reschedules"] = session_type.max_reschedules
    return initial
