"""The picker's time-zone list: the visitor's zone first, then common zones, then every zone,
each named by its city in the page's language, with its UTC offset and its time now.

The list of zones and their names is static, so it is built once per process and language;
offsets and clocks depend on the instant, so they are computed per minute, once per distinct
offset (a few dozen), and the rendered <option>s are cached for that minute.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _

from booking.clock import clock_time
from web.parsing import known_zones
from web.zonedb import country_zones, legacy_zones

COMMON_ZONES = (
    "Europe/Paris", "Europe/Brussels", "Europe/Zurich", "Europe/Luxembourg", "Europe/London",
    "Europe/Berlin", "Europe/Madrid", "Europe/Lisbon", "Europe/Rome", "Africa/Casablanca",
    "Africa/Algiers", "Africa/Tunis", "Africa/Dakar", "Africa/Abidjan", "America/Toronto",
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Mexico_City", "America/Sao_Paulo", "America/Martinique", "America/Guadeloupe",
    "America/Cayenne", "Indian/Reunion", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore",
    "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "Pacific/Noumea", "Pacific/Tahiti",
    "UTC",
)
# Cities whose name differs from their identifier's last part, in one language or another.
CITY_NAMES = {
    "Europe/London": pgettext_lazy("city", "London"),
    "Europe/Brussels": pgettext_lazy("city", "Brussels"),
    "Europe/Lisbon": pgettext_lazy("city", "Lisbon"),
    "Europe/Vienna": pgettext_lazy("city", "Vienna"),
    "Europe/Warsaw": pgettext_lazy("city", "Warsaw"),
    "Europe/Athens": pgettext_lazy("city", "Athens"),
    "Europe/Moscow": pgettext_lazy("city", "Moscow"),
    "Europe/Copenhagen": pgettext_lazy("city", "Copenhagen"),
    "Europe/Bucharest": pgettext_lazy("city", "Bucharest"),
    "Africa/Algiers": pgettext_lazy("city", "Algiers"),
    "Africa/Cairo": pgettext_lazy("city", "Cairo"),
    "America/Mexico_City": pgettext_lazy("city", "Mexico City"),
    "America/Sao_Paulo": pgettext_lazy("city", "São Paulo"),
    "America/Guadeloupe": pgettext_lazy("city", "Guadeloupe"),
    "America/Martinique": pgettext_lazy("city", "Martinique"),
    "Indian/Reunion": pgettext_lazy("city", "Réunion"),
    "Asia/Singapore": pgettext_lazy("city", "Singapore"),
    "Asia/Dubai": pgettext_lazy("city", "Dubai"),
    "Asia/Beirut": pgettext_lazy("city", "Beirut"),
    "Asia/Ho_Chi_Minh": pgettext_lazy("city", "Ho Chi Minh City"),
    "Pacific/Noumea": pgettext_lazy("city", "Nouméa"),
    "UTC": pgettext_lazy("city", "Coordinated Universal Time (UTC)"),
}


def city_name(key: str) -> str:
    """A readable name for a zone: its city in the page's language, else its last part."""
    if key in CITY_NAMES:
        return str(CITY_NAMES[key])
    return key.rsplit("/", 1)[-1].replace("_", " ")


def utc_offset(offset: timedelta | None) -> str:
    """UTC+01:00, UTC−03:30 (a real minus sign, as screen readers and typography want)."""
    minutes = int((offset or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _folded(text: str) -> str:
    """Lower case without accents, so that "reu" finds Réunion and "sao" São Paulo."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def listed_zones() -> tuple[str, ...]:
    """Every zone the list offers: the zones of countries, plus UTC; legacy names left out."""
    names = country_zones() & known_zones()
    if not names:  # no zone.tab: every region name that is not a legacy link
        names = {n for n in known_zones() if "/" in n and n not in legacy_zones()
                 and not n.startswith(("Etc/", "posix/", "right/", "SystemV/"))}
    return (*sorted(names), "UTC")


@dataclass(frozen=True, slots=True)
class Named:
    key: str
    city: str
    search: str  # what the filter matches: the names in both languages and the identifier


@cache
def _named(language: str) -> tuple[dict[str, Named], tuple[str, ...]]:
    """Names of every listed zone in `language` (the active one), and the zones by name."""
    named = {}
    for key in listed_zones():
        names = [city_name(key)]
        for other in ("fr", "en"):
            with translation.override(other):
                names.append(city_name(key))
        words = " ".join([*names, key.replace("_", " ")]).split()
        named[key] = Named(key, names[0], _folded(" ".join(dict.fromkeys(words))))
    by_name = tuple(sorted(named, key=lambda key: (named[key].search, key)))
    return named, by_name


@dataclass(frozen=True, slots=True)
class ZoneCaption:
    """How a page names the zone it shows times in: "Paris (UTC+01:00)"."""

    key: str
    city: str
    offsets: str  # "UTC+01:00", or "UTC+01:00 / UTC+02:00" when the dates shown cross a change

    def __str__(self) -> str:
        return f"{self.city} ({self.offsets})"


def zone_caption(zone: ZoneInfo, first: date, last: date) -> ZoneCaption:
    """The zone's name and its offset over the days shown (noon of the first and last)."""
    offsets = []
    for day in (first, last):
        label = utc_offset(datetime.combine(day, time(12), tzinfo=zone).utcoffset())
        if label not in offsets:
            offsets.append(label)
    return ZoneCaption(key=zone.key, city=city_name(zone.key), offsets=" / ".join(offsets))


def _option_rows(keys, named: dict[str, Named], now: datetime, selected: str | None):
    clocks: dict[timedelta | None, tuple[str, str]] = {}
    for key in keys:
        local = now.astimezone(ZoneInfo(key))
        offset = local.utcoffset()
        if offset not in clocks:
            clocks[offset] = (utc_offset(offset), clock_time(local))
        shown, clock = clocks[offset]
        item = named[key]
        yield (key, item.search, " selected" if key == selected else "",
               f"{item.city} · {shown} · {clock}")


def _options(keys, named, now: datetime, selected: str | None = None) -> str:
    return format_html_join(
        "", '<option value="{}" data-search="{}"{}>{}</option>',
        _option_rows(keys, named, now, selected))


@lru_cache(maxsize=64)
def _zone_options(language: str, selected: str, minute: datetime) -> str:
    named, by_name = _named(language)
    if selected not in named:  # a valid zone the list does not offer: still shown first
        named = {**named, selected: Named(selected, city_name(selected), _folded(selected))}
    common = [key for key in COMMON_ZONES if key != selected and key in named]
    others = [key for key in by_name if key != selected and key not in COMMON_ZONES]
    return mark_safe(  # noqa: S308 - every piece is built by format_html
        _options([selected], named, minute, selected)
        + format_html('<optgroup label="{}">', _("Common time zones"))
        + _options(common, named, minute)
        + format_html('</optgroup><optgroup label="{}">', _("All time zones, A to Z"))
        + _options(others, named, minute) + "</optgroup>")


def zone_options(selected: str, now: datetime | None = None) -> str:
    """The <option>s of the picker's zone select, `selected` first and selected."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    return _zone_options(get_language() or "", selected, now)
