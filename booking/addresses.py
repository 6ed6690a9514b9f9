"""Email addresses as mail headers carry them (IDNA domains) and as one mailbox is known."""

import unicodedata
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


# Gmail ignores dots in the local part and answers for both of these domains.
_GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def canonical_email(email: str) -> str:
    """One form per mailbox, for the per-person policy: not an address to send to.

    Lower-case and NFKC; the domain IDNA-encoded, so its Unicode and punycode spellings agree;
    a `+tag` suffix dropped (most providers deliver it to the same mailbox); for Gmail, dots
    dropped and googlemail.com read as gmail.com. Falls back to the folded text when the
    domain cannot be encoded (the validators refuse such addresses anyway).
    """
    folded = unicodedata.normalize("NFKC", email.strip()).lower()
    local, _, domain = folded.rpartition("@")
    if not local:
        return folded
    try:
        domain = punycode(domain).lower() if not domain.isascii() else domain
    except (UnicodeError, ValueError):
        return folded
    local = local.split("+", 1)[0] or local
    if domain in _GMAIL_DOMAINS:
        domain, local = "gmail.com", local.replace(".", "")
    return f"{local}@{domain}"
