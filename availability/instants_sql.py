"""UTC instants in hand-written SQL, for the few fixed queries of the slot path.

A month of slots reads the coach's type and availability, her bookings' blocked ranges and her
imported busy times. Through the ORM those reads cost more than the slot engine itself: each
query is compiled again per request (~0.3 ms) and every datetime goes through Django's
converters (~9 µs a row on SQLite; bench/profile_slots.py). Their SQL never changes, so it is
written once (`availability.selectors.slot_subject`, `busy_intervals`,
`booking.selectors.blocked_spans`) and its instants come back through `instant` and
`to_instant`.

Both databases hand each instant over as ISO text in UTC ending in "+00:00", which
`datetime.fromisoformat` turns into an aware UTC datetime in C (~0.1 µs), skipping the
drivers' parsers and Django's converters (psycopg's timestamptz loader alone cost ~7 µs a
value). SQLite stores that text already (`2026-03-29 07:30:00[.ffffff]`); PostgreSQL writes
it with `to_char`, whose pattern does not depend on the session's DateStyle.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection


def instant(column: str) -> str:
    """The SQL expression that selects `column` (a datetime) for `to_instant`."""
    if connection.vendor == "postgresql":
        return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
    return f"(CAST({column} AS TEXT) || '+00:00')"


def to_instant(value: str) -> datetime:
    """An aware UTC datetime from what `instant` selected."""
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
