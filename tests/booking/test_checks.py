from django.test import override_settings

from booking.checks import rate_limit_cache_check, shared_cache_deploy_check

DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                     "LOCATION": "redis://127.0.0.1:6379/0"}}


@override_settings(CACHES=DUMMY, BOOKING_RATE_LIMITS="5/m/ip")
def test_rate_limits_on_a_dummy_cache_are_an_error():
    assert [e.id for e in rate_limit_cache_check(None)] == ["booking.E001"]


@override_settings(CACHES=DUMMY, BOOKING_RATE_LIMITS="off")
def test_no_error_when_rate_limits_are_off():
    assert rate_limit_cache_check(None) == []


@override_settings(CACHES=LOCMEM)
def test_deploy_check_warns_about_a_per_process_cache():
    assert [e.id for e in shared_cache_deploy_check(None)] == ["booking.W001"]


@override_settings(CACHES=REDIS)
def test_a_shared_cache_passes_both_checks():
    assert rate_limit_cache_check(None) == [] and shared_cache_deploy_check(None) == []
