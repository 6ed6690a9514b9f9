"""Zones and daylight-saving changes the availability tests sweep over (2027–2028)."""

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

# Half-hour and 45-minute offsets, both hemispheres, Santiago's midnight changes and Lord
# Howe's half-hour change; the last three have no daylight saving at all.
DST_ZONES = [
    "Europe/Paris", "America/New_York", "Australia/Adelaide", "America/St_Johns",
    "Australia/Sydney", "America/Santiago", "Pacific/Auckland", "Australia/Lord_Howe",
]
FIXED_ZONES = ["UTC", "Asia/Kolkata", "Asia/Kathmandu"]
ZONES = DST_ZONES + FIXED_ZONES
SPAN_START = datetime(2027, 1, 1, tzinfo=UTC)
SPAN_END = datetime(2029, 1, 1, tzinfo=UTC)


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    return instant.astimezone(zone).utcoffset()


@cache
def transitions(zone_name: str) -> tuple[datetime, ...]:
    """Every instant in 2027–2028 where the zone's UTC offset changes, to the minute."""
    zone = ZoneInfo(zone_name)
    found = []
    day = SPAN_START
    while day < SPAN_END:
        after = day + timedelta(days=1)
        if _offset(zone, day) != _offset(zone, after):
            low, high = day, after  # offset(low) is the old one, offset(high) the new one
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if _offset(zone, middle) == _offset(zone, low):
                    low = middle
                else:
                    high = middle
            found.append(high.replace(second=0, microsecond=0))
        day = after
    return tuple(found)


def scenarios() -> list[tuple[str, datetime]]:
    """(zone, pivot instant): every change of every DST zone, and two dates per fixed zone."""
    pivots = [(name, change) for name in DST_ZONES for change in transitions(name)]
    fixed = [datetime(2027, 3, 28, 1, tzinfo=UTC), datetime(2028, 10, 29, 1, tzinfo=UTC)]
    return pivots + [(name, pivot) for name in FIXED_ZONES for pivot in fixed]


def scenario_id(scenario: tuple[str, datetime]) -> str:
    return f"{scenario[0]}@{scenario[1]:%Y-%m-%dT%H:%M}"
