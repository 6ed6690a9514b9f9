"""What every Créneau email shares: safe headers, who it is from, how it greets, its HTML.

The HTML is written with a stylesheet in `templates/email/base.html` and leaves here with
that CSS inlined on each element (mail clients drop or ignore `<style>` more often than not);
only the `@media` rules (dark mode, narrow screens) stay in a `<style>`, where the clients
that honour them find them.
"""

import re
from email.utils import parseaddr
from functools import cache

import css_inline
from django.conf import settings
from django.template.loader import render_to_string

from booking.addresses import header_address

# Validators refuse control characters in names upstream; headers are built from cleaned
# values anyway so that nothing typed into a form can start a new header line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
SUBJECT_MAX = 180


def _one_line(value: str) -> str:
    return " ".join(_CONTROL.sub(" ", value).split())


def header_safe(value: str) -> str:
    """One line of text for a header: control characters and runs of spaces become a space."""
    return _one_line(value)[:SUBJECT_MAX]


def mailbox(name: str, email: str) -> str:
    """A To/From/Reply-To value from a name and an address, both cleaned for a header."""
    return header_address(header_safe(name), _one_line(email).replace(" ", ""))


def sender(display_name: str) -> str:
    """DEFAULT_FROM_EMAIL's address under `display_name`: the coach's name on her emails.

    The address stays ours (the one our mail server may send from: SPF, DKIM); only the name
    a reader sees changes. Replies go to the Reply-To, which is the coach herself.
    """
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return mailbox(display_name, address or settings.DEFAULT_FROM_EMAIL)


def coach_email(coach) -> str:
    """Where the coach reads booking mail: her notification address if she set one."""
    return coach.notification_address


def addressing(booking, role: str) -> tuple[str, str, str]:
    """(From, To, Reply-To) of an email about `booking` to its invitee or its coach.

    To the invitee: from the coach by name (our address: only we may send from it), answered
    to her. To the coach: from Créneau, answered to the invitee.
    """
    coach = booking.coach
    invitee = mailbox(booking.invitee_name, booking.invitee_email)
    her = mailbox(coach.display_name, coach_email(coach))
    if role == "invitee":
        return sender(coach.display_name), invitee, her
    return settings.DEFAULT_FROM_EMAIL, her, invitee


# Not a first name: an address or a handle with digits.
_NOT_A_NAME = re.compile(r"[@\d]")
# A title first ("M. Dupont", "Dr Smith") leaves no first name to greet by.
_TITLES = frozenset({"m", "mme", "mlle", "mr", "mrs", "ms", "miss", "dr", "pr", "prof", "me"})


def greeting_name(full_name: str) -> str:
    """The first name to greet by ("Zoé" from "Zoé Martin"), or "" for a neutral greeting.

    One word is used as it is; a name with "@" or digits, one that starts with a title, or
    one without a letter gives "".
    """
    words = full_name.split()
    if not words or _NOT_A_NAME.search(full_name):
        return ""
    first = words[0].strip(",;:")
    if first.rstrip(".").lower() in _TITLES or not any(char.isalpha() for char in first):
        return ""
    return first


@cache
def _inliner() -> css_inline.CSSInliner:
    # Built once per process; links in an email are never fetched (no remote stylesheet).
    return css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")


def plain_text(text: str) -> str:
    """A rendered text template tidied: at most one blank line in a row, one final newline."""
    return _BLANK_LINES.sub("\n\n", text).strip("\n") + "\n"


def render_html(template: str, context: dict) -> str:
    """The template rendered, its stylesheet inlined as `style` attributes."""
    return _inliner().inline(render_to_string(template, context))
