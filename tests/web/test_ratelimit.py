import shutil
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from web.ratelimit import booking_rate_limited

T0 = datetime(2027, 3, 1, 8, tzinfo=UTC)


def post(ip: str = "203.0.113.7"):
    return RequestFactory().post("/api/v1/coaches/demo/bookings", REMOTE_ADDR=ip)


def attempts(count: int, *, ip: str = "203.0.113.7", email=lambda n: f"p{n}@example.org"):
    return [booking_rate_limited(post(ip), email=email(n)) for n in range(count)]


def test_one_email_gets_three_attempts_an_hour_by_default():
    with time_machine.travel(T0, tick=False) as clock:
        assert attempts(4, email=lambda n: "ada@example.org") == [False, False, False, True]
        assert not booking_rate_limited(post("198.51.100.1"), email="grace@example.org")
        clock.move_to(T0 + timedelta(minutes=59))
        assert booking_rate_limited(post("198.51.100.2"), email="ada@example.org")
        clock.move_to(T0 + timedelta(minutes=61))
        assert not booking_rate_limited(post("198.51.100.3"), email="ada@example.org")


def test_the_email_key_is_normalised():
    variants = ["Ada@Example.org", " ada@example.org", "ADA@EXAMPLE.ORG "]
    results = [booking_rate_limited(post(f"198.51.100.{n}"), email=email)
               for n, email in enumerate(variants)]
    assert results == [False, False, False]
    assert booking_rate_limited(post("198.51.100.9"), email="ada@example.org")


def test_one_address_gets_five_attempts_a_minute_then_waits():
    with time_machine.travel(T0, tick=False) as clock:
        assert attempts(6) == [False] * 5 + [True]
        assert not booking_rate_limited(post("198.51.100.1"), email="other@example.org")
        clock.move_to(T0 + timedelta(seconds=61))
        assert not booking_rate_limited(post(), email="later@example.org")


def test_one_address_gets_twenty_attempts_an_hour():
    with time_machine.travel(T0, tick=False) as clock:
        results = []
        for minute in range(5):
            clock.move_to(T0 + timedelta(minutes=2 * minute))
            results += [booking_rate_limited(post(), email=f"p{minute}-{n}@example.org")
                        for n in range(5)]
        assert results == [False] * 20 + [True] * 5


def test_rules_come_from_the_setting(settings):
    settings.BOOKING_RATE_LIMITS = "2/m/ip"
    assert attempts(3) == [False, False, True]


@pytest.mark.parametrize("value", ["off", "OFF", " off ", ""])
def test_off_disables_every_limit(settings, value):
    settings.BOOKING_RATE_LIMITS = value
    assert not any(attempts(50, email=lambda n: "same@example.org"))


@pytest.mark.parametrize("value", ["5/x/ip", "five/m/ip", "5/m/user", "5/m/ip/extra"])
def test_a_malformed_setting_is_a_configuration_error(settings, value):
    settings.BOOKING_RATE_LIMITS = value
    with pytest.raises(ImproperlyConfigured):
        booking_rate_limited(post(), email="ada@example.org")


def test_simultaneous_attempts_cannot_slip_past_the_limit():
    barrier = threading.Barrier(20, timeout=30)
    results: list[bool] = []

    def attempt(n: int) -> None:
        barrier.wait()
        results.append(booking_rate_limited(post(f"198.51.100.{n}"), email="ada@example.org"))

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(False) == 3


def test_cache_keys_hold_no_email_address():
    booking_rate_limited(post(), email="ada@example.org")
    keys = [str(key) for key in cache._cache]  # locmem's store
    assert keys
    assert not any("ada" in key for key in keys)


@pytest.fixture
def redis_url(tmp_path):
    """A private Redis server on a unix socket, for as long as the test runs."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    pytest.importorskip("redis")
    import redis

    socket = tmp_path / "redis.sock"
    process = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(socket), "--save", "",
         "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        client = redis.Redis(unix_socket_path=str(socket))
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)  # waiting for a process to listen, not for a thread
        yield f"unix://{socket}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("backend", ["filebased", "redis"])
def test_limits_work_with_shared_caches(settings, tmp_path, request, backend):
    if backend == "redis":
        location = request.getfixturevalue("redis_url")
        cache_config = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": location}
    else:
        cache_config = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                        "LOCATION": str(tmp_path / "cache")}
    settings.CACHES = {"default": cache_config}
    assert attempts(4, email=lambda n: "ada@example.org") == [False, False, False, True]
    assert attempts(3, ip="198.51.100.1") == [False, False, False]
