"""Proxy headers are believed only from the proxies we run (`TRUSTED_PROXY_COUNT`).

A client can send X-Forwarded-For and X-Forwarded-Proto itself. With no trusted proxy both
are dropped before anything reads them; with N proxies, X-Forwarded-For must hold at least N
well-formed addresses (each proxy appends the address it saw), and the one the outermost
proxy of ours appended is the client's. A header that does not fit is dropped, so rate limits
fall back to the connection's address instead of failing (allauth raises ImproperlyConfigured,
a 500, on too few entries).
"""

import ipaddress
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)
XFF = "HTTP_X_FORWARDED_FOR"
XFP = "HTTP_X_FORWARDED_PROTO"
MAX_ENTRIES = 20


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_entries(header: str, proxies: int) -> list[str] | None:
    """The X-Forwarded-For entries if the header fits `proxies` trusted proxies, else None."""
    entries = [entry.strip() for entry in header.split(",")]
    if not proxies or not MAX_ENTRIES >= len(entries) >= proxies:
        return None
    if not all(_is_ip(entry) for entry in entries[-proxies:]):
        return None
    return entries


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        proxies = settings.TRUSTED_PROXY_COUNT
        if not proxies:
            request.META.pop(XFP, None)
        header = request.META.get(XFF)
        if header is not None and client_entries(header, proxies) is None:
            if proxies:
                logger.warning("Dropped an X-Forwarded-For that does not fit %d proxies",
                               proxies)
            del request.META[XFF]
        return self.get_response(request)
