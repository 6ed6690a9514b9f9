"""The public booking form: who is booking, which slot, and in which zone they read times."""

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from booking.validators import (
    EMAIL_MAX,
    INVITEE_NAME_MAX,
    MESSAGE_MAX,
    validate_email_address,
    validate_message,
    validate_person_name,
)

HONEYPOT_FIELD = "website"
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
BAD_START = _("Please choose one of the listed slots.")
REFUSED = _("Your request could not be processed. Please try again later.")


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    """IANA zone names a visitor may pick; scanning the zone database once is enough."""
    return frozenset(available_timezones())


@lru_cache(maxsize=1)
def zone_choices() -> tuple[str, ...]:
    """The zones offered in the picker's select: regions only, not the legacy aliases."""
    legacy = ("Etc/", "SystemV/", "US/", "posix", "right/", "Canada/", "Brazil/", "Mexico/",
              "Chile/")
    names = [name for name in known_zones()
             if "/" in name and not name.startswith(legacy)]
    return (*sorted(names), "UTC")


@lru_cache(maxsize=64)
def zone_options(selected: str) -> str:
    """The select's <option> list; built in Python because 400 template loops cost ~60 ms."""
    names = zone_choices() if selected in zone_choices() else (*zone_choices(), selected)
    return format_html_join("", "<option value=\"{}\"{}>{}</option>",
                            ((name, " selected" if name == selected else "", name)
                             for name in names))


def parse_zone(name: str | None) -> ZoneInfo | None:
    """The zone of this IANA name, or None for anything else (never raises)."""
    if not name or len(name) > 64 or name not in known_zones():
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, OSError):
        return None


def parse_start(value: str | None) -> datetime | None:
    """An aware ISO 8601 instant as UTC, or None (naive or malformed values are refused)."""
    if not value or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return None
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError:
        return None
    # Far-off years would overflow the day arithmetic around a slot; none can be booked.
    return parsed if EARLIEST <= parsed <= LATEST else None


class BookingForm(forms.Form):
    start = forms.CharField(widget=forms.HiddenInput, max_length=40,
                            error_messages={"required": BAD_START})
    # An unknown zone is not an error: the view falls back to the coach's zone.
    tz = forms.CharField(widget=forms.HiddenInput, required=False)
    # Lengths are checked by the shared validators (one message each), not by max_length.
    name = forms.CharField(
        label=_("Your name"), strip=False, validators=[validate_person_name],
        widget=forms.TextInput(attrs={"autocomplete": "name", "maxlength": INVITEE_NAME_MAX}))
    email = forms.CharField(
        label=_("Your email"), validators=[validate_email_address],
        widget=forms.EmailInput(attrs={"autocomplete": "email", "maxlength": EMAIL_MAX}),
        help_text=_("Your invitation and your private link to manage the booking go here."))
    message = forms.CharField(
        label=_("Message (optional)"), required=False, strip=False,
        validators=[validate_message],
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MESSAGE_MAX}),
        help_text=_("What would you like to talk about?"))
    consent = forms.BooleanField(
        label=_("I agree that my name, email and message are kept to organise this session."),
        error_messages={"required": _("Please give your consent to book.")})
    # Bots fill every field; people never see this one (hidden by CSS, skipped by tab).
    website = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def clean_start(self) -> datetime:
        start = parse_start(self.cleaned_data["start"])
        if start is None:
            raise ValidationError(BAD_START, code="invalid")
        return start

    def clean_tz(self) -> ZoneInfo | None:
        return parse_zone(self.cleaned_data["tz"])

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))
