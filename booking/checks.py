"""System checks: rate limits need a shared cache; the task outbox needs the DB backend."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

DUMMY = "django.core.cache.backends.dummy.DummyCache"
PER_PROCESS = "django.core.cache.backends.locmem.LocMemCache"


@register(Tags.caches)
def rate_limit_cache_check(app_configs, **kwargs) -> list:
    if settings.BOOKING_RATE_LIMITS.strip().lower() == "off":
        return []
    backend = settings.CACHES["default"]["BACKEND"]
    if backend == DUMMY:
        return [Error("Booking rate limits are on but the default cache is DummyCache, which "
                      "forgets every attempt: the limits would never trigger.",
                      hint="Set REDIS_URL, or BOOKING_RATE_LIMITS=off.", id="booking.E001")]
    return []


@register(Tags.caches, deploy=True)
def shared_cache_deploy_check(app_configs, **kwargs) -> list:
    if settings.CACHES["default"]["BACKEND"] == PER_PROCESS:
        return [Warning("The default cache lives in each process: with several web processes "
                        "each keeps its own rate-limit counters and feed cache.",
                        hint="Set REDIS_URL for a shared cache.", id="booking.W001")]
    return []


OUTBOX_BACKEND = "django_tasks_db.DatabaseBackend"


@register()
def task_outbox_check(app_configs, **kwargs) -> list:
    # Services enqueue inside their transaction: only a backend that writes the task row in
    # that transaction (and whose workers see it only once committed) keeps it an outbox.
    # An immediate backend would send mail for a change that may still roll back.
    backend = settings.TASKS.get("default", {}).get("BACKEND")
    if backend != OUTBOX_BACKEND:
        return [Error(f"The default task backend is {backend!r}: booking notifications are "
                      "enqueued inside the booking's transaction and need the database "
                      "backend to run only after it commits.",
                      hint=f"Use {OUTBOX_BACKEND}.", id="booking.E002")]
    return []
