"""PostgreSQL stopped and started again while clients book and read slots through gunicorn.

A cluster of the test's own (never the shared server), migrated and seeded; gunicorn with two
sync workers on it; six clients booking 60 distinct slots of the demo coach (retrying the same
slot after an error, as a browser's user would) and one reader of the slots API and the
booking page. Once a third of the bookings are in, the server is stopped (a fast shutdown cuts
every open session), and started again once every kind of request has failed while it was
down. Then:

- no confirmed booking is lost: every 201 has its row;
- none is duplicated: no two rows for one slot, and a row no 201 announced exists only for a
  slot whose client got an error (its retry then answers 409: the first attempt committed);
- while the server is down the answers are errors from OUTAGE_STATUSES, never a 201;
- once it is back, every request succeeds without restarting gunicorn.
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
import pytest

from bench import client
from bench.server import Gunicorn
from tests.support.pgcluster import PgCluster
from tests.support.ports import free_port
from tests.support.site_process import ROOT, site_env

pytestmark = pytest.mark.serial

# What a request gets while the database is down.
OUTAGE_STATUSES = {503}  # web.outage: JSON with Retry-After on the API, a page elsewhere
BOOKINGS = 60
CLIENTS = 6
BOOKED_BEFORE_STOP = 20
FAILURES_WHILE_DOWN = 6
WAIT = 30  # seconds any one phase may take before the test fails
BACKOFF = 0.1  # a polite client waits a little before it retries
BOOK_PATH = "/api/v1/coaches/demo/bookings"
SLOTS_PATH = "/api/v1/coaches/demo/slots?type=discovery"
PAGE_PATH = "/demo/discovery/"


@dataclass(frozen=True)
class Answer:
    kind: str  # book, slots, page
    slot: str  # the booked start, "" for reads
    started: float
    ended: float
    status: int | str  # an HTTP status, or the name of a connection error
    body: bytes = b""
    headers: dict = field(default_factory=dict)


class Log:
    """Every answer, with a condition the controller waits on."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []
        self.changed = threading.Condition()

    def call(self, kind: str, slot: str, request: Callable[[], client.Response]) -> Answer:
        started = time.monotonic()
        try:
            response = request()
            answer = Answer(kind, slot, started, time.monotonic(), response.status,
                            response.body, response.headers)
        except OSError as exc:
            answer = Answer(kind, slot, started, time.monotonic(), type(exc).__name__)
        with self.changed:
            self.answers.append(answer)
            self.changed.notify_all()
        return answer

    def wait_for(self, predicate: Callable[[list[Answer]], bool], what: str) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: predicate(self.answers), timeout=WAIT):
                raise AssertionError(f"waited {WAIT} s for {what}; "
                                     f"last answers: {self.answers[-5:]}")


def _payload(start: str, email: str) -> dict:
    return {"type": "discovery", "start": start, "name": "Fault Prospect", "email": email,
            "tz": "Europe/Paris", "language": "fr", "consent": True}


def _booker(port: int, slots: list[str], number: int, log: Log, until: float) -> None:
    for index, start in enumerate(slots):
        payload = _payload(start, f"fault-{number}-{index}@example.org")
        while time.monotonic() < until:
            answer = log.call("book", start, lambda p=payload: client.post_json(
                port, BOOK_PATH, p, timeout=15))
            if answer.status in (201, 409):
                break
            time.sleep(BACKOFF)


def _reader(port: int, log: Log, done: threading.Event) -> None:
    while not done.is_set():
        log.call("slots", "", lambda: client.get(port, SLOTS_PATH, timeout=15))
        log.call("page", "", lambda: client.get(port, PAGE_PATH, timeout=15))
        done.wait(BACKOFF)


@dataclass
class Phases:
    stop_called: float = 0.0
    down: float = 0.0
    start_called: float = 0.0
    up: float = 0.0


def _run_load(cluster: PgCluster, port: int, slots: list[str]) -> tuple[Log, Phases]:
    log, phases, done = Log(), Phases(), threading.Event()
    until = time.monotonic() + 3 * WAIT
    bookers = [threading.Thread(target=_booker, args=(port, slots[n::CLIENTS], n, log, until))
               for n in range(CLIENTS)]
    reader = threading.Thread(target=_reader, args=(port, log, done))
    for thread in [*bookers, reader]:
        thread.start()
    try:
        log.wait_for(lambda a: sum(x.status == 201 for x in a) >= BOOKED_BEFORE_STOP,
                     f"{BOOKED_BEFORE_STOP} bookings before the stop")
        phases.stop_called = time.monotonic()
        cluster.stop()
        phases.down = time.monotonic()

        def failed_while_down(answers: list[Answer]) -> bool:
            down = [a for a in answers if a.started > phases.down]
            return (sum(a.kind == "book" for a in down) >= FAILURES_WHILE_DOWN
                    and {a.kind for a in down} == {"book", "slots", "page"})

        log.wait_for(failed_while_down, "failed requests of every kind while down")
        phases.start_called = time.monotonic()
        cluster.start()
        phases.up = time.monotonic()
    finally:
        if not cluster.is_running():
            cluster.start()
        for thread in bookers:
            thread.join(timeout=3 * WAIT)
        done.set()
        reader.join(timeout=WAIT)
    return log, phases


def _rows(url: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT uid::text, start::text, invitee_email FROM booking_booking "
            "WHERE status = 'confirmed' AND invitee_email LIKE %s", ["fault-%"]).fetchall()


def _outage_answer_is_clean(answer: Answer) -> bool:
    if answer.status not in OUTAGE_STATUSES:
        return False
    if answer.status == 503 and answer.kind != "page":  # the API says when to come back
        return ("retry-after" in answer.headers
                and answer.headers.get("content-type", "").startswith("application/json"))
    return True


def test_bookings_survive_a_database_restart_under_load(pg_cluster, site_database, tmp_path):
    port = free_port()
    with Gunicorn(port, ROOT, tmp_path / "gunicorn.log", workers=2, env=site_env(site_database)):
        offered = client.get(port, SLOTS_PATH).json()["slots"]
        assert len(offered) >= BOOKINGS
        slots = [slot["start"] for slot in offered[:BOOKINGS]]
        log, phases = _run_load(pg_cluster, port, slots)

    answers = log.answers
    before = [a for a in answers if a.ended < phases.stop_called]
    down = [a for a in answers if a.started > phases.down and a.ended < phases.start_called]
    after = [a for a in answers if a.started > phases.up]
    errored_slots = {a.slot for a in answers if a.kind == "book" and a.status not in (201, 409)}
    assert {a.status for a in before} <= {200, 201}
    assert down and all(_outage_answer_is_clean(a) for a in down), {
        (a.kind, a.status) for a in down}
    assert after, "no request was made after the restart"
    late_conflicts = [a for a in after if a.status == 409]
    assert all(a.slot in errored_slots for a in late_conflicts)
    assert {a.status for a in after if a not in late_conflicts} <= {200, 201}

    # Slots and emails are distinct, so a 409 can only mean that this client's own earlier
    # attempt committed although its answer was an error.
    booked = {a.slot: json.loads(a.body)["uid"] for a in answers if a.status == 201}
    finished = {a.slot for a in answers if a.status in (201, 409)}
    assert finished == set(slots), "every client finished its slots once the database was back"
    rows = {uid: (start, email) for uid, start, email in _rows(site_database)}
    assert set(booked.values()) <= rows.keys(), "a booking answered 201 has no row"
    assert len({start for start, _ in rows.values()}) == len(rows), "two rows for one slot"
    errored_emails = {f"fault-{n}-{i}@example.org" for n in range(CLIENTS)
                      for i, start in enumerate(slots[n::CLIENTS]) if start in errored_slots}
    unannounced = [email for uid, (_, email) in rows.items() if uid not in booked.values()]
    assert set(unannounced) <= errored_emails, "a row no client was told about"
    assert len(rows) == len(finished), "each finished slot has exactly one row"
