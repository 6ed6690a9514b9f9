"""One clock format per language for the invitee: French 14:30, English 2:30 PM."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from booking.clock import clock_format, clock_time

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(("language", "value", "shown"), [
    ("fr", time(14, 30), "14:30"),
    ("fr", time(9, 0), "09:00"),
    ("en", time(14, 30), "2:30 PM"),
    ("en", time(9, 0), "9:00 AM"),
    ("en", time(0, 5), "12:05 AM"),
    ("en-us", time(12, 0), "12:00 PM"),
])
def test_each_language_has_one_clock_format(language, value, shown):
    with translation.override(language):
        assert clock_time(value) == shown


def test_an_unknown_language_writes_24_hours():
    assert clock_format("de") == "H:i"


def test_the_clock_filter_shows_the_zone_of_the_surrounding_timezone_tag():
    template = Template("{% load tz clock %}{% timezone zone %}{{ start|clock }}{% endtimezone %}")
    start = datetime(2027, 3, 3, 13, 30, tzinfo=UTC)
    with translation.override("en"):
        assert template.render(Context({"start": start, "zone": PARIS})) == "2:30 PM"
    with translation.override("fr"):
        assert template.render(Context({"start": start, "zone": PARIS})) == "14:30"
