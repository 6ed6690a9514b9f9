"""Her profile at /coach/settings/: name, bios, photo, website, zone, language, notices.

The page parses the form and calls one service, availability.services.coach_settings_save,
which refuses everything or changes everything (a zone change also moves her weekly hours,
as she chooses).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Coach
from availability.services import coach_settings_save
from workspace.common import page, workspace_view
from workspace.settings_forms import ProfileForm, initial_for


def _save(request: HttpRequest, coach: Coach, form: ProfileForm) -> bool:
    data = form.cleaned_data
    try:
        coach_settings_save(coach=coach, changes=form.changes(), zone=data["zone"],
                            zone_keep=data["zone_hours"], photo=data["photo"] or None,
                            remove_photo=data["remove_photo"])
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    return True


@require_http_methods(["GET", "HEAD", "POST"])
@workspace_view
def settings_page(request: HttpRequest, coach: Coach) -> HttpResponse:
    """GET shows her profile; POST saves it, or shows every refusal (400) and changes nothing."""
    posted = request.method == "POST"
    form = ProfileForm(request.POST if posted else None, request.FILES if posted else None,
                       initial=initial_for(coach))
    if posted and form.is_valid() and _save(request, coach, form):
        # In the language she may just have chosen: the next page speaks it.
        with translation.override(coach.language):
            messages.success(request, _("Your profile is saved."))
        return redirect("workspace:settings")
    return page(request, coach, "settings", {"nav": "settings", "form": form},
                status=400 if form.is_bound else 200)
