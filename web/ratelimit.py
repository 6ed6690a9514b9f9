"""Rate limits on public booking attempts (web form and JSON API).

Rules come from `settings.BOOKING_RATE_LIMITS`, in allauth's notation: comma-separated
`amount/period/kind` with period `s`, `m`, `h` or `d` (optionally prefixed by a number, as in
`10m`) and kind `ip` (the client address, IPv6 truncated to a /64 by allauth) or `key` (the
normalised email being booked). The default `5/m/ip,20/h/ip,3/h/key` allows 5 attempts a
minute and 20 an hour from one address, and 3 bookings an hour for one email. `off` (or an
empty value) disables every limit, for load tests.

The two kinds count different things. `ip` rules count every attempt, before anything is
validated, so that scripted attempts from one address are stopped whatever they send. `key`
rules count only bookings that were made: anyone can type someone else's email, and refused
attempts naming it must not lock its owner out. `take_email_allowance` claims one use of the
email's allowance just before the booking is written, under allauth's lock (so simultaneous
bookings cannot slip past it), and the caller gives it back with `rollback()` when the
booking is refused.

The counting is allauth's own (`allauth.core.internal.ratelimit`): a sliding window of
timestamps per rule, kept in Django's default cache under a lock taken with `cache.add`. So it
needs a real, shared cache: locmem is enough for one process (dev, tests), Redis (`REDIS_URL`)
when several web processes serve the site. Behind a proxy, set `TRUSTED_PROXY_COUNT` so `ip`
is the client's.
"""

# Public allauth.core.ratelimit.consume reads only ACCOUNT_RATE_LIMITS; the internal consume
# takes our rules as `config` (checked against django-allauth 65.21).
from allauth.core.internal import ratelimit as allauth_ratelimit
from allauth.core.internal.ratelimit import RateLimitUsage
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

APP = "booking"
ACTION = "create"
DISABLED = {"", "off"}
KINDS = ("ip", "key")


def booking_rate_rules() -> dict[str, str] | None:
    """The configured rules by kind (`ip`, `key`), checked; None when rate limiting is off."""
    rules = (getattr(settings, "BOOKING_RATE_LIMITS", None) or "").strip()
    if rules.lower() in DISABLED:
        return None
    by_kind: dict[str, list[str]] = {kind: [] for kind in KINDS}
    try:
        for part in rules.split(","):
            rate = allauth_ratelimit.parse_rate(part.strip())
            if rate.per not in by_kind:
                raise ImproperlyConfigured("BOOKING_RATE_LIMITS kinds must be 'ip' or 'key'.")
            by_kind[rate.per].append(part.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"BOOKING_RATE_LIMITS is malformed: {rules!r}") from exc
    return {kind: ",".join(parts) for kind, parts in by_kind.items()}


def normalize_key(email: str) -> str:
    return email.strip().lower()


def _consume(request: HttpRequest, rules: str, key: str | None) -> RateLimitUsage | None:
    # allauth's cache keys hold the rule itself, so each kind keeps its own history.
    return allauth_ratelimit.consume(request, app=APP, action=ACTION, config={ACTION: rules},
                                     key=key, limit_get=True)


def booking_rate_limited(request: HttpRequest) -> bool:
    """Count one booking attempt from `request`'s address; True when it is over a limit.

    Call once per attempt, before validating it, so that bad attempts count too. An attempt
    over a limit is not recorded (a client that keeps hammering is refused until its earlier
    attempts leave the window). If the cache lock cannot be had within a second the attempt
    is treated as limited, as allauth does.
    """
    rules = booking_rate_rules()
    if rules is None or not rules["ip"]:
        return False
    return _consume(request, rules["ip"], None) is None


def take_email_allowance(request: HttpRequest, *, email: str) -> RateLimitUsage | None:
    """Claim one booking of `email`'s allowance; None when it is used up.

    Call it once the attempt is valid, just before writing the booking, and call `rollback()`
    on the answer if the booking is then refused (slot taken, limit reached, payment down):
    only bookings that were made spend the allowance.
    """
    rules = booking_rate_rules()
    if rules is None or not rules["key"]:
        return RateLimitUsage(usage=[])
    return _consume(request, rules["key"], normalize_key(email))
