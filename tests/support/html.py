"""What tests read from rendered pages: slots, the shown zone, form values, French text."""

import re
from datetime import UTC, datetime

from django.utils import translation


def iso(instant: datetime) -> str:
    """An instant as pages write it in links and form values: UTC, to the second."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fr(message) -> str:
    """The French text of a source string or lazy message, as pages show it."""
    with translation.override("fr"):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def slot_times(html: str) -> list[tuple[str, str]]:
    """(UTC start, text shown) of every slot link of the picker, in page order."""
    return re.findall(r'data-start="([^"]+)"><time datetime="[^"]+">([^<]+)</time>', html)


def shown_zone(html: str) -> str:
    """The zone (IANA key) the picker's calendar shows times in."""
    return re.search(r'<div id="slots" class="slots" data-zone="([^"]+)"', html).group(1)


class Element:
    """One element of a parsed page: its tag, attributes, children and text."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Element | str] = []

    @property
    def text(self) -> str:
        """Its text, whitespace collapsed, as a reader hears it."""
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, *, cls: str | None = None) -> list["Element"]:
        return [e for e in self.iter() if (tag is None or e.tag == tag)
                and (cls is None or cls in e.classes)]

    def by_id(self, element_id: str) -> "Element | None":
        return next((e for e in self.iter() if e.attrs.get("id") == element_id), None)


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


def parse_html(html: str) -> Element:
    """The page as a tree of Elements (stdlib html.parser; unclosed tags close at their
    parent's end)."""
    from html.parser import HTMLParser

    root = Element("#document", {})
    stack = [root]

    class Builder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            element = Element(tag, dict(attrs))
            stack[-1].children.append(element)
            if tag not in _VOID:
                stack.append(element)

        def handle_startendtag(self, tag, attrs):
            stack[-1].children.append(Element(tag, dict(attrs)))

        def handle_endtag(self, tag):
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth].tag == tag:
                    del stack[depth:]
                    return

        def handle_data(self, data):
            stack[-1].children.append(data)

    builder = Builder(convert_charrefs=True)
    builder.feed(html)
    builder.close()
    return root
