"""Concurrent clients booking distinct slots through gunicorn, on PostgreSQL.

The free slots of the long-horizon type are dealt round-robin to the clients, so no two ever
ask for the same slot: any answer but 201 is an error. Each client stops at the deadline or
when its share runs out, so the loop is bounded in time and in count.
"""

import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection

from bench import client
from bench.results import Figure, percentile, report
from bench.seed import BENCH_PREFIX, World
from bench.suites import Context, booking_payload
from booking.models import Booking
from booking.selectors import free_slots_for

CLIENTS = 20
# Bookings a second the slot supply is sized for; beyond it clients may run out (reported).
MAX_RATE = 200


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    samples_of_errors: list[str] = field(default_factory=list)
    exhausted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int | str, seconds: float, detail: str = "") -> None:
        with self.lock:
            self.statuses[status] += 1
            if status == 201:
                self.latencies.append(seconds)
            elif len(self.samples_of_errors) < 3:
                self.samples_of_errors.append(detail or str(status))

    @property
    def booked(self) -> int:
        return self.statuses[201]

    @property
    def errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status != 201)


def _client(port: int, world: World, share: list, number: int, deadline: float,
            tally: Tally) -> None:
    path = f"/api/v1/coaches/{world.coach.slug}/bookings"
    for index, slot in enumerate(share):
        if time.monotonic() >= deadline:
            return
        payload = booking_payload(world.followup.slug, slot.start,
                                  f"{BENCH_PREFIX}load-{number}-{index}@example.org")
        try:
            answer = client.post_json(port, path, payload)
        except OSError as exc:
            tally.add(type(exc).__name__, 0.0, str(exc))
            continue
        tally.add(answer.status, answer.seconds, answer.brief())
    with tally.lock:
        tally.exhausted += 1


def _free_slots(world: World, *, wanted: int) -> list:
    """At least `wanted` free slots of the long-horizon type, soonest first, if it has them."""
    free: list = []
    start, horizon_end = world.now, world.now + world.followup.horizon
    while len(free) < wanted and start < horizon_end:
        end = min(start + timedelta(days=182), horizon_end)
        free += free_slots_for(session_type=world.followup, start=start, end=end,
                               now=world.now)
        start = end
    return free


def concurrent(ctx: Context) -> list[Figure]:
    world = ctx.world
    seconds = 10 if ctx.quick else 30
    free = _free_slots(world, wanted=MAX_RATE * seconds)
    connection.close()
    shares = [free[number::CLIENTS] for number in range(CLIENTS)]
    before = Booking.objects.count()
    tally = Tally()
    started = time.monotonic()
    deadline = started + seconds
    threads = [threading.Thread(target=_client, args=(ctx.port, world, shares[number], number,
                                                      deadline, tally), daemon=True)
               for number in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.monotonic() - started
    created = Booking.objects.count() - before
    throughput = tally.booked / elapsed
    median = statistics.median(tally.latencies) * 1000 if tally.latencies else float("nan")
    p95 = percentile(tally.latencies, 0.95) * 1000 if tally.latencies else float("nan")
    text = (f"{throughput:.1f} bookings/s ({tally.booked:,} booked in {elapsed:.1f} s by "
            f"{CLIENTS} clients; latency median {median:.0f} ms, p95 {p95:.0f} ms); "
            f"errors: {tally.errors}")
    figure = Figure(f"concurrent bookings, {CLIENTS} clients, {seconds} s", text=text,
                    short=f"{throughput:.1f} bookings/s, errors: {tally.errors}")
    notes = []
    if tally.exhausted:
        notes.append(f"{tally.exhausted} clients ran out of their {len(free):,} / {CLIENTS} "
                     "slots before the deadline")
    if tally.errors:
        notes.append(f"statuses {dict(tally.statuses)}; first: {tally.samples_of_errors}")
    if created != tally.booked:
        notes.append(f"{created} rows created for {tally.booked} answers 201")
    figure.failed = bool(tally.errors) or created != tally.booked or any(
        thread.is_alive() for thread in threads)
    figure.note = "; ".join(notes)
    return [report(figure)]
