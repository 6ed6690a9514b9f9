"""The shape of API keys: `crn_` + a 12-character prefix (found by index) + a 43-character
secret (256 bits from `secrets`). The database keeps the prefix and the SHA-256 of the whole
key: a key carries enough entropy that a plain hash cannot be brute-forced, and a leaked
table opens nothing.
"""

import hashlib
import hmac
import re
import secrets

MARK = "crn_"
PREFIX_LENGTH = 12
SECRET_LENGTH = 43
_KEY = re.compile(rf"{MARK}[A-Za-z0-9_-]{{{PREFIX_LENGTH + SECRET_LENGTH}}}")


def new_key() -> tuple[str, str]:
    """A fresh (prefix, plaintext key)."""
    prefix = secrets.token_urlsafe(9)  # 9 bytes -> 12 characters
    return prefix, MARK + prefix + secrets.token_urlsafe(32)  # 32 bytes -> 43 characters


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def prefix_of(key: object) -> str | None:
    """The prefix of a well-formed key, or None (nothing else reaches a query)."""
    if not isinstance(key, str) or _KEY.fullmatch(key) is None:
        return None
    return key[len(MARK):len(MARK) + PREFIX_LENGTH]


def matches(key: str, expected_digest: str) -> bool:
    return hmac.compare_digest(digest(key), expected_digest)
