"""Who may open the workspace: a signed-in user with a coach profile, for her own data only.

A stand-in with the API the sign-in work provides (`coach_required`, `request_coach`); the two
are reconciled at merge.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from accounts.models import Coach

_CACHED = "_workspace_coach"


def request_coach(request: HttpRequest) -> Coach:
    """The signed-in user's coach profile (read once per request); 404 for anyone else."""
    coach = getattr(request, _CACHED, None)
    if coach is None:
        coach = Coach.objects.filter(user_id=request.user.pk).first()
        if coach is None:
            raise Http404
        coach.user = request.user  # already loaded by the auth middleware
        setattr(request, _CACHED, coach)
    return coach


def coach_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sign-in required (else the login page); a user who is not a coach gets a 404."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request_coach(request)
        return view(request, *args, **kwargs)

    return wrapped
