"""Writes of availability: calendars for a coach, weekly windows, time off, extra windows,
imported calendars.

Times a coach types are wall-clock times of her zone; they are turned into instants here, with
`local_instant` (RFC 5545 reading of ambiguous and missing times), never by the caller.
"""

import secrets
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from schedule.models import Calendar, Event, Rule

from accounts.models import Coach
from availability.calendar_fetch import CalendarError, normalize_url
from availability.models import Availability, ExternalCalendar
from availability.selectors import local_instant
from availability.tasks import discard_refresh, schedule_refresh

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

END_BEFORE_START = _("The end must be after the start.")
BAD_WEEKDAY = _("Choose a day of the week.")
LAST_BEFORE_FIRST = _("The last day must not be before the first occurrence.")
BAD_CALENDAR_URL = _("Enter the address of a calendar (https://, http:// or webcal://).")
TOO_MANY_CALENDARS = _("You can import at most %(limit)s calendars.")

MAX_CALENDARS_PER_COACH = 10


@transaction.atomic
def availability_for_coach(*, coach: Coach) -> Availability:
    """The coach's availability calendars, created on first use."""
    existing = Availability.objects.filter(coach=coach).first()
    if existing is not None:
        return existing
    # Display names are stored once, in the language active when the coach starts.
    names = {"coach": coach.slug}
    windows = _new_calendar(gettext("%(coach)s · windows") % names,
                            f"{coach.slug}-{coach.pk}-windows")
    time_off = _new_calendar(gettext("%(coach)s · time off") % names,
                             f"{coach.slug}-{coach.pk}-time-off")
    return Availability.objects.create(coach=coach, windows=windows, time_off=time_off)


def _new_calendar(name: str, slug: str) -> Calendar:
    # Never adopt a calendar left over under the same slug: its old events would come back.
    if Calendar.objects.filter(slug=slug).exists():
        slug = f"{slug}-{secrets.token_hex(4)}"
    return Calendar.objects.create(name=name, slug=slug)


def availability_touch(*, availability: Availability) -> None:
    """Retire the coach's cached windows after writes that send no signal (bulk ones)."""
    Availability.objects.filter(pk=availability.pk).update(version=F("version") + 1)


def weekly_rule() -> Rule:
    """The plain weekly rule, without `by…` params, that every weekly window shares."""
    rule = Rule.objects.filter(frequency="WEEKLY", params="").order_by("pk").first()
    if rule is None:
        rule = Rule.objects.create(name="Weekly", frequency="WEEKLY",
                                   description=gettext("Every week"))
    return rule


def _check_order(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValidationError(END_BEFORE_START, code="end_before_start")


def _wall_time_exists(naive: datetime, zone: ZoneInfo) -> bool:
    return local_instant(naive, zone).astimezone(zone).replace(tzinfo=None) == naive


@transaction.atomic
def weekly_window_add(*, coach: Coach, weekday: int, start: time, end: time,
                      first_day: date, last_day: date | None = None) -> Event:
    """A window every week on `weekday` (0 = Monday) from `start` to `end`, coach's local time.

    The first occurrence is on or after `first_day`; with `last_day`, none starts after it.
    """
    if weekday not in range(7):
        raise ValidationError(BAD_WEEKDAY, code="bad_weekday")
    if end <= start:
        raise ValidationError(END_BEFORE_START, code="end_before_start")
    availability = availability_for_coach(coach=coach)
    zone = coach.zone
    day = first_day + timedelta(days=(weekday - first_day.weekday()) % 7)
    # The rule repeats the first occurrence's wall-clock time: it must be one the clock shows,
    # not a time skipped by a spring-forward change that week.
    for _week in range(53):
        if (_wall_time_exists(datetime.combine(day, start), zone)
                and _wall_time_exists(datetime.combine(day, end), zone)):
            break
        day += timedelta(days=7)
    until = None
    if last_day is not None:
        if last_day < day:
            raise ValidationError(LAST_BEFORE_FIRST, code="last_before_first")
        until = local_instant(datetime.combine(last_day, time.max), zone)
    return Event.objects.create(
        calendar=availability.windows,
        title=f"{WEEKDAYS[weekday]} {start:%H:%M}–{end:%H:%M}",
        start=local_instant(datetime.combine(day, start), zone),
        end=local_instant(datetime.combine(day, end), zone),
        rule=weekly_rule(),
        end_recurring_period=until,
    )


@transaction.atomic
def extra_window_add(*, coach: Coach, start: datetime, end: datetime, title: str = "") -> Event:
    """A one-off window between two instants."""
    _check_order(start, end)
    availability = availability_for_coach(coach=coach)
    return Event.objects.create(calendar=availability.windows,
                                title=title or gettext("Extra window"), start=start, end=end)


@transaction.atomic
def time_off_add(*, coach: Coach, start: datetime, end: datetime, title: str = "") -> Event:
    """Closed time between two instants: a holiday, a single day, an afternoon."""
    _check_order(start, end)
    availability = availability_for_coach(coach=coach)
    return Event.objects.create(calendar=availability.time_off, title=title or gettext("Time off"),
                                start=start, end=end)


def extra_window_add_local(*, coach: Coach, day: date, start: time, end: time,
                           title: str = "") -> Event:
    """A one-off window on `day` from `start` to `end`, wall-clock times of the coach's zone."""
    zone = coach.zone
    return extra_window_add(coach=coach, start=local_instant(datetime.combine(day, start), zone),
                            end=local_instant(datetime.combine(day, end), zone), title=title)


def time_off_add_local(*, coach: Coach, first_day: date, last_day: date,
                       start: time | None = None, end: time | None = None,
                       title: str = "") -> Event:
    """Time off from `start` on `first_day` to `end` on `last_day`, coach's local time.

    Without `start` it begins at midnight; without `end` it lasts to the end of `last_day`,
    so (Mon, Fri) is a working week off and (d, d, 14:00, 18:00) one afternoon.
    """
    zone = coach.zone
    begins = datetime.combine(first_day, start or time(0))
    ends = (datetime.combine(last_day, end) if end is not None
            else datetime.combine(last_day + timedelta(days=1), time(0)))
    return time_off_add(coach=coach, start=local_instant(begins, zone),
                        end=local_instant(ends, zone), title=title)


@transaction.atomic
def availability_event_delete(*, availability: Availability, event_id: int) -> None:
    """Delete one of this coach's windows or time off; other calendars' events are left alone."""
    Event.objects.filter(pk=event_id, calendar_id__in=[availability.windows_id,
                                                       availability.time_off_id]).delete()


def _calendar_url(url: str) -> str:
    try:
        url = normalize_url(url)
        URLValidator(schemes=["http", "https"])(url)
    except (CalendarError, ValidationError):
        raise ValidationError({"url": BAD_CALENDAR_URL}, code="bad_url") from None
    if len(url) > ExternalCalendar._meta.get_field("url").max_length:
        raise ValidationError({"url": BAD_CALENDAR_URL}, code="bad_url")
    return url


@transaction.atomic
def external_calendar_add(*, coach: Coach, url: str, name: str = "") -> ExternalCalendar:
    """Import busy times from this calendar URL; the first refresh is queued at once.

    Only the form of the URL is checked here; where it leads (invariant 11) is checked by
    each download, as DNS answers change.
    """
    url = _calendar_url(url)
    # Lock the coach's row so two concurrent adds cannot both pass the limit.
    Coach.objects.select_for_update().filter(pk=coach.pk).first()
    if ExternalCalendar.objects.filter(coach=coach).count() >= MAX_CALENDARS_PER_COACH:
        raise ValidationError(TOO_MANY_CALENDARS, code="too_many_calendars",
                              params={"limit": MAX_CALENDARS_PER_COACH})
    name = name.strip() or urlsplit(url).hostname
    calendar = ExternalCalendar(coach=coach, url=url, name=name[:120])
    calendar.full_clean()
    calendar.save()
    schedule_refresh(calendar)
    return calendar


@transaction.atomic
def external_calendar_remove(*, calendar: ExternalCalendar) -> None:
    """Stop importing this calendar; its busy times free their slots at once."""
    discard_refresh(calendar)
    calendar.delete()


@transaction.atomic
def external_calendar_refresh(*, calendar: ExternalCalendar) -> None:
    """Refresh now; the calendar's chain continues from this run, never beside it."""
    locked = ExternalCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
    if locked is not None:
        schedule_refresh(locked)
