"""Checks every page of the site must pass: landmarks, labels, no inline code, no sign-up."""

import re
from datetime import datetime
from html.parser import HTMLParser

from tests.support.html import iso


def booking_form(at: datetime, /, **changes) -> dict:
    """What the booking form posts for the slot at `at`, with `changes` on top (any field,
    `start` included)."""
    data = {"start": iso(at), "tz": "America/New_York", "name": "Ada Lovelace",
            "email": "ada@example.org", "message": "Bonjour", "consent": "on", "website": ""}
    return data | changes


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.inline_scripts = 0
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "script":
            self._in_script = attrs

    def handle_endtag(self, tag) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data) -> None:
        script = self._in_script
        if (script is not None and "src" not in script and data.strip()
                and script.get("type") != "application/json"):
            self.inline_scripts += 1


def assert_site_page(html: str, language: str) -> None:
    """The page is in the site's look and reachable: lang, header and main, labelled fields,
    no inline script or style (the CSP would refuse them), and no way to sign up."""
    page = _Page()
    page.feed(html)
    tags = page.tags
    assert ("html", {"lang": language}) in [(t, {"lang": a.get("lang")}) for t, a in tags
                                           if t == "html"], "html lang"
    names = [tag for tag, _ in tags]
    assert "main" in names and "header" in names
    assert page.inline_scripts == 0
    assert "style" not in names and not any("style" in attrs for _, attrs in tags)
    assert not re.search(r"(href|action)=\"[^\"]*/signup", html), "a sign-up link"
    labels = {attrs.get("for") for tag, attrs in tags if tag == "label"}
    for tag, attrs in tags:
        if tag in {"input", "select", "textarea"} and attrs.get("type") not in {
                "hidden", "submit", "button"}:
            assert attrs.get("id") in labels or attrs.get("aria-label"), (tag, attrs)
