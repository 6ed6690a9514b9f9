"""Unguessable link tokens: a public selector to find the row, a secret compared in constant time.

A token is `<selector><secret>`: 12 url-safe characters (72 bits) found by index, then 22
characters (128 bits from `secrets`) compared with `hmac.compare_digest`, so response time says
nothing about how much of a guess was right.
"""

import hmac
import re
import secrets

SELECTOR_LENGTH = 12
SECRET_LENGTH = 22
# What secrets.token_urlsafe produces; anything else (NUL bytes, non-ASCII…) never reaches SQL.
_TOKEN = re.compile(rf"[A-Za-z0-9_-]{{{SELECTOR_LENGTH + SECRET_LENGTH}}}")


def new_selector() -> str:
    return secrets.token_urlsafe(9)  # 9 bytes -> 12 characters


def new_secret() -> str:
    return secrets.token_urlsafe(16)  # 16 bytes -> 22 characters, 128 bits


def split(token: str) -> tuple[str, str] | None:
    """The (selector, secret) of a well-formed token, or None."""
    if not _TOKEN.fullmatch(token):
        return None
    return token[:SELECTOR_LENGTH], token[SELECTOR_LENGTH:]


def secrets_match(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())
