"""One refresh of a coach's calendar: download, expand, then store busy times or the error.

Split in two so that no database lock is held during the download: `fetch_busy_times` talks to
the network and writes nothing; `apply_outcome` stores its result in the caller's transaction.
A failure keeps the last good busy times (a calendar server that is down must not open the
coach's private time to bookings) and records why and when.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max
from django.utils import translation

from availability.calendar_fetch import CalendarError, fetch_calendar
from availability.calendar_import import UNREADABLE, BusyTime, busy_times
from availability.models import BusyInterval, ExternalCalendar, SessionType

logger = logging.getLogger(__name__)

DEFAULT_HORIZON = timedelta(days=90)
# Busy times are expanded this far past the horizon, so that while it lasts an unchanged
# calendar (a 304) still covers the moving horizon; past it, the next refresh downloads again.
COVERAGE_MARGIN = timedelta(days=7)
# Occurrences that started shortly before now may still be running.
LOOK_BACK = timedelta(days=1)
UNEXPECTED = "unexpected"


@dataclass(frozen=True)
class Outcome:
    """What a refresh found: new busy times, "unchanged" (a 304), or an error."""

    busy: list[BusyTime] | None = None
    until: datetime | None = None
    etag: str = ""
    last_modified: str = ""
    error: CalendarError | None = None

    @property
    def status(self) -> str:
        if self.error is not None:
            return self.error.code
        return "unchanged" if self.busy is None else "updated"


def horizon_for(calendar: ExternalCalendar) -> timedelta:
    """How far ahead the coach can be booked: her longest active session type's horizon."""
    longest = (SessionType.objects.filter(coach_id=calendar.coach_id, is_active=True)
               .aggregate(longest=Max("horizon"))["longest"])
    return longest or DEFAULT_HORIZON


def _still_covered(calendar: ExternalCalendar, now: datetime, horizon: timedelta) -> bool:
    return (calendar.expanded_until is not None and calendar.last_synced_at is not None
            and calendar.expanded_until >= now + horizon)


def fetch_busy_times(calendar: ExternalCalendar, *, now: datetime) -> Outcome:
    """Download and expand the calendar; never raises for a bad calendar or server."""
    horizon = horizon_for(calendar)
    conditional = _still_covered(calendar, now, horizon)
    try:
        fetched = fetch_calendar(calendar.url,
                                 etag=calendar.etag if conditional else "",
                                 last_modified=calendar.last_modified if conditional else "")
        if fetched.not_modified:
            return Outcome(etag=fetched.etag or calendar.etag,
                           last_modified=fetched.last_modified or calendar.last_modified)
        until = now + horizon + COVERAGE_MARGIN
        busy = busy_times(fetched.body, zone=calendar.coach.zone, start=now - LOOK_BACK,
                          end=until)
    except CalendarError as error:
        return Outcome(error=error)
    except Exception:
        # A calendar that trips a parser bug must not stop the refresh chain: log it for us,
        # tell the coach it could not be read.
        logger.exception("Importing external calendar %s failed", calendar.pk)
        return Outcome(error=CalendarError(UNREADABLE, UNEXPECTED))
    return Outcome(busy=busy, until=until, etag=fetched.etag,
                   last_modified=fetched.last_modified)


def _replace_busy(calendar: ExternalCalendar, busy: list[BusyTime]) -> None:
    # Delete and insert in the caller's transaction: readers see the old set or the new one.
    BusyInterval.objects.filter(source=calendar).delete()
    BusyInterval.objects.bulk_create(
        [BusyInterval(coach_id=calendar.coach_id, source=calendar, start=start, end=end)
         for start, end in busy], batch_size=2000)


def apply_outcome(calendar: ExternalCalendar, outcome: Outcome, *, now: datetime) -> None:
    """Store a refresh's result; call inside a transaction holding the calendar's row.

    Busy intervals are read fresh by the slot path (`busy_intervals_for`), and cached windows
    do not include them, so there is no cache to retire here.
    """
    fields = {"last_attempt_at": now}
    if outcome.error is not None:
        with translation.override(calendar.coach.language):
            fields["last_error"] = outcome.error.text()
        fields["last_error_code"] = outcome.error.code
    else:
        fields.update(last_synced_at=now, last_error="", last_error_code="",
                      etag=outcome.etag, last_modified=outcome.last_modified)
        if outcome.busy is not None:
            _replace_busy(calendar, outcome.busy)
            fields.update(busy_count=len(outcome.busy), expanded_until=outcome.until)
    ExternalCalendar.objects.filter(pk=calendar.pk).update(**fields)
    for name, value in fields.items():
        setattr(calendar, name, value)


def import_busy_times(calendar: ExternalCalendar, data: bytes, *, now: datetime) -> int:
    """Expand these bytes and store them as the calendar's busy times (bench, scripts)."""
    until = now + horizon_for(calendar) + COVERAGE_MARGIN
    busy = busy_times(data, zone=calendar.coach.zone, start=now - LOOK_BACK, end=until)
    apply_outcome(calendar, Outcome(busy=busy, until=until), now=now)
    return len(busy)
