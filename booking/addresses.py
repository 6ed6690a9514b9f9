"""Email addresses as mail headers carry them (IDNA domains), pure functions."""

from email.utils import formataddr

from django.utils.encoding import punycode


def ascii_email(email: str) -> str:
    """`email` with its domain IDNA-encoded: zoe@müller.de → zoe@xn--mller-kva.de.

    Headers are ASCII without SMTPUTF8, which not every server offers; the validators refuse a
    non-ASCII local part, so only the domain needs encoding. Raises UnicodeError if it cannot.
    """
    local, _, domain = email.rpartition("@")
    if not local or domain.isascii():
        return email
    return f"{local}@{punycode(domain)}"


def header_address(name: str, email: str) -> str:
    """A To/Reply-To value: the name (encoded by formataddr if need be) and the ASCII address."""
    return formataddr((name, ascii_email(email)))
