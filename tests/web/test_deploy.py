"""Production settings pass `check --deploy`; proxy headers are believed only from our proxies."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from web.proxy import TrustedProxyMiddleware, client_entries

ROOT = Path(__file__).resolve().parents[2]
BOOKING = {"type": "discovery", "start": "2027-03-02T09:00:00+01:00", "name": "Zoé",
           "email": "zoe@example.com", "consent": True}


def test_check_deploy_with_the_documented_production_environment_has_no_warning():
    # The browser tests allow async-unsafe calls in this process; a deployment must not.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**inherited, "DJANGO_SETTINGS_MODULE": "config.settings.production",
           "SECRET_KEY": secrets.token_urlsafe(50), "REDIS_URL": "redis://127.0.0.1:6379/0",
           "ALLOWED_HOSTS": "rdv.example.com", "SITE_URL": "https://rdv.example.com",
           "TRUSTED_PROXY_COUNT": "1", "DATABASE_URL": "sqlite:///:memory:"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr, result.stderr


@pytest.mark.parametrize(("header", "proxies", "expected"), [
    ("203.0.113.7", 1, ["203.0.113.7"]),
    ("198.51.100.1, 203.0.113.7", 1, ["198.51.100.1", "203.0.113.7"]),
    ("203.0.113.7", 2, None),  # fewer entries than our proxies: someone skipped one
    ("not-an-address", 1, None),
    ("203.0.113.7", 0, None),  # no proxy of ours: never believed
    (", ,", 1, None),
    (",".join(["203.0.113.7"] * 50), 1, None),
])
def test_x_forwarded_for_fits_the_trusted_proxies_or_is_dropped(header, proxies, expected):
    assert client_entries(header, proxies) == expected


def _seen_by_view(settings, proxies: int, **headers) -> dict:
    settings.TRUSTED_PROXY_COUNT = proxies
    seen = {}

    def view(request):
        seen.update(secure=request.is_secure(), xff=request.META.get("HTTP_X_FORWARDED_FOR"))
        return HttpResponse()

    TrustedProxyMiddleware(view)(RequestFactory().get("/", **headers))
    return seen


def test_a_clients_own_forwarded_proto_is_not_believed_without_a_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    seen = _seen_by_view(settings, 0, HTTP_X_FORWARDED_PROTO="https",
                         HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert seen == {"secure": False, "xff": None}


def test_our_proxys_forwarded_proto_is_believed(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    seen = _seen_by_view(settings, 1, HTTP_X_FORWARDED_PROTO="https",
                         HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert seen == {"secure": True, "xff": "203.0.113.7"}


@pytest.mark.django_db
@pytest.mark.parametrize("xff", ["203.0.113.7", "garbage", "1.2.3.4, nonsense"])
def test_short_or_malformed_forwarded_for_never_breaks_a_booking(client, session_type,
                                                                    settings, xff):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    api = client.post("/api/v1/coaches/demo/bookings", json.dumps(BOOKING),
                      content_type="application/json", HTTP_X_FORWARDED_FOR=xff)
    form = client.post("/demo/discovery/book/", {"start": "x"}, HTTP_X_FORWARDED_FOR=xff)
    assert api.status_code < 500 and form.status_code < 500
    assert api.status_code != 429
