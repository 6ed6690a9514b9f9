"""UTC instants in hand-written SQL, for the few fixed queries of the slot path.

A month of slots reads the coach's type and availability, her bookings' blocked ranges and her
imported busy times. Through the ORM those reads cost more than the slot engine itself: each
query is compiled again per request (~0.3 ms) and every datetime goes through Django's
converters (~9 µs a row on SQLite; bench/profile_slots.py). Their SQL never changes, so it is
written once (`availability.selectors.slot_subject`, `busy_intervals`,
`booking.selectors.blocked_ranges`) and its instants come back through the two functions below.

The database holds UTC already. SQLite keeps text (`2026-03-29 07:30:00[.ffffff]`), read as
text with "+00:00" appended, which `datetime.fromisoformat` turns into an aware UTC datetime
in C, skipping the driver's parser and Django's converter; PostgreSQL gives exact integer
microseconds since the Unix epoch, which load several times faster than a parsed timestamptz.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def instant(column: str) -> str:
    """The SQL expression that selects `column` (a datetime) for `to_instant`."""
    if connection.vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"
    return f"(CAST({column} AS TEXT) || '+00:00')"


def to_instant(value: int | str) -> datetime:
    """An aware UTC datetime from what `instant` selected."""
    if isinstance(value, int):
        return _EPOCH + timedelta(microseconds=value)
    return datetime.fromisoformat(value)  # "…+00:00" parses to tzinfo=UTC itself


def to_duration(value: int | timedelta) -> timedelta:
    """A DurationField's value: an interval on PostgreSQL, microseconds on SQLite."""
    return value if isinstance(value, timedelta) else timedelta(microseconds=value)


def param(value: datetime) -> Any:
    """An aware datetime as the database compares it with a stored one."""
    return connection.ops.adapt_datetimefield_value(value)


def fetch(sql: str, params: Sequence[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
