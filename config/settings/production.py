"""Production: everything from the environment; refuses to start without a real secret."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool

if SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("Set SECRET_KEY to a long random value in production.")

from .base import TRUSTED_PROXY_COUNT

# X-Forwarded-Proto is believed only from a proxy of ours (web.proxy drops it otherwise).
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Submitting the domain to browsers' preload lists binds every subdomain for years: the
    # operator's decision (SECURE_HSTS_PRELOAD=1), not a default worth a warning.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# The demo coach's password is printed by seed_demo: never on a real site.
SEED_DEMO_ALLOWED = False
