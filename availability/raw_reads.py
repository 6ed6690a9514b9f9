"""Hand-written reads for the few hot queries whose SQL never changes, and their fast loading.

A month of slots reads the coach's type and availability, her bookings' blocked ranges and her
imported busy times; a feed reads up to 10,000 stored events. Through the ORM those reads cost
more than the work done with them: each query is compiled again per request (~0.3 ms) and
every value goes through Django's converters (~9 µs a datetime on SQLite;
bench/profile_slots.py). Their SQL is written once (`availability.selectors.slot_subject`,
`busy_times_sql`, `booking.selectors.blocked_spans`; the feed's rows in `booking.feed`) and
run through `fetch`.

Loading, by database:
- PostgreSQL answers `fetch` in binary: a timestamptz arrives as an aware UTC datetime and a
  bytea as raw bytes, several times faster than their text forms (the feed's 10,000 events:
  41 → 25 ms). psycopg gives binary rows only to server-side-binding cursors, and Django's
  are client-side, so `fetch` opens one on Django's connection, inside Django's cursor wrapper
  (its error mapping, its query log): the queries count and fail like any other.
- SQLite keeps instants as text (`2026-03-29 07:30:00[.ffffff]`): `instant` reads them with
  "+00:00" appended, which `datetime.fromisoformat` turns into an aware UTC datetime in C
  (`fetch_instants`), skipping the driver's parser and Django's converter.

Django turns psycopg's prepared statements off; the PostgreSQL settings allow them again
(`prepare_threshold` in config.settings.base) and `fetch(prepare=True)` uses them for the slot
path's small reads, which planning again on every request cost up to a quarter of a
millisecond each. Nothing else is prepared: Django's own cursors bind client-side.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import psycopg
from django.db import connection


def instant(column: str) -> str:
    """The SQL expression that selects `column` (a datetime) for `fetch_instants`."""
    if connection.vendor == "postgresql":
        return column
    return f"(CAST({column} AS TEXT) || '+00:00')"


def to_duration(value: int | timedelta) -> timedelta:
    """A DurationField's value: an interval on PostgreSQL, microseconds on SQLite."""
    return value if isinstance(value, timedelta) else timedelta(microseconds=value)


def param(value: datetime) -> Any:
    """An aware datetime as the database compares it with a stored one."""
    return connection.ops.adapt_datetimefield_value(value)


def fetch(sql: str, params: Sequence[Any], *, prepare: bool = False) -> list[tuple]:
    """The rows of `sql` (with %s placeholders), binary on PostgreSQL.

    `prepare` keeps the statement planned on the connection (PostgreSQL): for the small reads
    every slots request makes, whose planning cost as much as their execution. A large read
    (the feed's) gains nothing from it and could be handed a generic plan, so it is opt-in.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with connection.cursor():  # connects, or checks a kept connection, as any query would
        pass
    binary = _BinaryCursor(connection.connection)
    if connection.queries_logged:
        # Django's query log reads the text psycopg sent (cursor._query), which a prepared
        # execution leaves unset: where queries are logged (DEBUG, tests that read them),
        # nothing is prepared, so that every logged query keeps its SQL.
        wrapped = connection.make_debug_cursor(binary)
    else:
        binary.prepare = prepare
        wrapped = connection.make_cursor(binary)
    with wrapped as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch_instants(sql: str, params: Sequence[Any], *, prepare: bool = False) -> list[tuple]:
    """The rows of `sql` whose every column is an `instant` (or NULL), as aware datetimes:
    on PostgreSQL the rows as they arrive, with nothing to convert."""
    rows = fetch(sql, params, prepare=prepare)
    if connection.vendor == "postgresql":
        return rows
    parse = datetime.fromisoformat
    if rows and len(rows[0]) == 2:  # the common shape, (start, end), without a generator
        return [(parse(start), parse(end)) for start, end in rows]
    return [tuple(value if value is None else parse(value) for value in row) for row in rows]


class _BinaryCursor(psycopg.Cursor):
    """Server-side binding, rows in binary, prepared or not as `fetch` says, whatever the
    caller (Django's cursor wrapper) asks."""

    prepare = False

    def execute(self, query: Any, params: Any = None, **options: Any) -> "_BinaryCursor":
        return super().execute(query, params,
                               **{**options, "binary": True, "prepare": self.prepare})
