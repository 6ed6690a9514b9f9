"""The versioned JSON API; its OpenAPI document is at /api/v1/openapi.json.

Every failure answers JSON, never a 500: unparseable or non-JSON bodies and wrong types are
`400 {"errors": {field: [message]}}` (ninja's own answer would be a 422 in its own shape), a
body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, an unknown coach or token a 404. The API uses
no cookies or sessions, so ninja leaves it exempt from CSRF (no `auth` here, no csrf flag).
"""

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db.utils import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from api import coach, coach_calendars, coach_types, manage, public
from api.common import InvalidInput
from web.outage import outage_response

BODY = "body"
# pydantic error types, in words people can act on; anything else is "Invalid value."
PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("Unknown field."),
    "string_type": gettext_lazy("Must be a string."),
    "bool_type": gettext_lazy("Must be true or false."),
    "model_type": gettext_lazy("The request body must be a JSON object."),
    "model_attributes_type": gettext_lazy("The request body must be a JSON object."),
    "dict_type": gettext_lazy("The request body must be a JSON object."),
    "string_too_long": gettext_lazy("This value is too long."),
    "int_type": gettext_lazy("Must be a whole number."),
    "greater_than": gettext_lazy("This number is too small."),
    "greater_than_equal": gettext_lazy("This number is too small."),
    "less_than_equal": gettext_lazy("This number is too large."),
    "too_long": gettext_lazy("Too many values."),
    "list_type": gettext_lazy("Must be a list."),
    "string_pattern_mismatch": gettext_lazy("Invalid value."),
}


class BadBody(ValueError):
    """The body is not a JSON object; ninja wraps this in a 400 that config.api rewords."""


class JSONObjectParser(Parser):
    """Only `application/json` bodies holding one object: anything else is refused, not guessed."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type != "application/json":
            raise BadBody(_("Send the body as JSON with Content-Type: application/json."))
        try:
            data = json.loads(request.body)
        except ValueError:
            raise BadBody(_("The request body is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise BadBody(_("The request body must be a JSON object."))
        return data


api = NinjaAPI(
    title="Créneau API",
    version="1",
    description=("Free slots of a coach, booking one, and managing it from its private "
                 "link; a coach's own bookings with her API key."),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    parser=JSONObjectParser(),
)
api.add_router("/", public.router)
api.add_router("/", manage.router)
api.add_router("/", coach.router)
api.add_router("/", coach_types.router)
api.add_router("/", coach_calendars.router)


def _errors(request: HttpRequest, errors: dict[str, list[str]], status: int = 400) -> HttpResponse:
    return api.create_response(request, {"errors": errors}, status=status)


def _field(loc: tuple) -> str:
    """`name` for ("body", "payload", "name"); BODY when the whole body is at fault."""
    names = [part for part in loc[1:] if isinstance(part, str)]
    if loc and loc[0] == "body":
        names = names[1:]  # the endpoint's parameter name, not a field the client sent
    return names[-1] if names else BODY


def _message(error: dict, field: str) -> str:
    if field == BODY and error.get("type") == "missing":
        return _("The request body is empty; send a JSON object.")
    if error.get("type") == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])
    if error.get("type") == "literal_error" and "expected" in error.get("ctx", {}):
        return _("Must be one of: %(choices)s.") % {"choices": error["ctx"]["expected"]}
    return str(PYDANTIC_MESSAGES.get(error.get("type"), gettext_lazy("Invalid value.")))


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        field = _field(tuple(error.get("loc", ())))
        errors.setdefault(field, []).append(_message(error, field))
    return _errors(request, errors)


@api.exception_handler(InvalidInput)
def invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return _errors(request, exc.errors)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 429:
        body = {"error": "rate_limited",
                "message": _("Too many attempts; please wait a little and try again.")}
        return api.create_response(request, body, status=429)
    if exc.status_code == 400:
        # ninja raises "Cannot parse request body" from our parser's BadBody, or from a
        # body that is not even text.
        cause = exc.__cause__
        if isinstance(cause, BadBody):
            return _errors(request, {BODY: [str(cause)]})
        return _errors(request, {BODY: [_("The request body is not valid JSON.")]})
    body = {"error": "http_error", "message": str(exc)}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    body = {"error": "too_large", "message": _("The request body is too large.")}
    return api.create_response(request, body, status=413)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # One body for every miss: a wrong token must look exactly like an unknown one.
    body = {"error": "not_found", "message": _("Not found.")}
    return api.create_response(request, body, status=404)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_outage(request: HttpRequest, exc: Exception) -> HttpResponse:
    # ninja catches every exception its views raise; outages get the site's 503 answer.
    return outage_response(request, exc)


def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any /api/v1/… path no endpoint serves: the API's JSON 404, not the site's HTML page."""
    return not_found(request, Http404())


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # Missing, malformed, unknown and revoked keys get the same answer.
    body = {"error": "unauthorized",
            "message": _("Send a valid API key as Authorization: Bearer <key>.")}
    response = api.create_response(request, body, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response
