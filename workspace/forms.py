"""Forms of the booking actions. Instants go through web.parsing (pages.forms' StartField)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import Booking
from booking.validators import MESSAGE_MAX, validate_message
from pages.forms import CHOOSE_LISTED, StartField


def _message_field(label, help_text) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=MESSAGE_MAX, strip=True,
                           validators=[validate_message], help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": 3}))


class CoachCancelForm(forms.Form):
    message = _message_field(_("Message to the invitee (optional)"),
                             _("It is included in the cancellation email and shown on their "
                               "booking page."))


class CoachRescheduleForm(forms.Form):
    start = StartField(message=CHOOSE_LISTED, required_message=_("Please choose a new time."))
    message = _message_field(_("Message to the invitee (optional)"),
                             _("It is included in the email with the new invitation."))


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(choices=[(Booking.Status.COMPLETED, _("Completed")),
                                        (Booking.Status.NO_SHOW, _("No-show"))],
                               widget=forms.HiddenInput)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Private note"), max_length=MESSAGE_MAX, strip=True,
                           validators=[validate_message],
                           help_text=_("Only you can see your notes."),
                           widget=forms.Textarea(attrs={"rows": 3}))
