"""The profile form of /coach/settings/: what prospects see of her, her zone, her language."""

from functools import lru_cache

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Coach
from availability import zone_move
from web.parsing import known_zones, zone_or_none

# Service field → form field, where they differ.
FORM_FIELD_OF = {"timezone": "zone"}


@lru_cache(maxsize=1)
def zone_choices() -> tuple[tuple[str, str], ...]:
    """Region zones (no legacy aliases), as the picker offers them, then UTC."""
    legacy = ("Etc/", "SystemV/", "US/", "posix", "right/", "Canada/", "Brazil/", "Mexico/",
              "Chile/")
    names = sorted(n for n in known_zones() if "/" in n and not n.startswith(legacy))
    return tuple((name, name) for name in [*names, "UTC"])


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Your name, as prospects see it"), max_length=120)
    bio = forms.CharField(label=_("About you (French)"), required=False, max_length=4000,
                          widget=forms.Textarea(attrs={"rows": 5}))
    bio_en = forms.CharField(label=_("About you (English)"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 5}),
                             help_text=_("Shown on your English page; empty: your French text."))
    photo = forms.FileField(
        label=_("Photo"), required=False,
        help_text=_("JPEG, PNG or WebP, up to 5 MB; it is cropped square and made smaller."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)
    website = forms.CharField(label=_("Your website"), required=False, max_length=500,
                              help_text=_("https://…, shown on your page."))
    zone = forms.ChoiceField(label=_("Time zone"), choices=zone_choices)
    zone_hours = forms.ChoiceField(
        label=_("If you change your time zone, your weekly hours…"), required=False,
        widget=forms.RadioSelect, choices=[
            (zone_move.WALL, _("keep their times (09:00 stays 09:00 in the new zone)")),
            (zone_move.INSTANTS, _("keep the same moments (09:00 in Paris becomes 03:00 in "
                                   "New York)")),
        ])
    language = forms.ChoiceField(label=_("Language of your workspace and emails"),
                                 choices=settings.LANGUAGES)
    notification_email = forms.EmailField(
        label=_("Send my booking notifications to"), required=False, max_length=254,
        help_text=_("Empty: the address you sign in with."))

    # The widget's own "clear" checkbox is replaced by remove_photo (one clear name).
    photo.widget.template_name = "django/forms/widgets/file.html"

    def clean_zone(self) -> str:
        zone = zone_or_none(self.cleaned_data["zone"])
        if zone is None:
            raise ValidationError(_("Choose a time zone from the list."))
        return zone

    def changes(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("display_name", "bio", "bio_en", "website",
                                              "language", "notification_email")}

    def add_service_errors(self, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            field = FORM_FIELD_OF.get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


def initial_for(coach: Coach) -> dict:
    return {"display_name": coach.display_name, "bio": coach.bio, "bio_en": coach.bio_en,
            "website": coach.website, "zone": str(coach.timezone), "language": coach.language,
            "notification_email": coach.notification_email}
