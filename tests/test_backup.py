"""Backups restore into a working site (README "Backups"): the real tools, an empty database.

PostgreSQL: `pg_dump -Fc` of the test database, `pg_restore` into a database created for the
test (and dropped after it). SQLite: `sqlite3.Connection.backup`, the online backup API the
`sqlite3` CLI's `.backup` uses, out to a file and back into an empty one. Then the site runs on
the restored database: bookings are there, a manage link opens its booking, the feed answers.
"""

import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client

from booking.invites import booking_uid
from booking.models import Booking
from tests.factories import book

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
PG_BIN = Path("/usr/lib/postgresql/15/bin")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@contextmanager
def running_on(name: str) -> Iterator[None]:
    """The site's default database switched to `name` (the restored copy) for a while."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    cache.clear()  # the feed keeps bodies in the cache: answer from the restored rows only
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
        cache.clear()


def scene(session_type) -> tuple[Booking, str]:
    """Two bookings; after the backup the first one's name changes in the live database."""
    booking = book(session_type, name="Zoé Durand", email="zoe@example.com")
    book(session_type, name="Bob Martin", email="bob@example.com")
    return booking, session_type.coach.feed_token


def after_backup(booking: Booking) -> None:
    # Changed after the backup: the restored database must still say "Zoé Durand".
    Booking.objects.filter(pk=booking.pk).update(invitee_name="Changed after the backup")


def assert_site_works(booking: Booking, feed_token: str) -> None:
    client = Client()
    assert Booking.objects.count() == 2
    assert Booking.objects.get(uid=booking.uid).invitee_name == "Zoé Durand"
    page = client.get(f"/b/{booking.manage_token}/")
    assert page.status_code == 200 and "Claire Martin" in page.text
    api = client.get(f"/api/v1/manage/{booking.manage_token}")
    assert api.status_code == 200 and api.json()["uid"] == str(booking.uid)
    wrong = booking.manage_token[:-1] + ("A" if booking.manage_token[-1] != "A" else "B")
    assert client.get(f"/b/{wrong}/").status_code == 404
    feed = client.get(f"/feeds/{feed_token}.ics")
    assert feed.status_code == 200
    assert booking_uid(booking.uid).encode() in feed.content
    assert "Zoé Durand".encode() in feed.content


def _tool(name: str) -> str:
    found = shutil.which(name) or (str(PG_BIN / name) if (PG_BIN / name).exists() else None)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


def _pg(tool: str, *args: str) -> None:
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = [_tool(tool), "-h", settings.get("HOST") or "127.0.0.1",
               "-p", str(settings.get("PORT") or 5432), "-U", settings.get("USER") or "postgres",
               *args]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own tools")
def test_a_pg_dump_restores_into_an_empty_database_that_serves_the_site(session_type,
                                                                        tmp_path):
    booking, feed_token = scene(session_type)
    dump = tmp_path / "creneau.dump"
    _pg("pg_dump", "-Fc", "-d", connection.settings_dict["NAME"], "-f", str(dump))
    after_backup(booking)
    restored = f"creneau_restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored}"')
    try:
        _pg("pg_restore", "--no-owner", "--exit-on-error", "-d", restored, str(dump))
        with running_on(restored):
            assert_site_works(booking, feed_token)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's backup API")
def test_a_sqlite_backup_restores_into_an_empty_file_that_serves_the_site(session_type,
                                                                         tmp_path):
    booking, feed_token = scene(session_type)
    backup, restored = tmp_path / "backup.sqlite3", tmp_path / "restored.sqlite3"
    with (sqlite3.connect(connection.settings_dict["NAME"]) as live,
          sqlite3.connect(backup) as copy):
        live.backup(copy)  # consistent even while the site writes
    after_backup(booking)
    with sqlite3.connect(backup) as copy, sqlite3.connect(restored) as empty:
        copy.backup(empty)
    with running_on(str(restored)):
        assert_site_works(booking, feed_token)
