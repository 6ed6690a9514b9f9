"""TOTP codes for tests, from the secret the activation page shows (RFC 6238, SHA-1, 6 digits)."""

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value


def totp_code(secret: str, at: float | None = None) -> str:
    return format_hotp_value(hotp_value(secret, int((at or time.time()) // 30)))
