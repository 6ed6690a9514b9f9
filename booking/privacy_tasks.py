"""Background jobs of booking.privacy: deferred anonymisation, and the daily purge chain.

Exactly one daily purge chain, whatever restarts and retries happen, the way imported
calendars keep one refresh chain each (availability.tasks): a ScheduledJob row names the one
queued run allowed to act (a fresh token per run). A run whose token is no longer the row's
does nothing; a current one purges, then, holding the row, schedules the next run a day later.
A chain is lost only when its run dies (a worker killed mid-run); `ensure_purge_chain` (the
`privacy_purge_ensure` command at worker start, before `db_worker`) re-arms it once it is
overdue by more than LOST_AFTER, rotating the token so that a chain only late cannot double.
"""

import logging
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from booking import privacy
from booking.models import ScheduledJob

logger = logging.getLogger(__name__)

PURGE_JOB = "purge_personal_data"
PURGE_EVERY = timedelta(days=1)
# Longer than a purge takes plus a busy queue's delay; shorter than a day.
LOST_AFTER = timedelta(hours=1)


@task()
def anonymise_erased(booking_pks: list[int]) -> int:
    """Anonymise bookings an erasure kept until their emails had time to go out."""
    return privacy.anonymise_bookings(booking_pks)


def _discard_queued(task_id: str) -> None:
    # Only a row no worker has claimed: a running one finds its token gone and stops by itself.
    if task_id and isinstance(purge_personal_data_daily.get_backend(), DatabaseBackend):
        DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.READY).delete()


def schedule_purge(job: ScheduledJob, *, run_at: datetime) -> str:
    """Make the run at `run_at` the job's only live one; call holding the job's row."""
    token = secrets.token_hex(16)
    result = purge_personal_data_daily.using(run_after=run_at).enqueue(token)
    _discard_queued(job.task_id)
    job.token, job.task_id, job.next_run_at = token, str(result.id), run_at
    ScheduledJob.objects.filter(pk=job.pk).update(token=token, task_id=job.task_id,
                                                  next_run_at=run_at)
    return token


def ensure_purge_chain(*, now: datetime | None = None) -> bool:
    """Arm the daily purge if it has no live run; True when it (re-)armed it."""
    now = now or timezone.now()
    ScheduledJob.objects.get_or_create(name=PURGE_JOB)
    with transaction.atomic():
        # Under the row lock: of two workers starting at once, one arms, the other sees it.
        job = ScheduledJob.objects.select_for_update().get(name=PURGE_JOB)
        if job.next_run_at is not None and job.next_run_at >= now - LOST_AFTER:
            return False
        schedule_purge(job, run_at=now)
    logger.info("Armed the daily personal data purge")
    return True


@task()
def purge_personal_data_daily(token: str) -> str:
    """One purge of expired personal data, then the next one scheduled a day later."""
    if not ScheduledJob.objects.filter(name=PURGE_JOB, token=token).exists():
        return "stale"
    count = privacy.purge_personal_data()
    with transaction.atomic():
        job = (ScheduledJob.objects.select_for_update()
               .filter(name=PURGE_JOB, token=token).first())
        if job is None:
            return "superseded"
        now = timezone.now()
        ScheduledJob.objects.filter(pk=job.pk).update(last_run_at=now)
        schedule_purge(job, run_at=now + PURGE_EVERY)
    logger.info("Anonymised %s booking(s) past their retention", count)
    return f"anonymised {count}"
