"""The task worker outlives a lost database connection instead of exiting."""

import pytest
from django.core.management import get_commands
from django.db import InterfaceError, OperationalError
from django_tasks_db.management.commands import db_worker

from worker.management.commands.db_worker import ResilientWorker


def _worker() -> ResilientWorker:
    return ResilientWorker(queue_names=["*"], interval=0, batch=True, backend_name="default",
                           startup_delay=False, max_tasks=None, worker_id="test",
                           excluded_queue_names=[])


def test_manage_py_db_worker_is_the_resilient_one():
    assert get_commands()["db_worker"] == "worker"


@pytest.mark.django_db  # closing the broken connections touches the (test) database
def test_a_dropped_connection_is_retried_with_a_growing_wait(monkeypatch):
    failures = [OperationalError("server closed the connection unexpectedly"),
                InterfaceError("connection already closed")]
    runs, waits = [], []

    def run(self):
        runs.append(1)
        if failures:
            raise failures.pop(0)

    monkeypatch.setattr(db_worker.Worker, "run", run)
    worker = _worker()
    monkeypatch.setattr(worker, "pause", waits.append)
    worker.run()
    assert len(runs) == 3  # two failures, then the loop ran to its end
    assert waits == [1.0, 2.0]


def test_a_stopped_worker_does_not_retry(monkeypatch):
    worker = _worker()

    def run(self):
        self.running = False  # SIGTERM arrived, then the database went away
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(db_worker.Worker, "run", run)
    monkeypatch.setattr(worker, "pause", lambda seconds: pytest.fail("must not wait"))
    worker.run()


def test_other_errors_still_stop_the_worker(monkeypatch):
    def run(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(db_worker.Worker, "run", run)
    with pytest.raises(RuntimeError):
        _worker().run()
