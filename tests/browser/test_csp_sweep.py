"""Every page in real Chromium under the site's strict CSP: no violation reported, and no
'unsafe-inline' (or 'unsafe-eval') in the policy any page sends.

The pages come from the URL resolver, so a page added later is swept without touching this
file as long as its path parameters are among FILL; a route with another parameter fails
`test_every_route_is_swept_or_skipped_on_purpose` until it is added to FILL or SKIP_ROUTES.
Pages only reached through a flow (login by code, the second factor) are reached by that flow.
"""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from accounts.services import api_key_create
from booking.models import Booking
from tests.factories import BookingFactory
from tests.support.totp import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 7, tzinfo=UTC)  # Monday 08:00 in Paris
PASSWORD = "Une phrase assez longue"

# Routes that are not pages a person opens (files, JSON, form targets served elsewhere), or
# that need a secret only an email carries. Anything else the resolver knows is swept.
SKIP_PREFIXES = ("admin/", "api/v1/", "feeds/", "payments/", "healthz", "i18n/")
SKIP_SUFFIXES = (".ics", ".csv", ".json", "/download/", "/remove/")  # files; POST-only removals
SKIP_ROUTES = {
    "^api/v1/(?P<rest>.*)$",
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$",
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
}
# Pages the resolver does not list as such: admin and API docs, and states of pages.
EXTRA_PAGES = [
    "/admin/login/", "/api/v1/docs",
    "/demo/discovery/?embed=1", "/demo/discovery/?tz=America/New_York",
    "/demo/discovery/book/?start={free}", "/demo/discovery/book/?start={taken}",
    "/demo/discovery/book/?start=nonsense", "/demo/discovery/book/?start={free}&embed=1",
    "/b/{cancelled}/", "/b/{cancelled}/cancel/", "/b/{cancelled}/reschedule/",
    "/no-such-coach/", "/coach/?tab=past", "/coach/week/?week=2027-W12",
]
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
# What the browser listens to before any script of the page runs.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.violatedDirective} ${event.blockedURI} ` +
                    `${event.sourceFile}:${event.lineNumber}`);
});
"""


def _routes(patterns=None, prefix: str = "") -> list[tuple[str, bool]]:
    """(route, is a plain path route) of every URL pattern, includes flattened."""
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found.append((route, isinstance(pattern.pattern, RoutePattern)))
    return found


def _swept(route: str, plain: bool) -> bool:
    return (plain and route not in SKIP_ROUTES and not route.startswith(SKIP_PREFIXES)
            and not route.endswith(SKIP_SUFFIXES))


def page_paths(fill: dict[str, str]) -> list[str]:
    """Every page route the resolver knows, its parameters filled from `fill`."""
    paths = []
    for route, plain in _routes():
        if _swept(route, plain):
            paths.append("/" + PARAM.sub(lambda m: fill[m.group(1)], route))
    return paths + [page.format(**fill) for page in EXTRA_PAGES]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def fill(session_type) -> dict[str, str]:
    """A value for every path parameter a swept route may hold."""
    active = BookingFactory(session_type=session_type,
                            start=datetime(2027, 3, 3, 10, tzinfo=PARIS))
    cancelled = BookingFactory(session_type=session_type, status=Booking.Status.CANCELLED,
                               start=datetime(2027, 3, 4, 10, tzinfo=PARIS))
    key = api_key_create(coach=session_type.coach, name="sweep")[0]
    return {"coach": "demo", "session_type": "discovery", "slug": "discovery",
            "token": active.manage_token, "uid": str(active.uid), "pk": str(key.pk),
            "cancelled": cancelled.manage_token,
            "free": "2027-03-03T09:00:00Z", "taken": active.start.isoformat()}


@pytest.fixture
def coach_user(coach):
    coach.user.set_password(PASSWORD)
    coach.user.save()
    return coach.user


class Sweep:
    """Opens pages in one browser context and collects every CSP problem they show."""

    def __init__(self, context, base: str) -> None:
        self.base = base
        self.problems: list[str] = []
        self.visited: list[str] = []
        context.add_init_script(LISTEN)
        self.page = context.new_page()
        self.page.on("console", self._on_console)

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.problems.append(f"{self.page.url}: console: {message.text}")

    def check(self, response, label: str) -> None:
        self.visited.append(label)
        self.page.wait_for_load_state("load")
        for violation in self.page.evaluate("window.__csp || []"):
            self.problems.append(f"{label}: violation: {violation}")
        policy = (response.headers.get("content-security-policy") if response else None)
        if policy is None:
            self.problems.append(f"{label}: no Content-Security-Policy header")
        elif "'unsafe-inline'" in policy or "'unsafe-eval'" in policy:
            self.problems.append(f"{label}: unsafe policy: {policy}")

    def visit(self, path: str) -> None:
        # A form target answers GET with an empty 405, which Chromium replaces by its own
        # error page (racing the next navigation): it is not a page, so it is left out.
        if self.page.request.get(self.base + path).status == 405:
            return
        self.check(self.page.goto(self.base + path), path)

    def submit(self, label: str) -> None:
        with self.page.expect_navigation() as navigation:
            self.page.locator("main form button[type=submit]").first.click()
        self.check(navigation.value, label)


@pytest.fixture
def sweep(browser, live_server):
    contexts = []

    def open_(session_key: str | None = None, locale: str = "fr-FR") -> Sweep:
        context = browser.new_context(timezone_id="Europe/Paris", locale=locale)
        if session_key:
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_key,
                                  "url": live_server.url}])
        contexts.append(context)
        return Sweep(context, live_server.url)

    yield open_
    for context in contexts:
        context.close()


def signed_in_session(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def test_every_route_is_swept_or_skipped_on_purpose(fill):
    """A new page is swept as soon as it exists; a new kind of parameter must be named."""
    unfilled = {route for route, plain in _routes() if _swept(route, plain)
                and set(PARAM.findall(route)) - set(fill)}
    assert unfilled == set()
    paths = page_paths(fill)
    for expected in ["/", "/demo/", "/demo/discovery/", f"/b/{fill['token']}/reschedule/",
                     "/accounts/login/", "/accounts/login/code/", "/accounts/2fa/",
                     "/coach/", "/coach/security/", f"/coach/bookings/{fill['uid']}/",
                     "/admin/login/", "/api/v1/docs"]:
        assert expected in paths


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_no_page_breaks_the_content_security_policy(sweep, fill, coach_user, locale):
    visitor = sweep(locale=locale)
    coach = sweep(signed_in_session(coach_user), locale=locale)
    for path in page_paths(fill):
        visitor.visit(path)
        if path.startswith(("/coach/", "/accounts/")):
            coach.visit(path)
    assert len(visitor.visited) > 40
    assert visitor.problems + coach.problems == []


def test_sign_in_flows_break_no_policy(sweep, coach_user):
    """The pages only a flow reaches: the code to type, the second factor."""
    by_code = sweep()
    by_code.visit("/accounts/login/code/")
    by_code.page.locator("#id_email").fill(coach_user.email)
    by_code.submit("/accounts/login/code/confirm/")
    assert by_code.page.url.endswith("/accounts/login/code/confirm/")

    secret = generate_totp_secret()
    TOTP.activate(coach_user, secret)
    second = sweep()
    second.visit("/accounts/login/")
    second.page.locator("#id_login").fill(coach_user.email)
    second.page.locator("#id_password").fill(PASSWORD)
    second.submit("/accounts/2fa/authenticate/")
    assert second.page.url.endswith("/accounts/2fa/authenticate/")
    second.page.locator("#id_code").fill("000000")
    second.submit("/accounts/2fa/authenticate/ (refused code)")
    second.page.locator("#id_code").fill(totp_code(secret))
    second.submit("/coach/ after the second factor")
    assert second.page.url.endswith("/coach/")
    for path in ["/accounts/2fa/", "/accounts/2fa/recovery-codes/",
                 "/accounts/2fa/recovery-codes/generate/", "/accounts/2fa/totp/deactivate/",
                 "/accounts/2fa/reauthenticate/", "/coach/security/"]:
        second.visit(path)

    assert by_code.problems + second.problems == []
