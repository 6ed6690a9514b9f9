"""The operator's sign-in at /admin/login/, rate-limited as allauth limits the coaches' one.

The rules are allauth's `login_failed` (ACCOUNT_RATE_LIMITS; by default 10 a minute from one
address and 5 every 5 minutes for one login), counted by allauth's own helper under the app
name `admin`, so the two sign-in doors keep separate counters. As in allauth's adapter, each
attempt is counted before the password is checked and a successful sign-in gives its use back,
so a brute force cannot reset the counter with the right password of another account. Over
the limit the answer is 429, whatever the password.
"""

from allauth.account import app_settings as account_settings
from allauth.core.internal import ratelimit
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

APP = "admin"
ACTION = "login_failed"


def _rules() -> dict[str, str]:
    return {ACTION: account_settings.RATE_LIMITS.get(ACTION) or ""}


def _login_key(request: HttpRequest) -> str:
    return request.POST.get("username", "").strip().lower()[:254]


@never_cache
def admin_login(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return admin.site.login(request)
    usage = ratelimit.consume(request, app=APP, action=ACTION, config=_rules(),
                              key=_login_key(request))
    if usage is None:
        context = {**admin.site.each_context(request), "title": ""}
        return TemplateResponse(request, "admin/login_limited.html", context, status=429)
    response = admin.site.login(request)
    if request.user.is_authenticated and response.status_code == 302:
        usage.rollback()  # signed in: this attempt did not fail
    return response
