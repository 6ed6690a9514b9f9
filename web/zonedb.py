"""What the zone database says about names: which are legacy links, and to what.

Browsers and older systems still report legacy names (Chromium's `Asia/Calcutta`, `US/Eastern`,
`Europe/Kiev`); the database keeps them as links to canonical zones. A link is legacy when no
country lists it in zone.tab: `Europe/Bratislava` is a link to `Europe/Prague` but Slovakia's
own zone, so it stays. The UTC aliases all become `UTC`.
"""

import zoneinfo
from functools import cache
from importlib import resources
from pathlib import Path

# Known before reading the database, and kept if it cannot be read.
LEGACY_ZONES = {"Asia/Calcutta": "Asia/Kolkata", "Asia/Saigon": "Asia/Ho_Chi_Minh",
                "Asia/Katmandu": "Asia/Kathmandu", "Asia/Rangoon": "Asia/Yangon",
                "Europe/Kiev": "Europe/Kyiv", "America/Buenos_Aires":
                "America/Argentina/Buenos_Aires", "Pacific/Truk": "Pacific/Chuuk",
                "Atlantic/Faeroe": "Atlantic/Faroe", "America/Godthab": "America/Nuuk",
                "US/Eastern": "America/New_York", "US/Central": "America/Chicago",
                "US/Mountain": "America/Denver", "US/Pacific": "America/Los_Angeles",
                "America/Montreal": "America/Toronto", "Etc/UTC": "UTC", "Etc/GMT": "UTC",
                "GMT": "UTC", "Universal": "UTC", "Zulu": "UTC", "Etc/Universal": "UTC"}
UTC_ALIASES = {"Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu",
               "Etc/GMT", "GMT", "Etc/GMT0", "GMT0", "Etc/GMT+0", "GMT+0", "Etc/GMT-0", "GMT-0",
               "Etc/Greenwich", "Greenwich"}


def _database_file(name: str) -> str | None:
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None


@cache
def country_zones() -> frozenset[str]:
    """The zones zone.tab lists for a country: today's zones people live in."""
    text = _database_file("zone.tab") or ""
    return frozenset(line.split("\t")[2] for line in text.splitlines()
                     if line and not line.startswith("#") and line.count("\t") >= 2)


@cache
def legacy_zones() -> dict[str, str]:
    """Legacy name → canonical name, from the database's links plus LEGACY_ZONES."""
    links = dict(LEGACY_ZONES)
    countries = country_zones()
    for line in (_database_file("tzdata.zi") or "").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L" and parts[2] not in countries:
            links[parts[2]] = parts[1]
    links.update(dict.fromkeys(UTC_ALIASES, "UTC"))
    links.pop("UTC", None)
    return links


def canonical_zone_name(value: str) -> str:
    return legacy_zones().get(value, value)
