"""The outbox under killed connections (DESIGN invariant 3), on PostgreSQL.

Threads book while another connection terminates their backends at random moments: a
booking's transaction either commits with its notification row or leaves neither.
"""

import random
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from booking.models import Booking
from booking.services import Invitee, booking_create
from tests.support.outbox import notify_args

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
THREADS = 6
PER_THREAD = 5

pytestmark = [
    pytest.mark.django_db(transaction=True), pytest.mark.serial, pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend")]


def starts(count: int) -> list[datetime]:
    """`count` free morning slots of the demo week, from Tuesday 2 March 2027."""
    found, day = [], datetime(2027, 3, 2, tzinfo=PARIS)
    while len(found) < count:
        if day.weekday() < 5:
            found += [day.replace(hour=9) + timedelta(minutes=30 * n) for n in range(6)]
        day += timedelta(days=1)
    return found[:count]


def book_all(session_type, mine: list[tuple[int, datetime]], pids: set, lock) -> None:
    try:
        for n, start in mine:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    with lock:
                        pids.add(cursor.fetchone()[0])
                booking_create(session_type=session_type, start=start, now=NOW,
                               invitee=Invitee(name=f"P{n}", email=f"p{n}@example.org",
                                               timezone=PARIS))
            except Exception:  # a killed connection: the next attempt reconnects
                connection.close()
    finally:
        connection.close()


def kill_until(done: threading.Event, pids: set, lock) -> int:
    """Terminate a random booking backend, a bounded number of times; returns the kills."""
    db = settings.DATABASES["default"]
    killed, rng = 0, random.Random(7)
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"],
                         password=db["PASSWORD"], dbname=connection.settings_dict["NAME"],
                         autocommit=True) as killer:
        for _ in range(400):
            if done.is_set():
                break
            with lock:
                victims = sorted(pids)
            if victims:
                row = killer.execute("SELECT pg_terminate_backend(%s)",
                                     [rng.choice(victims)]).fetchone()
                killed += bool(row[0])
            done.wait(0.01)  # pacing, not synchronisation: the loop is bounded either way
    return killed


def test_every_committed_booking_has_exactly_one_notification_row_despite_killed_connections(
        session_type):
    slots = list(enumerate(starts(THREADS * PER_THREAD)))
    pids: set[int] = set()
    lock, done = threading.Lock(), threading.Event()
    workers = [threading.Thread(target=book_all,
                                args=(session_type, slots[i::THREADS], pids, lock))
               for i in range(THREADS)]
    for worker in workers:
        worker.start()
    killer_result: list[int] = []
    killer = threading.Thread(target=lambda: killer_result.append(kill_until(done, pids, lock)))
    killer.start()
    for worker in workers:
        worker.join()
    done.set()
    killer.join()
    committed = sorted([pk, 0] for pk in Booking.objects.values_list("pk", flat=True))
    assert notify_args() == committed  # one row per committed booking, none for the others
