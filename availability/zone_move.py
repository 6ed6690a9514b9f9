"""Where a weekly window lands when its coach moves to another time zone.

A weekly window is a django-scheduler event whose first occurrence is stored as UTC instants
and whose rule is expanded in the coach's zone (availability.selectors). Moving the coach to
another zone can mean two things, and the coach says which:

- WALL: her hours keep their wall-clock times (Tuesday 09:00–12:00 stays Tuesday 09:00–12:00,
  now in the new zone): the first occurrence's wall times are read again in the new zone.
- INSTANTS: her hours keep the same instants (09:00 in Paris becomes 03:00 in New York): the
  next occurrence from now is converted to the new zone, and the rule repeats that wall time.
  Two zones may change their clocks on different dates, so "the same instants" holds from the
  next occurrence on, until one of them changes its clock.

The functions here take and return plain datetimes; the service writes the events.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

WALL = "wall"
INSTANTS = "instants"
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Moved:
    start: datetime
    end: datetime
    end_recurring_period: datetime | None


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _instant(wall: datetime, zone: ZoneInfo) -> datetime:
    # The RFC 5545 reading availability.selectors.local_instant uses.
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _weeks_to_next(wall_start: datetime, old: ZoneInfo, now: datetime) -> int:
    """How many weeks after the first occurrence the first one starting at or after `now` is."""
    first = _instant(wall_start, old)
    if first >= now:
        return 0
    weeks = (now - first) // WEEK
    # Clock changes move occurrences by an hour or two: at most a step or two more.
    while _instant(wall_start + weeks * WEEK, old) < now:
        weeks += 1
    return weeks


def move_weekly(*, start: datetime, end: datetime, end_recurring_period: datetime | None,
                old: ZoneInfo, new: ZoneInfo, keep: str, now: datetime) -> Moved:
    """A weekly event's new stored instants for a coach moving from `old` to `new`."""
    wall_start, wall_end = _wall(start, old), _wall(end, old)
    if keep == WALL:
        until = (None if end_recurring_period is None
                 else _instant(_wall(end_recurring_period, old), new))
        return Moved(_instant(wall_start, new), _instant(wall_end, new), until)
    if keep != INSTANTS:
        raise ValueError(f"Unknown choice: {keep!r}")
    weeks = _weeks_to_next(wall_start, old, now)
    reference_start = _instant(wall_start + weeks * WEEK, old)
    reference_end = _instant(wall_end + weeks * WEEK, old)
    new_wall_start = _wall(reference_start, new) - weeks * WEEK
    new_wall_end = _wall(reference_end, new) - weeks * WEEK
    return Moved(_instant(new_wall_start, new), _instant(new_wall_end, new),
                 end_recurring_period)
