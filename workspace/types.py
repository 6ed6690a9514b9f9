"""Her session types: the list, a new one, and changing one, in plain units.

Every lookup is scoped to her: another coach's type answers 404 like one that does not exist.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Coach
from availability.models import SessionType
from availability.selectors import coach_session_type, coach_session_types
from availability.services import session_type_save
from workspace.common import page, workspace_view
from workspace.type_forms import SessionTypeForm, initial_for


@require_safe
@workspace_view
def type_list(request: HttpRequest, coach: Coach) -> HttpResponse:
    return page(request, coach, "types/list", {
        "nav": "types", "session_types": coach_session_types(coach=coach)})


def _edit(request: HttpRequest, coach: Coach, session_type: SessionType | None) -> HttpResponse:
    """GET shows the form; POST saves through the service, or shows every refusal (400)."""
    shown = session_type or SessionType(coach=coach)
    form = SessionTypeForm(request.POST if request.method == "POST" else None,
                           initial=initial_for(shown))
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not settings.STRIPE_SECRET_KEY and not request.POST.get("price"):
            # The page offers no price then: keep what the type has rather than clearing it.
            del changes["price_amount"], changes["price_currency"]
        try:
            saved = session_type_save(coach=coach, session_type=session_type,
                                      changes=changes)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": saved.name})
            return redirect("workspace:types")
    status = 400 if form.is_bound else 200
    return page(request, coach, "types/edit", {
        "nav": "types", "form": form, "session_type": session_type,
        "payments_on": bool(settings.STRIPE_SECRET_KEY),
    }, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@workspace_view
def type_new(request: HttpRequest, coach: Coach) -> HttpResponse:
    return _edit(request, coach, None)


@require_http_methods(["GET", "HEAD", "POST"])
@workspace_view
def type_edit(request: HttpRequest, coach: Coach, slug: str) -> HttpResponse:
    session_type = coach_session_type(coach=coach, slug=slug)
    if session_type is None:
        raise Http404
    return _edit(request, coach, session_type)
