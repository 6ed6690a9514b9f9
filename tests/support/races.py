"""Races with real threads and real transactions: every attempt waits at a barrier, then all
act at once; each thread closes its own database connection."""

import threading
from collections import Counter
from collections.abc import Callable

from django.db import connection


def race(attempts: list[Callable[[], object]],
         outcome: Callable[[Callable[[], object]], str] = lambda attempt: str(attempt())
         ) -> Counter:
    """Run every attempt in its own thread, released together; count `outcome(attempt)`.

    An exception `outcome` lets through is counted as its repr, so that any unexpected error
    fails the test that counts outcomes.
    """
    barrier = threading.Barrier(len(attempts), timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(attempt: Callable[[], object]) -> None:
        try:
            barrier.wait()
            try:
                result = outcome(attempt)
            except Exception as exc:  # counted, so that the test's assertion shows it
                result = repr(exc)
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(outcomes)
