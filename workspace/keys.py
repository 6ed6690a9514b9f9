"""The coach's API keys: list, create (the key is shown once, on the answer to the POST), revoke.

Creating and revoking ask for a recent sign-in (allauth's reauthentication, with her second
factor if she has one): a key opens her bookings to whoever holds it.
"""

from allauth.account.decorators import reauthentication_required
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import ApiKey
from accounts.selectors import coach_api_key, coach_api_keys
from accounts.services import api_key_create, api_key_revoke
from workspace.access import coach_required, request_coach


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=80, strip=True,
        help_text=gettext_lazy("What the key is for, such as “Backup script”. Only you see it."))


@coach_required
@require_http_methods(["GET"])
def key_list(request: HttpRequest) -> HttpResponse:
    coach = request_coach(request)
    return render(request, "workspace/keys/list.html", {
        "coach": coach, "keys": coach_api_keys(coach=coach), "form": ApiKeyForm()})


@coach_required
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def key_create(request: HttpRequest) -> HttpResponse:
    coach = request_coach(request)
    form = ApiKeyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            key, plaintext = api_key_create(coach=coach, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Rendered, not redirected: the plaintext must not travel in a URL or a session.
            return render(request, "workspace/keys/created.html",
                          {"coach": coach, "key": key, "plaintext": plaintext}, status=201)
    status = 400 if form.is_bound else 200
    return render(request, "workspace/keys/new.html", {"coach": coach, "form": form},
                  status=status)


def _own_key(request: HttpRequest, pk: int) -> ApiKey:
    key = coach_api_key(coach=request_coach(request), pk=pk)
    if key is None:
        raise Http404
    return key


@coach_required
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = _own_key(request, pk)
    if request.method == "POST" and key.is_active:
        api_key_revoke(key=key)
        messages.success(request, _("The key “%(name)s” is revoked; scripts using it are "
                                    "refused from now on.") % {"name": key.name})
        return redirect("workspace_keys")
    return render(request, "workspace/keys/revoke.html",
                  {"coach": request_coach(request), "key": key})
