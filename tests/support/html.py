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
