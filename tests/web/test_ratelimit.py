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

from web.ratelimit import booking_rate_limited, take_email_allowance

T0 = datetime(2027, 3, 1, 8, tzinfo=UTC)


def post(ip: str = "203.0.113.7"):
    return RequestFactory().post("/api/v1/coaches/demo/bookings", REMOTE_ADDR=ip)


def attempts(count: int, *, ip: str = "203.0.113.7"):
    return [booking_rate_limited(post(ip)) for n in range(count)]


def booked(email: str, ip: str = "203.0.113.7") -> bool:
    """True when a booking for `email` may be made now (and spends the allowance)."""
    return take_email_allowance(post(ip), email=email) is not None


def bookings(count: int, email: str = "ada@example.org") -> list[bool]:
    return [booked(email, f"198.51.100.{n}") for n in range(count)]


def test_one_email_gets_three_bookings_an_hour_by_default():
    with time_machine.travel(T0, tick=False) as clock:
        assert bookings(4) == [True, True, True, False]
        assert booked("grace@example.org")
        clock.move_to(T0 + timedelta(minutes=59))
        assert not booked("ada@example.org")
        clock.move_to(T0 + timedelta(minutes=61))
        assert booked("ada@example.org")


def test_a_refused_booking_gives_its_use_of_the_allowance_back():
    for _ in range(10):
        take_email_allowance(post(), email="ada@example.org").rollback()
    assert bookings(4) == [True, True, True, False]


def test_attempts_from_one_address_do_not_spend_the_email_allowance():
    assert attempts(6) == [False] * 5 + [True]
    assert bookings(3) == [True, True, True]


def test_the_email_key_is_normalised():
    variants = ["Ada@Example.org", " ada@example.org", "ADA@EXAMPLE.ORG "]
    assert [booked(email) for email in variants] == [True, True, True]
    assert not booked("ada@example.org", "198.51.100.9")


def test_one_address_gets_five_attempts_a_minute_then_waits():
    with time_machine.travel(T0, tick=False) as clock:
        assert attempts(6) == [False] * 5 + [True]
        assert not booking_rate_limited(post("198.51.100.1"))
        clock.move_to(T0 + timedelta(seconds=61))
        assert not booking_rate_limited(post())


def test_one_address_gets_twenty_attempts_an_hour():
    with time_machine.travel(T0, tick=False) as clock:
        results = []
        for minute in range(5):
            clock.move_to(T0 + timedelta(minutes=2 * minute))
            results += attempts(5)
        assert results == [False] * 20 + [True] * 5


def test_rules_come_from_the_setting(settings):
    settings.BOOKING_RATE_LIMITS = "2/m/ip"
    assert attempts(3) == [False, False, True]


@pytest.mark.parametrize("value", ["off", "OFF", " off ", ""])
def test_off_disables_every_limit(settings, value):
    settings.BOOKING_RATE_LIMITS = value
    assert not any(attempts(50))
    assert all(bookings(50))


@pytest.mark.parametrize("value", ["5/x/ip", "five/m/ip", "5/m/user", "5/m/ip/extra"])
def test_a_malformed_setting_is_a_configuration_error(settings, value):
    settings.BOOKING_RATE_LIMITS = value
    with pytest.raises(ImproperlyConfigured):
        booking_rate_limited(post())
    with pytest.raises(ImproperlyConfigured):
        take_email_allowance(post(), email="ada@example.org")


def test_simultaneous_attempts_cannot_slip_past_the_limit():
    barrier = threading.Barrier(20, timeout=30)
    results: list[bool] = []

    def attempt(n: int) -> None:
        barrier.wait()
        results.append(booked("ada@example.org", f"198.51.100.{n}"))

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 3


def test_cache_keys_hold_no_email_address():
    booked("ada@example.org")
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
    assert bookings(4) == [True, True, True, False]
    assert attempts(6, ip="198.51.100.1") == [False] * 5 + [True]
