"""A database that cannot be reached answers 503 with `Retry-After`, not a 500.

`OperationalError` and `InterfaceError` are what Django raises when the connection fails or
drops (server down, too many connections, a lost socket): conditions that pass. Other
database errors (`ProgrammingError`, `IntegrityError`, `DataError`) are bugs or refusals and
keep their usual path. The outage is still logged with its traceback, so it is seen.

Pages get `templates/503.html`, rendered without the request (no session, user or database);
the JSON API (/api/…) gets `{"error": "unavailable", "message"}`.
"""

import json
import logging

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger("web.outage")

OUTAGES = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/"


def is_outage(exc: BaseException) -> bool:
    return isinstance(exc, OUTAGES)


def outage_body() -> dict[str, str]:
    return {"error": "unavailable",
            "message": _("The service cannot reach its database just now; please try again "
                         "in a minute.")}


def outage_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """The 503 for `exc` (an outage): JSON under /api/, the 503 page elsewhere."""
    logger.error("Database unavailable for %s %s", request.method, request.path,
                 exc_info=exc)
    if request.path.startswith(API_PREFIX):
        response = HttpResponse(json.dumps(outage_body()),
                                content_type="application/json; charset=utf-8", status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Turns an outage raised by a view into a 503 (see the module's docstring)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        return outage_response(request, exc) if is_outage(exc) else None
