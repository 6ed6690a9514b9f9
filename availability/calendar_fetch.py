"""Download a coach's calendar URL without letting it reach inside our network (invariant 11).

The host is resolved here and every address it resolves to is checked; the connection then
goes to the checked address (the TLS certificate is still checked against the host name), so a
DNS answer that changes between the check and the connection cannot slip through. Redirects
are followed by hand and each target is checked again. Time and size are bounded: a connect
and read timeout, an overall deadline, and a cap on the bytes read.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

TIMEOUT = 10.0  # seconds, per connect and per read
DEADLINE = 30.0  # seconds for the whole download, so a trickling server cannot hold a worker
MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "Creneau/1.0 (busy-times import)"

BAD_URL = _("Enter an address starting with https://, http:// or webcal://.")
REFUSED_ADDRESS = _("This address points inside a private network and cannot be fetched.")
UNKNOWN_HOST = _("The server name could not be found.")
UNREACHABLE = _("The server could not be reached.")
TIMED_OUT = _("The server took too long to answer.")
TOO_BIG = _("The calendar is larger than 5 MB.")
TOO_MANY_REDIRECTS = _("The address redirects too many times.")
HTTP_ERROR = _("The server answered with an error (HTTP %(status)s).")
NOT_ICALENDAR = _("This address does not return an iCalendar (.ics) file.")

_LOOPBACK_V4 = ipaddress.ip_network("127.0.0.0/8")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class CalendarError(Exception):
    """A calendar that could not be downloaded or read; `message` is for the coach."""

    def __init__(self, message, code: str, params: dict | None = None) -> None:
        super().__init__(code)
        self.message = message
        self.code = code
        self.params = params or {}

    def text(self) -> str:
        """The message in the active language (render it under the coach's)."""
        return str(self.message) % self.params if self.params else str(self.message)


@dataclass(frozen=True)
class Fetched:
    """A download: the body, or `not_modified` when the server answered 304."""

    body: bytes
    etag: str
    last_modified: str
    not_modified: bool = False


def normalize_url(url: str) -> str:
    """The URL to download: webcal:// is https://; anything but http(s) is refused."""
    url = url.strip()
    if url[:9].lower() == "webcal://":
        url = "https://" + url[9:]
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise CalendarError(BAD_URL, "bad_url")
    try:
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        raise CalendarError(BAD_URL, "bad_url") from None
    return url


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    # An IPv6 form that the network turns into an IPv4 one is judged by that IPv4 address.
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refused(address: str, *, allow_loopback: bool) -> bool:
    """Whether a calendar fetch must not connect to this IP address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return address_refused(str(embedded), allow_loopback=allow_loopback)
    if allow_loopback and (ip in _LOOPBACK_V4 or ip == ipaddress.IPv6Address("::1")):
        return False
    # is_global alone misses some ranges on older Pythons; the explicit checks make it plain.
    return (not ip.is_global or ip.is_private or ip.is_loopback or ip.is_link_local
            or ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def resolve(host: str, port: int, *, allow_loopback: bool) -> str:
    """One address to connect to, after checking every address the host resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise CalendarError(UNKNOWN_HOST, "unknown_host") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise CalendarError(UNKNOWN_HOST, "unknown_host")
    # All or nothing: a name that resolves to one public and one private address is refused.
    if any(address_refused(a, allow_loopback=allow_loopback) for a in addresses):
        raise CalendarError(REFUSED_ADDRESS, "refused_address")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address checked beforehand, whatever DNS says now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _open(url: str, headers: dict[str, str], *, allow_loopback: bool,
          timeout: float) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    parts = urlsplit(url)
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)
    address = resolve(parts.hostname, port, allow_loopback=allow_loopback)
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address, timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    connection.request("GET", path, headers=headers)
    return connection, connection.getresponse()


def _read_capped(response: http.client.HTTPResponse, *, max_bytes: int,
                 deadline: float) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise CalendarError(TOO_BIG, "too_big")
    chunks, size = [], 0
    while chunk := response.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise CalendarError(TOO_BIG, "too_big")
        if time.monotonic() > deadline:
            raise CalendarError(TIMED_OUT, "timeout")
        chunks.append(chunk)
    return b"".join(chunks)


def looks_like_icalendar(body: bytes) -> bool:
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:15].upper() == b"BEGIN:VCALENDAR"


def _conditional_headers(etag: str, last_modified: str) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def fetch_calendar(url: str, *, etag: str = "", last_modified: str = "",
                   allow_loopback: bool | None = None, timeout: float | None = None,
                   max_bytes: int = MAX_BYTES) -> Fetched:
    """Download an iCalendar URL; raises CalendarError with a message for the coach.

    With `etag` / `last_modified` from the previous download, an unchanged calendar comes
    back as `Fetched(not_modified=True)` and costs the server a 304.
    """
    if allow_loopback is None:
        allow_loopback = settings.BUSY_CALENDARS_ALLOW_LOOPBACK
    timeout = TIMEOUT if timeout is None else timeout
    url = normalize_url(url)
    headers = _conditional_headers(etag, last_modified)
    deadline = time.monotonic() + DEADLINE
    try:
        for _redirect in range(MAX_REDIRECTS + 1):
            connection, response = _open(url, headers, allow_loopback=allow_loopback,
                                         timeout=timeout)
            try:
                if response.status in REDIRECTS and response.getheader("Location"):
                    url = normalize_url(urljoin(url, response.getheader("Location")))
                    continue
                return _result(response, max_bytes=max_bytes, deadline=deadline)
            finally:
                connection.close()
    except TimeoutError:
        raise CalendarError(TIMED_OUT, "timeout") from None
    except (OSError, http.client.HTTPException):
        raise CalendarError(UNREACHABLE, "unreachable") from None
    raise CalendarError(TOO_MANY_REDIRECTS, "too_many_redirects")


def _result(response: http.client.HTTPResponse, *, max_bytes: int, deadline: float) -> Fetched:
    etag = response.getheader("ETag", "")[:255]
    last_modified = response.getheader("Last-Modified", "")[:64]
    if response.status == 304:
        return Fetched(b"", etag, last_modified, not_modified=True)
    if response.status >= 300:
        raise CalendarError(HTTP_ERROR, "http_error", {"status": response.status})
    body = _read_capped(response, max_bytes=max_bytes, deadline=deadline)
    if not looks_like_icalendar(body):
        raise CalendarError(NOT_ICALENDAR, "not_icalendar")
    return Fetched(body, etag, last_modified)
