"""Downloading a calendar URL: conditional GETs, limits, and the SSRF guard (invariant 11)."""

import socket
import threading

import pytest

from availability import calendar_fetch
from availability.calendar_fetch import (
    CalendarError,
    address_refused,
    fetch_calendar,
    normalize_url,
)
from tests.availability.calendar_server import CalendarServer

ICS = "weekly_series.ics"


@pytest.fixture
def server():
    with CalendarServer() as running:
        yield running


@pytest.fixture
def no_connection(monkeypatch):
    """Fails the test if anything tries to open a connection."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a connection was attempted: {args}")
    monkeypatch.setattr(socket, "create_connection", refuse)


def code_of(url: str, **kwargs) -> str:
    with pytest.raises(CalendarError) as caught:
        fetch_calendar(url, **kwargs)
    return caught.value.code


def test_calendar_is_downloaded_with_its_validators(server):
    url = server.serve("/c.ics", ICS, etag='"v1"', headers={"Last-Modified": "Mon, 01 Mar 2027"})
    fetched = fetch_calendar(url, allow_loopback=True)
    assert fetched.body.startswith(b"BEGIN:VCALENDAR")
    assert (fetched.etag, fetched.last_modified) == ('"v1"', "Mon, 01 Mar 2027")
    assert not fetched.not_modified


def test_unchanged_calendar_costs_a_304(server):
    url = server.serve("/c.ics", ICS, etag='"v1"')
    fetched = fetch_calendar(url, etag='"v1"', last_modified="Mon, 01 Mar 2027",
                             allow_loopback=True)
    assert fetched.not_modified and fetched.body == b""
    headers = server.requests[-1][1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Mon, 01 Mar 2027"


def test_http_errors_name_the_status(server):
    url = server.url("/missing.ics")
    with pytest.raises(CalendarError) as caught:
        fetch_calendar(url, allow_loopback=True)
    assert caught.value.code == "http_error"
    assert "404" in caught.value.text()


def test_a_server_that_does_not_answer_times_out(server):
    url = server.serve("/slow.ics", ICS, stall=threading.Event())
    assert code_of(url, allow_loopback=True, timeout=0.2) == "timeout"


@pytest.mark.parametrize("length", [True, False])
def test_a_calendar_over_the_cap_is_refused_while_streaming(server, length):
    body = b"BEGIN:VCALENDAR\r\n" + b"X" * (64 * 1024 * 3)
    url = server.serve("/big.ics", body, length=length)
    assert code_of(url, allow_loopback=True, max_bytes=100 * 1024) == "too_big"


def test_the_default_cap_is_five_mebibytes(server):
    url = server.serve("/big.ics", b"BEGIN:VCALENDAR\r\n" + b"X" * (5 * 1024 * 1024), length=False)
    assert code_of(url, allow_loopback=True) == "too_big"


def test_a_page_that_is_not_icalendar_is_refused(server):
    url = server.serve("/page", b"<!doctype html><p>Sign in</p>",
                       headers={"Content-Type": "text/html"})
    assert code_of(url, allow_loopback=True) == "not_icalendar"


def test_webcal_is_read_as_https_and_other_schemes_are_refused():
    assert normalize_url(" webcal://example.org/a.ics ") == "https://example.org/a.ics"
    for url in ["ftp://example.org/a.ics", "file:///etc/passwd", "example.org/a.ics",
                "http://", "gopher://127.0.0.1:70/"]:
        assert code_of(url) == "bad_url"


@pytest.mark.parametrize("url", [
    "http://10.0.0.1/a.ics",
    "http://192.168.1.1/a.ics",
    "http://172.16.5.4/a.ics",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/a.ics",
    "http://0.0.0.0/a.ics",
    "http://224.0.0.1/a.ics",
    "http://240.0.0.1/a.ics",
    "http://[fd00::1]/a.ics",
    "http://[fe80::1]/a.ics",
    "http://[::ffff:10.0.0.1]/a.ics",
    "http://[::ffff:169.254.169.254]/a.ics",
    "http://[64:ff9b::a9fe:a9fe]/a.ics",
    "http://[::]/a.ics",
])
def test_private_link_local_and_metadata_addresses_are_refused(url, settings, no_connection):
    settings.BUSY_CALENDARS_ALLOW_LOOPBACK = True  # loopback allowed changes nothing here
    assert code_of(url) == "refused_address"


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "127.1.2.3", "[::ffff:127.0.0.1]"])
def test_loopback_is_refused_without_the_setting(host, settings, no_connection):
    settings.BUSY_CALENDARS_ALLOW_LOOPBACK = False
    assert code_of(f"http://{host}:8000/a.ics") == "refused_address"


def test_public_addresses_pass_the_check():
    for address in ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "8.8.8.8"]:
        assert not address_refused(address, allow_loopback=False)
    assert not address_refused("127.0.0.1", allow_loopback=True)
    assert not address_refused("::1", allow_loopback=True)
    assert address_refused("10.0.0.1", allow_loopback=True)


def test_a_redirect_to_a_refused_address_is_refused(server, settings):
    settings.BUSY_CALENDARS_ALLOW_LOOPBACK = True
    url = server.serve("/moved.ics", b"", status=302,
                       headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    assert code_of(url) == "refused_address"
    assert server.count("/moved.ics") == 1


def test_redirects_are_followed_and_limited(server, settings):
    settings.BUSY_CALENDARS_ALLOW_LOOPBACK = True
    server.serve("/final.ics", ICS)
    url = server.serve("/start.ics", b"", status=301, headers={"Location": "/final.ics"})
    assert fetch_calendar(url).body.startswith(b"BEGIN:VCALENDAR")
    loop = server.serve("/loop.ics", b"", status=302, headers={"Location": "/loop.ics"})
    assert code_of(loop) == "too_many_redirects"
    assert server.count("/loop.ics") == calendar_fetch.MAX_REDIRECTS + 1


def fake_dns(monkeypatch, answers: dict[str, list[str]]) -> list[str]:
    """Resolves these names to the listed addresses in turn; other names as usual."""
    real = socket.getaddrinfo
    asked = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            asked.append(host)
            address = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
            return real(address, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch, no_connection):
    asked = fake_dns(monkeypatch, {"calendar.example.com": ["10.1.2.3"]})
    assert code_of("https://calendar.example.com/a.ics") == "refused_address"
    assert asked == ["calendar.example.com"]


def test_the_connection_goes_to_the_checked_address_not_a_second_answer(server, settings,
                                                                       monkeypatch):
    settings.BUSY_CALENDARS_ALLOW_LOOPBACK = True
    server.serve("/c.ics", ICS)
    # First answer passes the check; any later lookup would say a private address.
    asked = fake_dns(monkeypatch, {"rebind.example.com": ["127.0.0.1", "10.9.9.9"]})
    fetched = fetch_calendar(server.url("/c.ics", host="rebind.example.com"))
    assert fetched.body.startswith(b"BEGIN:VCALENDAR")
    assert asked == ["rebind.example.com"]
    assert server.requests[-1][1]["Host"] == f"rebind.example.com:{server.port}"


def test_an_unknown_host_is_reported(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror("no such name")
    monkeypatch.setattr(socket, "getaddrinfo", fail)
    assert code_of("https://nowhere.invalid/a.ics") == "unknown_host"
