"""Background refreshes of coaches' calendars: every REFRESH_EVERY and on demand.

Exactly one refresh chain per calendar, whatever restarts, retries and clicks happen:
- The calendar row names the one queued run allowed to act: `refresh_token` (a fresh random
  value per scheduled run), with `next_refresh_at` and the queued task's id.
- `schedule_refresh` rotates the token, enqueues a run carrying it and drops the run queued
  before (if no worker has claimed it yet), all in the caller's transaction: the task row is
  written with the change it follows (DESIGN invariant 3, an outbox).
- A run whose token is no longer the row's does nothing. A current run downloads outside any
  transaction, then, holding the row, checks its token again, stores the result and schedules
  the next run. A run that executes twice, or one superseded by an on-demand refresh while it
  was downloading, finds its token gone and stops: chains cannot fork.
- A chain is lost only when its run dies (a worker killed mid-task, a row deleted). Its
  `next_refresh_at` then falls behind; `ensure_refresh_chains` (the `busy_calendars_ensure`
  command at worker start, and every refresh run) re-arms calendars overdue by more than
  LOST_AFTER. Re-arming rotates the token too, so a chain that was only late cannot double.
"""

import logging
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from availability import calendar_sync
from availability.models import ExternalCalendar

logger = logging.getLogger(__name__)

REFRESH_EVERY = timedelta(minutes=15)
# Longer than a run can take (download deadline, expansion, store) plus a busy queue's delay.
LOST_AFTER = timedelta(minutes=10)


def _discard_queued(task_id: str) -> None:
    # Only a row no worker has claimed: a running one finds its token gone and stops by itself.
    if task_id and isinstance(refresh_external_calendar.get_backend(), DatabaseBackend):
        DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.READY).delete()


def schedule_refresh(calendar: ExternalCalendar, *, run_at: datetime | None = None) -> str:
    """Make the run at `run_at` (None: now) the calendar's only live one; returns its token.

    Call inside a transaction that holds the calendar's row (or just created it).
    """
    token = secrets.token_hex(16)
    run_at = run_at or timezone.now()
    result = refresh_external_calendar.using(run_after=run_at).enqueue(calendar.pk, token)
    _discard_queued(calendar.refresh_task_id)
    calendar.refresh_token = token
    calendar.refresh_task_id = str(result.id)
    calendar.next_refresh_at = run_at
    ExternalCalendar.objects.filter(pk=calendar.pk).update(
        refresh_token=token, refresh_task_id=calendar.refresh_task_id,
        next_refresh_at=calendar.next_refresh_at)
    return token


def discard_refresh(calendar: ExternalCalendar) -> None:
    """Drop the calendar's queued run (before it is deleted)."""
    _discard_queued(calendar.refresh_task_id)


def _lost(now: datetime) -> Q:
    return Q(next_refresh_at__isnull=True) | Q(next_refresh_at__lt=now - LOST_AFTER)


def ensure_refresh_chains(*, now: datetime | None = None) -> int:
    """Re-arm the chains of calendars whose next run is long overdue; returns how many."""
    now = now or timezone.now()
    rearmed = 0
    for pk in ExternalCalendar.objects.filter(_lost(now)).values_list("pk", flat=True):
        with transaction.atomic():
            # Re-checked under the row lock: of two workers ensuring at once, one re-arms.
            calendar = (ExternalCalendar.objects.select_for_update()
                        .filter(_lost(now), pk=pk).first())
            if calendar is not None:
                schedule_refresh(calendar)
                rearmed += 1
    if rearmed:
        logger.info("Re-armed %s lost calendar refresh chain(s)", rearmed)
    return rearmed


@task()
def refresh_external_calendar(calendar_pk: int, token: str) -> str:
    """One refresh of a calendar's busy times, then the next one scheduled."""
    calendar = (ExternalCalendar.objects.select_related("coach")
                .filter(pk=calendar_pk).first())
    if calendar is None:
        return "gone"
    if calendar.refresh_token != token:
        return "stale"
    outcome = calendar_sync.fetch_busy_times(calendar, now=timezone.now())
    with transaction.atomic():
        current = (ExternalCalendar.objects.select_for_update(of=("self",)).select_related("coach")
                   .filter(pk=calendar_pk, refresh_token=token).first())
        if current is None:
            return "superseded"
        now = timezone.now()
        calendar_sync.apply_outcome(current, outcome, now=now)
        schedule_refresh(current, run_at=now + REFRESH_EVERY)
    ensure_refresh_chains()
    return outcome.status
