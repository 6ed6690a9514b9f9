"""The booking flow embedded in another site's page (`?embed=1`, DESIGN "Pages").

With `embed=1` in its query string, a page of the booking flow (the picker and its htmx
fragments, the form and its answers, the confirmation) renders without the site's chrome and
may be framed by any site; without it, and on every other page, framing stays refused
(X-Frame-Options DENY and CSP `frame-ancestors 'none'`, from the settings). The flag travels in
URLs only, never in a cookie: a frame on another site may have no cookies at all.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_protect

PARAM = "embed"
QUERY = f"{PARAM}=1"

View = Callable[..., HttpResponse]


def is_embedded(request: HttpRequest) -> bool:
    """Whether this request belongs to an embedded flow (a form posts to its own URL, so a
    POST carries the flag in its query string too)."""
    return request.GET.get(PARAM) == "1"


def with_flag(url: str, request: HttpRequest) -> str:
    """`url` with `embed=1` added when the request is embedded, so the next page is too."""
    if not is_embedded(request):
        return url
    return f"{url}{'&' if '?' in url else '?'}{QUERY}"


def context(request: HttpRequest) -> dict:
    """Template context (a context processor): `embed`, and `embed_query` to append to a URL
    that already has a query string. Only the embeddable views set it: `?embed=1` on any
    other page changes nothing."""
    embedded = getattr(request, "embedded", False)
    return {"embed": embedded, "embed_query": f"&{QUERY}" if embedded else ""}


def allow_framing(response: HttpResponse) -> HttpResponse:
    """Let any site frame this response: what `csp_replace({"frame-ancestors": "*"})` and
    `xframe_options_exempt` do, for this response only rather than for every answer of a
    view."""
    response._csp_replace = {"frame-ancestors": ["*"]}  # read by django-csp 4's middleware
    response.xframe_options_exempt = True  # read by XFrameOptionsMiddleware
    return response


def embeddable(view: View) -> View:
    """A view of the booking flow: framable by any site when the request is embedded."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.embedded = is_embedded(request)  # read by `context`
        response = view(request, *args, **kwargs)
        return allow_framing(response) if request.embedded else response

    return wrapped


def csrf_exempt_when_embedded(view: View) -> View:
    """The booking form's view: CSRF-protected as usual, except in the embedded flow.

    Inside a frame on another site the browser may keep no cookie for us (third-party cookies
    blocked or partitioned), so the CSRF cookie the check needs would be missing and every
    embedded booking would fail with 403. The embedded POST is exempt instead, which is safe
    for this form: it is public (no account, no session, nothing a visitor's cookies would
    authorise), so a forged cross-site POST can do nothing the forger could not do by posting
    it directly; it is rate-limited per address and per email, guarded by a honeypot, and
    idempotent (an identical repeat returns the first booking). A signed token in the form
    would prove no more, since anyone may fetch a fresh form. Without `embed=1` the usual
    check stands.
    """
    protected = csrf_protect(view)

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if is_embedded(request):
            return view(request, *args, **kwargs)
        return protected(request, *args, **kwargs)

    wrapped.csrf_exempt = True  # the middleware leaves the decision to `wrapped`
    return wrapped
