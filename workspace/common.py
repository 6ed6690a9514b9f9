"""What every workspace page shares: her language, her zone, no caching, scoped lookups."""

from collections.abc import Callable
from functools import wraps
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache

from accounts.models import Coach
from workspace.access import coach_required, request_coach


def workspace_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`view(request, coach, …)` for a signed-in coach, run and rendered in her language.

    Her language rather than the visitor's: the workspace speaks as her emails do, and flash
    messages built in the view are plain strings in that language.
    """

    @coach_required
    @never_cache
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        coach = request_coach(request)
        with translation.override(coach.language):
            response = view(request, coach, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        response.headers["Content-Language"] = coach.language
        return response

    return wrapped


def page(request: HttpRequest, coach: Coach, template: str, context: dict, *,
         status: int = 200) -> HttpResponse:
    zone: ZoneInfo = coach.zone
    return render(request, f"workspace/{template}.html",
                  {"coach": coach, "zone": zone, **context}, status=status)
