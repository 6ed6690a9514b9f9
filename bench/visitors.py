"""Visitors browsing slots while bookings come in: PostgreSQL, 4 gunicorn workers and Redis.

    .venv/bin/python bench/visitors.py                      # 60 s, 200 visitors, 20 bookings/min
    .venv/bin/python bench/visitors.py --seconds 600 --visitors 400 --bookings-per-minute 60
    DATABASE_URL=postgres://…/other REDIS_URL=redis://…/9 .venv/bin/python bench/visitors.py

Seeds the bench database as bench/run.py does (the demo coach, 10,000 bookings over ±2 years;
PostgreSQL `creneau_load` on 127.0.0.1:5432 unless DATABASE_URL says otherwise), empties the
Redis database of REDIS_URL (its own index, 9 by default: stale cached windows of an earlier
seed would be wrong) and serves the site on 127.0.0.1 with gunicorn (4 sync workers, Redis as
the shared cache). Then, for a bounded time, every visitor loops: the booking page
(`/demo/discovery/` in one of a few zones), the next weeks as htmx asks for them, and the
slots API for a month — with a random pause (exponential, mean --think seconds) between
requests; and bookings of distinct free slots arrive at a steady rate, each by a new person.
Loopback only, bounded in time: every client stops at the deadline.

Prints p50, p95 and p99 (nearest rank) per kind of request, the count, the achieved rate and
the errors (any answer but 200, or 201 for a booking; connection errors); writes them to
bench/results/visitors.txt. Exit status 1 when there was any error.
"""

import argparse
import os
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

# As bench/run.py: the project root first, so that bench/ modules cannot shadow libraries.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import client, environment, server  # noqa: E402
from bench.results import percentile  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/creneau_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
WORKERS = 4
ZONES = ["Europe/Paris", "Europe/Paris", "Europe/Brussels", "America/Montreal",
         "Africa/Casablanca"]
KINDS = ("page", "page, next weeks (htmx)", "slots API, one month", "booking POST")


class Tally:
    """Latencies and statuses per kind of request, shared by every client thread."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.error_samples: list[str] = []
        self.lock = threading.Lock()

    def call(self, kind: str, expect: int, send, *args, **kwargs) -> None:
        """`send(*args, **kwargs)`, a bench.client call, timed and counted under `kind`."""
        try:
            answer = send(*args, **kwargs)
            status, seconds, detail = answer.status, answer.seconds, answer.brief()
        except OSError as exc:
            status, seconds, detail = type(exc).__name__, None, str(exc)
        with self.lock:
            self.statuses[kind][status] += 1
            if status == expect:
                self.seconds[kind].append(seconds)
            elif len(self.error_samples) < 5:
                self.error_samples.append(f"{kind}: {detail[:160]}")

    def errors(self, kind: str) -> int:
        return sum(n for status, n in self.statuses[kind].items()
                   if status not in (200, 201))


def _visitor(port: int, rng: random.Random, think: float, stop: threading.Event,
             tally: Tally, today: date) -> None:
    """One person at a time on this thread: a visit is the page, two weeks on, a month of API."""
    stop.wait(rng.uniform(0, think))  # arrivals spread out, not all at the first second
    while not stop.is_set():
        zone = rng.choice(ZONES)
        page = f"/demo/discovery/?tz={zone}"
        tally.call("page", 200, client.get, port, page)
        for weeks in (1, 2):
            if stop.wait(rng.expovariate(1 / think)):
                return
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
            tally.call("page, next weeks (htmx)", 200, client.get, port,
                       f"{page}&week={monday.isoformat()}", headers={"HX-Request": "true"})
        if stop.wait(rng.expovariate(1 / think)):
            return
        first = today + timedelta(days=rng.randint(0, 30))
        slots = (f"/api/v1/coaches/demo/slots?type=discovery&tz={zone}"
                 f"&start={first.isoformat()}&end={(first + timedelta(days=30)).isoformat()}")
        tally.call("slots API, one month", 200, client.get, port, slots)
        if stop.wait(rng.expovariate(1 / think)):
            return


def _bookings(port: int, world, free: list, per_minute: float, stop: threading.Event,
              tally: Tally) -> None:
    """Open loop: one booking every 60/per_minute s, whatever the previous one takes."""
    from bench.suites import booking_payload

    path = f"/api/v1/coaches/{world.coach.slug}/bookings"
    interval = 60 / per_minute
    with ThreadPoolExecutor(max_workers=8) as pool:
        for index, slot in enumerate(free):
            payload = booking_payload(world.followup.slug, slot.start,
                                      f"bench-visitors-{index}@example.org")
            pool.submit(tally.call, "booking POST", 201, client.post_json, port, path, payload)
            if stop.wait(interval):
                return


def _free_slots(world, count: int) -> list:
    """`count` free slots of the long-horizon type, spread over its first months."""
    from booking.selectors import free_slots_for

    free = free_slots_for(session_type=world.followup, start=world.now,
                          end=world.now + timedelta(days=180), now=world.now)
    random.Random(11).shuffle(free)
    return free[:count]


def _report(tally: Tally, seconds: float) -> list[str]:
    lines = [f"{'request':<26} {'n':>6} {'rate/s':>7} {'p50':>9} {'p95':>9} {'p99':>9} "
             f"{'errors':>6}"]
    for kind in KINDS:
        samples = tally.seconds[kind]
        total = sum(tally.statuses[kind].values())
        cells = [f"{percentile(samples, q) * 1000:.1f} ms" if samples else "—"
                 for q in (0.50, 0.95, 0.99)]
        lines.append(f"{kind:<26} {total:>6} {total / seconds:>7.1f} {cells[0]:>9} "
                     f"{cells[1]:>9} {cells[2]:>9} {tally.errors(kind):>6}")
    errors = sum(tally.errors(kind) for kind in KINDS)
    lines.append(f"errors: {errors}" + (f" — statuses {_statuses(tally)}; first: "
                                        f"{tally.error_samples}" if errors else ""))
    return lines


def _statuses(tally: Tally) -> dict:
    return {kind: dict(counter) for kind, counter in tally.statuses.items()}


def _warm(port: int, today: date) -> None:
    """Every worker loads its code and fills the shared cache before anything is timed."""
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    paths = ["/demo/discovery/", f"/demo/discovery/?week={monday.isoformat()}",
             "/api/v1/coaches/demo/slots?type=discovery"]
    with ThreadPoolExecutor(max_workers=2 * WORKERS) as pool:
        for path in paths:
            list(pool.map(lambda _, p=path: client.get(port, p), range(6 * WORKERS)))


def _rows_match(tally: Tally) -> str:
    """'' when every booking answered 201 has its row and no other row was written."""
    from booking.models import Booking

    rows = Booking.objects.filter(invitee_email__startswith="bench-visitors-").count()
    booked = tally.statuses["booking POST"][201]
    return "" if rows == booked else f"{rows} booking rows for {booked} answers 201"


def _check_redis() -> None:
    from django.core.cache import cache

    cache.clear()  # this Redis database only: windows cached for an earlier seed are stale
    cache.set("bench-visitors-probe", 1, 10)
    if cache.get("bench-visitors-probe") != 1:
        raise SystemExit(f"Redis at {os.environ['REDIS_URL']} does not keep what it is given")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/visitors.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="duration (default 60)")
    parser.add_argument("--visitors", type=int, default=200, help="simulated visitors (200)")
    parser.add_argument("--think", type=float, default=5.0,
                        help="mean pause between one visitor's requests, seconds (5)")
    parser.add_argument("--bookings-per-minute", type=float, default=20, help="(20)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.visitors < 1 or args.think <= 0 or args.bookings_per_minute <= 0:
        parser.error("--seconds, --visitors, --think and --bookings-per-minute must be positive")
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    env = environment.configure(server.free_port())
    if not env.is_postgresql:
        raise SystemExit("bench/visitors.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    _check_redis()

    from django.db import connection
    from django.utils import timezone

    from bench import seed

    started = time.perf_counter()
    environment.migrate()
    world = seed.seed_world(timezone.now())
    seed.layout_bookings(world)
    free = _free_slots(world, int(args.seconds * args.bookings_per_minute / 60) + 10)
    connection.close()
    header = (f"Créneau visitors — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {env.database_label}; "
              f"Redis {os.environ['REDIS_URL']}; gunicorn {WORKERS} sync workers; "
              f"{args.visitors} visitors (mean pause {args.think:g} s), "
              f"{args.bookings_per_minute:g} bookings/min, {args.seconds:g} s; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
              f"(seeded in {time.perf_counter() - started:.0f} s)")
    print(header, flush=True)

    tally, stop = Tally(), threading.Event()
    log = environment.RESULTS / "gunicorn-visitors.log"
    with server.Gunicorn(env.port, environment.ROOT, log, workers=WORKERS):
        threads = [threading.Thread(target=_visitor, daemon=True, args=(
            env.port, random.Random(number), args.think, stop, tally, world.today))
            for number in range(args.visitors)]
        threads.append(threading.Thread(target=_bookings, daemon=True, args=(
            env.port, world, free, args.bookings_per_minute, stop, tally)))
        _warm(env.port, world.today)
        began = time.monotonic()
        for thread in threads:
            thread.start()
        stop.wait(args.seconds)
        stop.set()
        elapsed = time.monotonic() - began
        for thread in threads:
            thread.join(timeout=60)
    lines = _report(tally, elapsed)
    mismatch = _rows_match(tally)
    lines += [mismatch] if mismatch else []
    lines.append(f"load average at the end {os.getloadavg()[0]:.1f}")
    print("\n".join(lines))
    (environment.RESULTS / "visitors.txt").write_text("\n".join([header, *lines]) + "\n")
    return 1 if mismatch or any(tally.errors(kind) for kind in KINDS) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
