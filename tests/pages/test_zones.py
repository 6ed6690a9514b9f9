"""The picker's zone list: the visitor's zone first, common zones, every zone; readable city
names in the page's language, UTC offsets and the time now; legacy names canonical."""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from pages.zones import COMMON_ZONES, city_name, listed_zones, zone_caption, zone_options
from tests.support.html import fr

NOW = datetime(2027, 3, 1, 13, 30, tzinfo=UTC)  # 14:30 in Paris, 19:00 in Kolkata
PICKER = "/demo/discovery/"
OPTION = re.compile(r'<option value="([^"]+)" data-search="([^"]*)"( selected)?>([^<]+)</option>')


def options(html: str) -> list[tuple[str, str, bool, str]]:
    return [(value, search, bool(selected), text)
            for value, search, selected, text in OPTION.findall(html)]


def test_the_zone_shown_comes_first_then_common_zones_then_every_zone():
    with translation.override("fr"):
        found = options(zone_options("Asia/Kolkata", NOW))
    assert found[0] == ("Asia/Kolkata", found[0][1], True, "Kolkata · UTC+05:30 · 19:00")
    values = [value for value, *_ in found]
    assert values[1:len(COMMON_ZONES)] == [z for z in COMMON_ZONES if z != "Asia/Kolkata"]
    assert len(values) == len(set(values)) == len(listed_zones()) > 300
    assert [selected for _, _, selected, _ in found].count(True) == 1


def test_names_are_cities_in_the_pages_language_with_offset_and_local_time():
    with translation.override("fr"):
        shown = {value: text for value, _, _, text in options(zone_options("Europe/Paris", NOW))}
    assert shown["Europe/London"] == "Londres · UTC+00:00 · 13:30"
    assert shown["America/New_York"] == "New York · UTC−05:00 · 08:30"
    assert shown["America/Argentina/Buenos_Aires"].startswith("Buenos Aires · UTC−03:00")
    assert shown["Australia/Sydney"] == "Sydney · UTC+11:00 · 00:30"
    with translation.override("en"):
        english = {value: text for value, _, _, text in
                   options(zone_options("Europe/Paris", NOW))}
    assert english["Europe/London"] == "London · UTC+00:00 · 1:30 PM"
    assert english["Asia/Kolkata"] == "Kolkata · UTC+05:30 · 7:00 PM"


def test_the_filter_finds_a_city_by_either_language_or_identifier_without_accents():
    with translation.override("en"):
        search = {value: words for value, words, _, _ in
                  options(zone_options("Europe/Paris", NOW))}
    assert "londres" in search["Europe/London"] and "london" in search["Europe/London"]
    assert "reunion" in search["Indian/Reunion"]
    assert {"new", "york", "america/new"} <= set(search["America/New_York"].split())


def test_legacy_names_are_not_listed():
    listed = set(listed_zones())
    assert {"Asia/Kolkata", "America/New_York", "Europe/Kyiv", "UTC"} <= listed
    assert not {"Asia/Calcutta", "US/Eastern", "Europe/Kiev", "Etc/UTC", "GB"} & listed


def test_the_caption_names_the_offsets_of_the_days_shown():
    paris = ZoneInfo("Europe/Paris")
    assert str(zone_caption(paris, date(2027, 3, 1), date(2027, 3, 7))) == "Paris (UTC+01:00)"
    # The week of the change to summer time shows both offsets.
    assert zone_caption(paris, date(2027, 3, 22), date(2027, 3, 28)).offsets == \
        "UTC+01:00 / UTC+02:00"
    with translation.override("fr"):
        assert city_name("Europe/London") == "Londres"


@pytest.mark.django_db
def test_a_legacy_zone_from_the_browser_shows_its_canonical_zone(client, session_type):
    with time_machine.travel(NOW, tick=False):
        html = client.get(PICKER, {"tz": "Asia/Calcutta"}).text
    assert 'data-zone="Asia/Kolkata"' in html
    assert options(html)[0][0] == "Asia/Kolkata" and options(html)[0][2]
    caption = fr('Times shown in the time zone: <strong class="zone-name">%(city)s</strong> '
                 '(%(offsets)s)')
    assert caption % {"city": "Kolkata", "offsets": "UTC+05:30"} in html
    assert client.cookies["tz"].value == "Asia/Kolkata"


@pytest.mark.django_db
def test_the_zone_select_and_its_button_work_without_javascript(client, session_type):
    html = client.get(PICKER, {"tz": "Europe/Paris"}).text
    form = re.search(r'<form id="tz-form".*?</form>', html, re.S).group(0)
    assert 'method="get"' in form and '<select id="tz-select" name="tz"' in form
    assert '<button type="submit"' in form
    # The search field is for scripts only: hidden until site.js shows it.
    assert re.search(r'<div class="tz-form__filter" data-tz-filter hidden>', form)
