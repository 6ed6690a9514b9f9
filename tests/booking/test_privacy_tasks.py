"""The worker's daily purge: one chain, armed at worker start, surviving restarts."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from booking.models import Booking, ScheduledJob
from booking.privacy_tasks import LOST_AFTER, PURGE_EVERY, PURGE_JOB, purge_personal_data_daily
from tests.factories import BookingFactory

NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
TASK = "booking.privacy_tasks.purge_personal_data_daily"

transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def run_worker() -> None:
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay",
                 verbosity=0)


def queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=TASK, status=TaskResultStatus.READY))


@transactional
def test_the_ensure_command_arms_one_chain_however_often_it_runs(capsys):
    call_command("privacy_purge_ensure")
    call_command("privacy_purge_ensure")
    call_command("privacy_purge_ensure")

    out = capsys.readouterr().out.splitlines()
    assert out == ["Daily purge armed.", "Daily purge already scheduled.",
                   "Daily purge already scheduled."]
    [run] = queued()
    job = ScheduledJob.objects.get(name=PURGE_JOB)
    assert str(run.id) == job.task_id and job.next_run_at == NOW


@transactional
def test_each_run_purges_and_schedules_the_next_a_day_later(session_type, clock):
    old = BookingFactory(session_type=session_type, start=NOW - timedelta(days=400))
    call_command("privacy_purge_ensure", verbosity=0)

    run_worker()

    old.refresh_from_db()
    assert old.is_anonymised
    [next_run] = queued()
    assert next_run.run_after == NOW + PURGE_EVERY
    assert ScheduledJob.objects.get(name=PURGE_JOB).last_run_at == NOW

    newly_old = BookingFactory(session_type=session_type, start=NOW - timedelta(days=366))
    run_worker()  # not due yet
    newly_old.refresh_from_db()
    assert not newly_old.is_anonymised
    clock.move_to(NOW + PURGE_EVERY)
    run_worker()
    newly_old.refresh_from_db()
    assert newly_old.is_anonymised
    assert [r.run_after for r in queued()] == [NOW + 2 * PURGE_EVERY]


@transactional
def test_a_lost_chain_is_rearmed_at_worker_start_and_the_old_run_cannot_fork_it(clock):
    call_command("privacy_purge_ensure", verbosity=0)
    old_token = ScheduledJob.objects.get(name=PURGE_JOB).token
    # The worker died mid-run: its run is gone from the queue, nothing came after it.
    DBTaskResult.objects.filter(task_path=TASK).update(status=TaskResultStatus.RUNNING)
    clock.move_to(NOW + LOST_AFTER - timedelta(minutes=1))
    call_command("privacy_purge_ensure", verbosity=0)
    assert queued() == []  # only late so far

    clock.move_to(NOW + LOST_AFTER + timedelta(minutes=1))
    call_command("privacy_purge_ensure", verbosity=0)
    assert len(queued()) == 1

    # The old run, should it come back to life, finds its token gone and does nothing.
    assert purge_personal_data_daily.call(old_token) == "stale"
    run_worker()
    assert len(queued()) == 1
    assert Booking.objects.count() == 0
