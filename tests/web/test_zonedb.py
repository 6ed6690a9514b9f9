"""Legacy zone names, as browsers and old systems report them, map to canonical zones."""

import pytest

from web.parsing import BadValue, parse_zone
from web.zonedb import canonical_zone_name, legacy_zones


@pytest.mark.parametrize(("legacy", "canonical"), [
    ("Asia/Calcutta", "Asia/Kolkata"), ("US/Eastern", "America/New_York"),
    ("US/Pacific", "America/Los_Angeles"), ("Europe/Kiev", "Europe/Kyiv"),
    ("Asia/Saigon", "Asia/Ho_Chi_Minh"), ("America/Buenos_Aires",
                                          "America/Argentina/Buenos_Aires"),
    ("GB", "Europe/London"), ("Etc/UTC", "UTC"), ("Zulu", "UTC"),
])
def test_legacy_names_parse_as_their_canonical_zone(legacy, canonical):
    assert canonical_zone_name(legacy) == canonical
    assert parse_zone(legacy).key == canonical


@pytest.mark.parametrize("zone", ["Europe/Paris", "UTC", "Europe/Bratislava",
                                  "America/Guadeloupe", "Asia/Kolkata"])
def test_a_countrys_own_zone_stays_itself(zone):
    """Bratislava is a link to Prague in the database, but Slovakia's zone: kept."""
    assert zone not in legacy_zones()
    assert parse_zone(zone).key == zone


def test_unknown_names_are_still_refused():
    with pytest.raises(BadValue):
        parse_zone("Mars/Olympus_Mons")
