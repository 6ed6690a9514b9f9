"""The task worker, a real `manage.py db_worker` process, outlives a PostgreSQL restart.

A cluster of the test's own, gunicorn and the worker on it, a real SMTP server on the
loopback. A booking's emails go out; the database stops under the worker, which says so in its
log and keeps running (worker/management/commands/db_worker.py); once the database is back, a
booking made then is mailed by the same process, and nothing is mailed twice.
"""

import pytest

from bench import client
from bench.server import Gunicorn
from tests.support.ports import free_port
from tests.support.site_process import ROOT, WorkerProcess, site_env
from tests.support.smtp_server import SmtpServer

pytestmark = pytest.mark.serial

SLOTS_PATH = "/api/v1/coaches/demo/slots?type=discovery"
BOOK_PATH = "/api/v1/coaches/demo/bookings"


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def book(port: int, start: str, email: str) -> None:
    payload = {"type": "discovery", "start": start, "name": "Fault Prospect", "email": email,
               "tz": "Europe/Paris", "consent": True}
    answer = client.post_json(port, BOOK_PATH, payload, timeout=30)
    assert answer.status == 201, answer.brief()


def test_worker_process_outlives_a_database_restart(pg_cluster, site_database, smtp,
                                                    tmp_path):
    env = site_env(site_database, CRENEAU_TEST_SMTP_PORT=str(smtp.port))
    port = free_port()
    with (Gunicorn(port, ROOT, tmp_path / "gunicorn.log", workers=1, env=env),
          WorkerProcess(env, tmp_path / "worker.log") as worker):
        first, second = [s["start"] for s in client.get(port, SLOTS_PATH).json()["slots"][:2]]
        book(port, first, "before@example.org")
        smtp.wait_for(2)  # the invitee's invitation and the coach's

        pg_cluster.stop()
        worker.wait_for_output("Database unavailable")
        pg_cluster.start()
        book(port, second, "after@example.org")
        smtp.wait_for(4)
        assert worker.process.poll() is None, worker.output()

    invitees = [r for r in smtp.recipients() if r in ("before@example.org", "after@example.org")]
    assert invitees == ["after@example.org", "before@example.org"]
    assert len(smtp.messages) == 4
