"""The session type editor's form: plain units in (minutes, hours, days, a price in euros),
`availability.services.session_type_save`'s changes out (timedeltas, minor units)."""

import re
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from availability.models import SessionType

# Form field ← model field, with the unit the coach types (what the service reports on).
DURATION_FIELDS = {
    "duration_minutes": ("duration", "minutes"), "step_minutes": ("step", "minutes"),
    "notice_hours": ("notice", "hours"), "horizon_days": ("horizon", "days"),
    "buffer_before_minutes": ("buffer_before", "minutes"),
    "buffer_after_minutes": ("buffer_after", "minutes"),
    "cancel_cutoff_hours": ("cancel_cutoff", "hours"),
}
PLAIN_FIELDS = ("name", "name_en", "slug", "description", "description_en", "daily_cap",
                "limit_policy", "limit_period_days", "location_kind", "location_details",
                "location_room_per_booking", "refund_policy", "is_active")
FORM_FIELD_OF = {model: form for form, (model, _unit) in DURATION_FIELDS.items()} | {
    "reminder_minutes": "reminders", "price_amount": "price", "price_currency": "currency"}
_REMINDER = re.compile(r"^(\d{1,5})\s*(m|min|h|j|d)?$")
_UNIT_MINUTES = {None: 1, "m": 1, "min": 1, "h": 60, "j": 24 * 60, "d": 24 * 60}


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
    duration_minutes = _number(_("Duration (minutes)"), max_value=8 * 60)
    step_minutes = _number(_("Start times every (minutes)"), max_value=24 * 60)
    notice_hours = _number(_("Minimum notice (hours)"))
    horizon_days = _number(_("Bookable up to (days ahead)"))
    buffer_before_minutes = _number(_("Free time before (minutes)"))
    buffer_after_minutes = _number(_("Free time after (minutes)"))
    cancel_cutoff_hours = _number(_("Online cancellation until (hours before)"))
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
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3,
                               initial="eur")
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
        changes = {name: data[name] for name in PLAIN_FIELDS}
        for name, (model_name, unit) in DURATION_FIELDS.items():
            changes[model_name] = timedelta(**{unit: data[name]})
        changes["reminder_minutes"] = data["reminders"]
        price = data["price"]
        # Minor units: cents for euros and the other two-decimal currencies Stripe takes.
        changes["price_amount"] = None if price is None else int(price * 100)
        changes["price_currency"] = (data["currency"] or "eur").lower()
        if data.get("max_reschedules") is not None:
            changes["max_reschedules"] = data["max_reschedules"]
        return changes

    def add_service_errors(self, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            field = FORM_FIELD_OF.get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


def initial_for(session_type: SessionType) -> dict:
    """The form's values for an existing type (or the defaults of a new one)."""
    initial = {name: getattr(session_type, name) for name in PLAIN_FIELDS}
    for name, (model_name, unit) in DURATION_FIELDS.items():
        seconds = getattr(session_type, model_name).total_seconds()
        initial[name] = int(seconds // {"minutes": 60, "hours": 3600, "days": 86400}[unit])
    initial["reminders"] = ", ".join(minutes_label(m) for m in session_type.reminder_minutes)
    if session_type.price_amount is not None:
        initial["price"] = Decimal(session_type.price_amount) / 100
    initial["currency"] = session_type.price_currency or "eur"
    initial["max_reschedules"] = session_type.max_reschedules
    return initial
