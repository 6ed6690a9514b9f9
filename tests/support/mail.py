"""Read sent mail the way a mail client does: from its wire bytes, part by part."""

import email
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser

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


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def html_elements(html: str) -> tuple[list[tuple[str, dict[str, str]]], str]:
    """Every (tag, attributes) of an HTML part in order, and the text of its <style> tags."""
    parser = _Elements()
    parser.feed(html)
    return parser.elements, "".join(parser.styles)


def html_links(html: str) -> dict[str, str]:
    """{link text: href} of every <a> of an HTML part (text trimmed)."""
    found, current = {}, []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "a":
                current.append(dict(attrs).get("href") or "")
                current.append("")

        def handle_data(self, data):
            if len(current) == 2:
                current[1] += data

        def handle_endtag(self, tag):
            if tag == "a" and len(current) == 2:
                href, text = current
                found[" ".join(text.split())] = href
                current.clear()

    Links(convert_charrefs=True).feed(html)
    return found


def body_parts(message) -> tuple[str, str]:
    """(text/plain, text/html) contents of a sent message, read back from its wire form."""
    by_type = parts(parse(message))
    return by_type["text/plain"].get_content(), by_type["text/html"].get_content()
