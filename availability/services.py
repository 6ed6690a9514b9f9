"""Writes of availability: calendars for a coach, weekly windows, time off, extra windows."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from schedule.models import Calendar, Event, Rule

from accounts.models import Coach
from availability.models import Availability

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@transaction.atomic
def availability_for_coach(*, coach: Coach) -> Availability:
    """The coach's availability calendars, created on first use."""
    existing = Availability.objects.filter(coach=coach).first()
    if existing is not None:
        return existing
    windows = Calendar.objects.create(name=f"{coach.slug} · windows", slug=f"{coach.slug}-windows")
    time_off = Calendar.objects.create(name=f"{coach.slug} · time off",
                                       slug=f"{coach.slug}-time-off")
    return Availability.objects.create(coach=coach, windows=windows, time_off=time_off)


def weekly_rule() -> Rule:
    rule, _ = Rule.objects.get_or_create(name="Weekly", frequency="WEEKLY",
                                         defaults={"description": "Every week"})
    return rule


@transaction.atomic
def weekly_window_add(*, coach: Coach, weekday: int, start: time, end: time,
                      first_day: date) -> Event:
    """A window every week on `weekday` (0 = Monday) from `start` to `end`, coach's local time."""
    availability = availability_for_coach(coach=coach)
    zone = coach.zone
    day = first_day + timedelta(days=(weekday - first_day.weekday()) % 7)
    return Event.objects.create(
        calendar=availability.windows,
        title=f"{WEEKDAYS[weekday]} {start:%H:%M}–{end:%H:%M}",
        start=datetime.combine(day, start, tzinfo=zone),
        end=datetime.combine(day, end, tzinfo=zone),
        rule=weekly_rule(),
    )


@transaction.atomic
def extra_window_add(*, coach: Coach, start: datetime, end: datetime, title: str = "") -> Event:
    availability = availability_for_coach(coach=coach)
    return Event.objects.create(calendar=availability.windows, title=title or "Extra window",
                                start=start, end=end)


@transaction.atomic
def time_off_add(*, coach: Coach, start: datetime, end: datetime, title: str = "") -> Event:
    availability = availability_for_coach(coach=coach)
    return Event.objects.create(calendar=availability.time_off, title=title or "Time off",
                                start=start, end=end)
