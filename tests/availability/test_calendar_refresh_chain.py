"""Exactly one refresh chain per calendar, through on-demand refreshes and worker restarts.

Run with the database task backend and its real worker; chains are counted as queued rows.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from availability import calendar_sync
from availability.models import ExternalCalendar
from availability.services import (
    external_calendar_add,
    external_calendar_refresh,
    external_calendar_remove,
)
from availability.tasks import LOST_AFTER, REFRESH_EVERY, refresh_external_calendar
from tests.availability.calendar_server import CalendarServer
from tests.factories import CoachFactory

NOW = datetime(2027, 3, 22, 6, tzinfo=UTC)
REFRESH = "availability.tasks.refresh_external_calendar"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def server(settings):
    settings.BUSY_CALENDARS_ALLOW_LOOPBACK = True
    with CalendarServer() as running:
        yield running


@pytest.fixture
def calendar(frozen, server):
    url = server.serve("/p.ics", "weekly_series.ics", etag='"v1"')
    return external_calendar_add(coach=CoachFactory(), url=url, name="Perso")


def run_worker() -> None:
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay",
                 verbosity=0)


def queued(calendar: ExternalCalendar | None = None) -> list[DBTaskResult]:
    rows = DBTaskResult.objects.filter(task_path=REFRESH, status="READY")
    if calendar is not None:
        rows = [r for r in rows if r.args_kwargs["args"][0] == calendar.pk]
    return list(rows)


def test_adding_queues_one_refresh_in_the_same_transaction(calendar):
    (row,) = queued()
    calendar.refresh_from_db()
    assert row.args_kwargs["args"] == [calendar.pk, calendar.refresh_token]
    assert str(row.id) == calendar.refresh_task_id


def test_each_run_queues_exactly_the_next_one_every_fifteen_minutes(calendar, frozen, server):
    for turn in range(3):
        run_worker()
        (row,) = queued()
        assert row.run_after == NOW + turn * REFRESH_EVERY + REFRESH_EVERY
        frozen.shift(REFRESH_EVERY)
    assert server.count("/p.ics") == 3
    calendar.refresh_from_db()
    assert calendar.busy_count == 5 and calendar.last_error == ""


def test_on_demand_refreshes_replace_the_queued_run_instead_of_adding_one(calendar, server):
    run_worker()
    for _click in range(3):
        external_calendar_refresh(calendar=calendar)
    (row,) = queued()
    assert row.run_after == NOW
    run_worker()
    assert server.count("/p.ics") == 2
    (row,) = queued()
    assert row.run_after == NOW + REFRESH_EVERY


def test_a_run_executed_twice_does_not_fork_the_chain(calendar):
    calendar.refresh_from_db()
    token = calendar.refresh_token
    assert refresh_external_calendar.call(calendar.pk, token) == "updated"
    assert refresh_external_calendar.call(calendar.pk, token) == "stale"
    calendar.refresh_from_db()
    (row,) = queued()
    assert row.args_kwargs["args"] == [calendar.pk, calendar.refresh_token]
    assert row.run_after == NOW + REFRESH_EVERY


def test_a_click_during_a_download_wins_and_the_old_run_stops(calendar, monkeypatch):
    real = calendar_sync.fetch_busy_times

    def click_meanwhile(cal, *, now):
        external_calendar_refresh(calendar=cal)
        return real(cal, now=now)
    monkeypatch.setattr(calendar_sync, "fetch_busy_times", click_meanwhile)
    calendar.refresh_from_db()
    first_token = calendar.refresh_token
    assert refresh_external_calendar.call(calendar.pk, first_token) == "superseded"
    calendar.refresh_from_db()
    (row,) = queued()
    assert row.args_kwargs["args"] == [calendar.pk, calendar.refresh_token] != [
        calendar.pk, first_token]
    assert calendar.last_synced_at is None  # the superseded run stored nothing


def test_a_chain_lost_with_a_killed_worker_is_rearmed_once(calendar, frozen):
    run_worker()
    # The worker claims the next run, then is killed: the row stays RUNNING forever.
    frozen.shift(REFRESH_EVERY)
    DBTaskResult.objects.filter(task_path=REFRESH).update(status="RUNNING")
    assert queued() == []
    call_command("busy_calendars_ensure", verbosity=0)  # not overdue long enough yet
    assert queued() == []
    frozen.shift(LOST_AFTER + timedelta(seconds=1))
    for _restart in range(3):
        call_command("busy_calendars_ensure", verbosity=0)
    (row,) = queued()
    run_worker()
    (row,) = queued()
    assert row.run_after == NOW + 2 * REFRESH_EVERY + LOST_AFTER + timedelta(seconds=1)


def test_a_restart_with_the_queue_intact_changes_nothing(calendar, frozen):
    run_worker()
    (before,) = queued()
    frozen.shift(timedelta(hours=3))  # the worker was down; its queued run is late
    call_command("busy_calendars_ensure", verbosity=0)
    (after,) = queued()
    run_worker()
    assert len(queued()) == 1
    assert after.id != before.id  # re-armed rather than doubled


def test_any_run_rearms_other_calendars_lost_chains(calendar, frozen, server):
    other = external_calendar_add(coach=calendar.coach, url=server.url("/p.ics"), name="B")
    run_worker()
    frozen.shift(REFRESH_EVERY)
    DBTaskResult.objects.filter(task_path=REFRESH, args_kwargs__args__0=other.pk).delete()
    frozen.shift(LOST_AFTER + timedelta(seconds=1))
    run_worker()
    assert len(queued(calendar)) == 1 and len(queued(other)) == 1


def test_removing_a_calendar_drops_its_queued_run(calendar):
    external_calendar_remove(calendar=calendar)
    assert queued() == []
    run_worker()
    assert not ExternalCalendar.objects.exists()
