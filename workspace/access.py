"""Who may enter the coach's workspace: signed-in users with a Coach profile, nobody else.

Every workspace view is wrapped in `coach_required` and reads the coach with `request_coach`,
then reaches her data only through selectors scoped to that coach (invariant 9).
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from accounts.models import Coach

_CACHED = "_workspace_coach"


def request_coach(request: HttpRequest) -> Coach:
    """The signed-in user's Coach profile; Http404 for anyone without one."""
    coach = getattr(request, _CACHED, None)
    if coach is None:
        user = request.user
        # user.coach raises RelatedObjectDoesNotExist (an AttributeError) when there is none.
        coach = getattr(user, "coach", None) if user.is_authenticated else None
        if coach is None:
            raise Http404
        setattr(request, _CACHED, coach)
    return coach


def coach_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous → the sign-in page (and back here after); a user who is no coach → 404.

    A 404 rather than a 403: the workspace does not tell an account that is not a coach's
    what exists behind it. Answers are never cached (they hold the coach's private data).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        request_coach(request)
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped
