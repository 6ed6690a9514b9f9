"""`python manage.py db_worker`: django-tasks-db's worker, which survives a lost database.

django-tasks-db's worker loop lets an OperationalError out when its database connection drops
(a PostgreSQL restart, a failover, a network blip) and the process exits: no email or reminder
goes out until someone restarts it. This worker closes the broken connections, waits (1 s,
doubling up to a minute) and carries on with the same options. A supervisor is still
recommended (README: a systemd unit), for crashes of any other kind.
"""

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("django_tasks_db")

FIRST_WAIT = 1.0
LONGEST_WAIT = 60.0


class ResilientWorker(db_worker.Worker):
    def run(self) -> None:
        wait = FIRST_WAIT
        while True:
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                if not self.running:
                    return
                logger.warning("Database unavailable (%s); trying again in %.0f s", exc, wait)
                for connection in connections.all(initialized_only=True):
                    connection.close_if_unusable_or_obsolete()
                    connection.close()
                self.pause(wait)
                wait = min(wait * 2, LONGEST_WAIT)

    def pause(self, seconds: float) -> None:
        """Wait before reconnecting; a SIGTERM meanwhile still stops the worker at once."""
        deadline = time.monotonic() + seconds
        while self.running and time.monotonic() < deadline:
            time.sleep(min(0.5, deadline - time.monotonic()))


class Command(db_worker.Command):
    help = "Run the task worker; it reconnects when the database connection drops."

    def handle(self, *args, **options) -> None:
        original = db_worker.Worker
        db_worker.Worker = ResilientWorker  # the parent's handle() builds db_worker.Worker
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original
