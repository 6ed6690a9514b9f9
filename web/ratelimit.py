"""Rate limits on public booking attempts (web form and JSON API).

Rules come from `settings.BOOKING_RATE_LIMITS`, in allauth's notation: comma-separated
`amount/period/kind` with period `s`, `m`, `h` or `d` (optionally prefixed by a number, as in
`10m`) and kind `ip` (the client address, IPv6 truncated to a /64 by allauth) or `key` (the
normalised email being booked). The default `5/m/ip,20/h/ip,3/h/key` allows 5 attempts a
minute and 20 an hour from one address, and 3 an hour for one email. `off` (or an empty
value) disables every limit, for load tests.

The counting is allauth's own (`allauth.core.internal.ratelimit`): a sliding window of
timestamps per rule, kept in Django's default cache under a lock taken with `cache.add`. So it
needs a real, shared cache: locmem is enough for one process (dev, tests), Redis (`REDIS_URL`)
when several web processes serve the site. Behind a proxy, set allauth's
`ALLAUTH_TRUSTED_PROXY_COUNT` or `ALLAUTH_TRUSTED_CLIENT_IP_HEADER` so `ip` is the client's.
"""

# Public allauth.core.ratelimit.consume reads only ACCOUNT_RATE_LIMITS; the internal consume
# takes our rules as `config` (checked against django-allauth 65.21).
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

APP = "booking"
ACTION = "create"
DISABLED = {"", "off"}


def booking_rate_rules() -> str | None:
    """The configured rules, checked; None when rate limiting is off."""
    rules = (getattr(settings, "BOOKING_RATE_LIMITS", None) or "").strip()
    if rules.lower() in DISABLED:
        return None
    try:
        rates = allauth_ratelimit.parse_rates(rules)
    except ValueError as exc:
        raise ImproperlyConfigured(f"BOOKING_RATE_LIMITS is malformed: {rules!r}") from exc
    if any(rate.per not in {"ip", "key"} for rate in rates):
        raise ImproperlyConfigured("BOOKING_RATE_LIMITS kinds must be 'ip' or 'key'.")
    return rules


def normalize_key(email: str) -> str:
    return email.strip().lower()


def booking_rate_limited(request: HttpRequest, *, email: str) -> bool:
    """Count one booking attempt from `request` for `email`; True when it is over a limit.

    Call once per attempt, before validating the booking, so that bad attempts count too.
    An attempt over a limit is not recorded (a client that keeps hammering is refused until
    its earlier attempts leave the window). If the cache lock cannot be had within a second
    the attempt is treated as limited, as allauth does.
    """
    rules = booking_rate_rules()
    if rules is None:
        return False
    usage = allauth_ratelimit.consume(
        request, app=APP, action=ACTION, config={ACTION: rules}, key=normalize_key(email),
        limit_get=True)
    return usage is None
