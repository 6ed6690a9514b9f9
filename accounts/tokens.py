"""Unguessable link tokens: a public selector to find the row, a secret compared in constant time.

A token is `<selector><secret>`: 12 url-safe characters (72 bits) found by index, then 22
characters (128 bits from `secrets`) compared with `hmac.compare_digest`, so response time says
nothing about how much of a guess was right.
"""

import hmac
import secrets

SELECTOR_LENGTH = 12
SECRET_LENGTH = 22


def new_selector() -> str:
    return secrets.token_urlsafe(9)  # 9 bytes -> 12 characters


def new_secret() -> str:
    return secrets.token_urlsafe(16)  # 16 bytes -> 22 characters, 128 bits


def split(token: str) -> tuple[str, str] | None:
    """The (selector, secret) of a well-formed token, or None."""
    if len(token) != SELECTOR_LENGTH + SECRET_LENGTH or not token.isascii():
        return None
    return token[:SELECTOR_LENGTH], token[SELECTOR_LENGTH:]


def secrets_match(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())
