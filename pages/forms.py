"""Forms of the prospect's pages: booking a slot, and cancelling or moving it from the manage
link. Instants and zones are parsed by web.parsing, as at every other door."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from booking.location import clean_phone
from booking.validators import (
    EMAIL_MAX,
    INVITEE_NAME_MAX,
    MESSAGE_MAX,
    validate_email_address,
    validate_message,
    validate_person_name,
)
from web.parsing import BadValue, instant_or_none, parse_zone

HONEYPOT_FIELD = "website"
BAD_START = _("Please choose one of the listed slots.")
CHOOSE_LISTED = _("Please choose one of the listed times.")
REFUSED = _("Your request could not be processed. Please try again later.")


class StartField(forms.CharField):
    """A listed slot's start, sent back as an ISO 8601 instant; parsed by web.parsing."""

    def __init__(self, *, message, required_message=None, **kwargs) -> None:
        super().__init__(max_length=40, error_messages={
            "required": required_message or message, "max_length": message}, **kwargs)
        self.message = message

    def clean(self, value: str) -> datetime:
        start = instant_or_none(super().clean(value))
        if start is None:
            raise ValidationError(self.message, code="invalid")
        return start


PHONE_INVALID = _("Please enter a phone number: 6 to 20 digits, with spaces, +, - or () if "
                  "you like.")


class BookingForm(forms.Form):
    start = StartField(widget=forms.HiddenInput, message=BAD_START)
    # The browser's zone, set by the picker; empty means the coach's zone.
    tz = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
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

    def __init__(self, *args, phone: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Asked only when the session is a phone call, and then required.
        if phone:
            self.fields["phone"] = forms.CharField(
                label=_("Your phone number"), max_length=32,
                error_messages={"required": _("Please give the phone number to call you on.")},
                widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel",
                                              "maxlength": 32}),
                help_text=_("The coach calls you on this number."))
            self.order_fields(["start", "tz", "name", "email", "phone"])

    def clean_phone(self) -> str:
        try:
            return clean_phone(self.cleaned_data["phone"])
        except ValueError:
            raise ValidationError(PHONE_INVALID, code="invalid") from None

    def clean_tz(self) -> ZoneInfo | None:
        value = self.cleaned_data["tz"]
        try:
            return parse_zone(value) if value else None
        except BadValue as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=MESSAGE_MAX, strip=True,
        validators=[validate_message],
        help_text=_("The coach will see it."),
        widget=forms.Textarea(attrs={"rows": 3}))


class RescheduleForm(forms.Form):
    """The new start, as a listed time sends it; whether it is still free is the service's call."""

    start = StartField(message=CHOOSE_LISTED,
                       required_message=_("Please choose a new time."))
