"""Read sent mail the way a mail client does: from its wire bytes, part by part."""

import email
from email import policy
from email.message import EmailMessage

from django.core import mail


def parse(message) -> EmailMessage:
    """A Django EmailMessage read back from the bytes it would put on the wire."""
    return email.message_from_bytes(message.message().as_bytes(), policy=policy.default)


def subject(parsed: EmailMessage) -> str:
    # Python folds a long encoded subject onto a continuation line; readers unfold it.
    return " ".join(str(parsed["Subject"]).split())


def parts(parsed: EmailMessage) -> dict[str, EmailMessage]:
    """Every part by content type: text/plain, text/html, text/calendar, application/ics…"""
    return {part.get_content_type(): part for part in parsed.walk()}


def invite(message) -> tuple[str, bytes]:
    """(METHOD, invite.ics bytes) of a sent message, read back from its wire form."""
    parsed = parse(message)
    attachment = next(p for p in parsed.walk() if p.get_filename() == "invite.ics")
    calendar_part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    return calendar_part.get_param("method"), attachment.get_payload(decode=True)


def recipients() -> list[str]:
    """The first recipient of every message in the outbox, sorted."""
    return sorted(m.to[0] for m in mail.outbox)
