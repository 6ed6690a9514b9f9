"""Writes of availability: calendars for a coach, weekly windows, time off, extra windows,
imported calendars, session types.

Times a coach types are wall-clock times of her zone; they are turned into instants here, with
`local_instant` (RFC 5545 reading of ambiguous and missing times), never by the caller.
"""

import secrets
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from schedule.models import Calendar, Event, Rule

from accounts.models import Coach
from accounts.services import coach_profile_update
from availability import currencies, zone_move
from availability.calendar_fetch import CalendarError, address_refused, normalize_url
from availability.models import (
    MAX_BUFFER,
    MAX_DURATION,
    Availability,
    ExternalCalendar,
    SessionType,
)
from availability.selectors import local_instant
from availability.tasks import discard_refresh, schedule_refresh

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

END_BEFORE_START = _("The end must be after the start.")
BAD_WEEKDAY = _("Choose a day of the week.")
LAST_BEFORE_FIRST = _("The last day must not be before the first occurrence.")
BAD_CALENDAR_URL = _("Enter the address of a calendar (https://, http:// or webcal://).")
BAD_CALENDAR_NAME = _("Give the calendar a name on one line, without control characters.")
REFUSED_CALENDAR_HOST = _("This address points inside a private network and cannot be "
                          "fetched.")
ZONE_CHOICE_NEEDED = _("Say whether your weekly hours keep their times or move with the zone.")
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
def extra_window_add(*, coach: Coach, start: datetime, end: datetime, title: str = "",
                     description: str = "") -> Event:
    """A one-off window between two instants."""
    _check_order(start, end)
    availability = availability_for_coach(coach=coach)
    return Event.objects.create(calendar=availability.windows,
                                title=title or gettext("Extra window"), start=start, end=end,
                                description=description)


@transaction.atomic
def time_off_add(*, coach: Coach, start: datetime, end: datetime, title: str = "",
                 description: str = "") -> Event:
    """Closed time between two instants: a holiday, a single day, an afternoon."""
    _check_order(start, end)
    availability = availability_for_coach(coach=coach)
    return Event.objects.create(calendar=availability.time_off, title=title or gettext("Time off"),
                                start=start, end=end, description=description)


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


def _host_refused(host: str) -> bool:
    """A host named or written as an address inside the network (no DNS asked here)."""
    host = host.strip("[]").rstrip(".").lower()
    loopback_ok = settings.BUSY_CALENDARS_ALLOW_LOOPBACK
    if host == "localhost" or host.endswith(".localhost"):
        return not loopback_ok
    try:
        return address_refused(host, allow_loopback=loopback_ok)
    except ValueError:  # a name, not an address: each download checks what it resolves to
        return False


def _calendar_url(url: str) -> str:
    if not isinstance(url, str) or "\x00" in url:
        raise ValidationError({"url": BAD_CALENDAR_URL}, code="bad_url")
    try:
        url = normalize_url(url)
        URLValidator(schemes=["http", "https"])(url)
    except (CalendarError, ValidationError):
        raise ValidationError({"url": BAD_CALENDAR_URL}, code="bad_url") from None
    if len(url) > ExternalCalendar._meta.get_field("url").max_length:
        raise ValidationError({"url": BAD_CALENDAR_URL}, code="bad_url")
    if _host_refused(urlsplit(url).hostname or ""):
        raise ValidationError({"url": REFUSED_CALENDAR_HOST}, code="refused_address")
    return url


@transaction.atomic
def external_calendar_add(*, coach: Coach, url: str, name: str = "") -> ExternalCalendar:
    """Import busy times from this calendar URL; the first refresh is queued at once.

    The form of the URL is checked here, and a host written as an address inside the network
    is refused at once; where a name leads (invariant 11) is checked by each download, as DNS
    answers change.
    """
    url = _calendar_url(url)
    # Lock the coach's row so two concurrent adds cannot both pass the limit.
    Coach.objects.select_for_update().filter(pk=coach.pk).first()
    if ExternalCalendar.objects.filter(coach=coach).count() >= MAX_CALENDARS_PER_COACH:
        raise ValidationError(TOO_MANY_CALENDARS, code="too_many_calendars",
                              params={"limit": MAX_CALENDARS_PER_COACH})
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValidationError({"name": BAD_CALENDAR_NAME}, code="bad_name")
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


# What a coach may set on her session types (model field names; durations as timedeltas).
SESSION_TYPE_FIELDS = (
    "name", "name_en", "slug", "description", "description_en", "duration", "step", "notice",
    "horizon", "buffer_before", "buffer_after", "daily_cap", "limit_policy", "limit_period_days",
    "max_future_bookings", "max_reschedules", "cancel_cutoff", "reminder_minutes", "location_kind",
    "location_details", "location_room_per_booking", "price_amount", "price_currency",
    "refund_policy", "is_active",
)
MAX_HORIZON = timedelta(days=730)
MAX_NOTICE = timedelta(days=90)
MAX_REMINDERS = 5
MAX_REMINDER_MINUTES = 30 * 24 * 60
PAYMENTS_OFF = _("Payments are not configured: a session type cannot have a price.")
SLUG_TAKEN = _("You already have a session type at this address.")
DETAILS_NEEDED = _("Say where: the address, or what the invitee should know.")
LINK_NEEDED = _("Give your video link (https://…), or ask for a room for each booking.")
BAD_LINK = _("Enter a link that starts with https://.")


def _minute_multiple(value: timedelta) -> bool:
    return value.total_seconds() % 60 == 0


def _check_spans(session_type: SessionType, found: dict) -> None:
    """Refusals the model's constraints would only give as a database error."""
    positive = {"duration": session_type.duration, "step": session_type.step}
    for name, value in positive.items():
        if value is not None and (value <= timedelta(0) or not _minute_multiple(value)):
            found.setdefault(name, []).append(_("Enter a whole number of minutes above zero."))
    for name in ("notice", "buffer_before", "buffer_after", "cancel_cutoff"):
        value = getattr(session_type, name)
        if value is not None and value < timedelta(0):
            found.setdefault(name, []).append(_("This cannot be negative."))
    if session_type.duration is not None and session_type.duration > MAX_DURATION:
        found.setdefault("duration", []).append(_("At most 8 hours (480 minutes)."))
    for name in ("buffer_before", "buffer_after"):
        value = getattr(session_type, name)
        if value is not None and value > MAX_BUFFER:
            found.setdefault(name, []).append(_("At most 4 hours."))
    if session_type.notice is not None and session_type.notice > MAX_NOTICE:
        found.setdefault("notice", []).append(_("At most 90 days."))
    horizon = session_type.horizon
    if horizon is not None and not timedelta(days=1) <= horizon <= MAX_HORIZON:
        found.setdefault("horizon", []).append(_("Between 1 and 730 days."))


def _check_reminders(session_type: SessionType, found: dict) -> None:
    values = session_type.reminder_minutes
    if not isinstance(values, list) or any(
            isinstance(v, bool) or not isinstance(v, int) or not 0 < v <= MAX_REMINDER_MINUTES
            for v in values) or len(values) > MAX_REMINDERS:
        found["reminder_minutes"] = [_("Up to 5 reminders, each between 1 minute and 30 days "
                                       "before.")]
        return
    session_type.reminder_minutes = sorted(set(values), reverse=True)


def _check_location(session_type: SessionType, found: dict) -> None:
    kind, details = session_type.location_kind, session_type.location_details.strip()
    session_type.location_details = details
    if kind != SessionType.LocationKind.VIDEO:
        session_type.location_room_per_booking = False
    if kind in (SessionType.LocationKind.IN_PERSON, SessionType.LocationKind.CUSTOM):
        if not details:
            found["location_details"] = [DETAILS_NEEDED]
    elif kind == SessionType.LocationKind.VIDEO and not session_type.location_room_per_booking:
        if not details:
            found["location_details"] = [LINK_NEEDED]
        else:
            try:
                URLValidator(schemes=["https"])(details)
            except ValidationError:
                found["location_details"] = [BAD_LINK]


def _check_price(session_type: SessionType, found: dict) -> None:
    if session_type.price_amount is None:
        session_type.price_currency = ""
        return
    if not settings.STRIPE_SECRET_KEY:
        found["price_amount"] = [PAYMENTS_OFF]
        return
    if session_type.price_amount <= 0:
        found["price_amount"] = [_("Enter a price above zero, or none for a free session.")]
    session_type.price_currency = (session_type.price_currency or "eur").strip().lower()
    if not currencies.is_supported(session_type.price_currency):
        found["price_currency"] = [_("Choose one of these currencies: %(codes)s.") % {
            "codes": ", ".join(code.upper() for code in currencies.CURRENCIES)}]


def _check_limits(session_type: SessionType, found: dict) -> None:
    per_period = session_type.limit_policy == SessionType.LimitPolicy.PER_PERIOD
    if per_period and not session_type.limit_period_days:
        found["limit_period_days"] = [_("Say how many days the period lasts.")]
    if not per_period:
        session_type.limit_period_days = None


def _free_slug(coach: Coach, name: str, exclude_pk: int | None) -> str:
    """A slug from `name` that none of the coach's other types has: name, name-2, name-3…"""
    base = slugify(name)[:50].strip("-") or "session"
    taken = set(SessionType.objects.filter(coach=coach).exclude(pk=exclude_pk)
                .values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _check_slug(session_type: SessionType, found: dict) -> None:
    if not session_type.slug:
        session_type.slug = _free_slug(session_type.coach, session_type.name, session_type.pk)
    elif (SessionType.objects.filter(coach=session_type.coach, slug=session_type.slug)
          .exclude(pk=session_type.pk).exists()):
        found["slug"] = [SLUG_TAKEN]


@transaction.atomic
def session_type_save(*, coach: Coach, changes: dict,
                      session_type: SessionType | None = None) -> SessionType:
    """Create (no `session_type`) or change one of `coach`'s session types.

    `changes` maps SESSION_TYPE_FIELDS names to values (durations as timedeltas, prices in
    minor units); what it leaves out keeps its value, or the `discovery` default for a new
    type. A new type without a slug gets one from its name. Raises ValidationError keyed by
    field with every refusal at once; nothing is written then.
    """
    unknown = set(changes) - set(SESSION_TYPE_FIELDS)
    if unknown:
        raise ValueError(f"Not a session type field: {sorted(unknown)}")
    if session_type is None:
        session_type = SessionType(coach=coach, position=_next_position(coach))
    elif session_type.coach_id != coach.pk:
        raise ValueError("That session type is another coach's.")
    for name, value in changes.items():
        setattr(session_type, name, value)
    session_type.name = (session_type.name or "").strip()
    found: dict[str, list] = {}
    for check in (_check_spans, _check_reminders, _check_location, _check_price, _check_limits):
        check(session_type, found)
    if session_type.name:
        _check_slug(session_type, found)
    try:
        session_type.full_clean(exclude=[*found, "coach"], validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            found.setdefault(name, []).extend(messages)
    if found:
        raise ValidationError(found)
    session_type.save()
    return session_type


def _next_position(coach: Coach) -> int:
    last = SessionType.objects.filter(coach=coach).order_by("-position").first()
    return 0 if last is None else last.position + 1


@transaction.atomic
def coach_zone_change(*, coach: Coach, zone: ZoneInfo, keep: str,
                      now: datetime | None = None) -> Coach:
    """Move the coach to `zone`; her weekly hours keep their wall-clock times (`keep` =
    zone_move.WALL) or their instants (zone_move.INSTANTS). One-off windows and time off are
    instants and stay where they are.
    """
    old = coach.zone
    if str(zone) == str(old):
        return coach
    if keep not in (zone_move.WALL, zone_move.INSTANTS):
        raise ValidationError({"zone_hours": [ZONE_CHOICE_NEEDED]}, code="zone_choice_needed")
    now = now or timezone.now()
    availability = availability_for_coach(coach=coach)
    # Her row locked: two zone changes at once would move the windows twice.
    Coach.objects.select_for_update().filter(pk=coach.pk).first()
    weekly = Event.objects.filter(
        calendar_id__in=[availability.windows_id, availability.time_off_id],
        rule__frequency="WEEKLY").order_by("pk")
    for event in weekly:
        moved = zone_move.move_weekly(start=event.start, end=event.end,
                                      end_recurring_period=event.end_recurring_period,
                                      old=old, new=zone, keep=keep, now=now)
        event.start, event.end = moved.start, moved.end
        event.end_recurring_period = moved.end_recurring_period
        event.save(update_fields=["start", "end", "end_recurring_period"])
    coach.timezone = zone
    coach.save(update_fields=["timezone"])
    availability_touch(availability=availability)
    return coach


def coach_settings_save(*, coach: Coach, changes: dict, zone: ZoneInfo | None = None,
                        zone_keep: str = "", photo: UploadedFile | None = None,
                        remove_photo: bool = False) -> Coach:
    """Her profile (accounts.services.coach_profile_update) and her zone, all or nothing.

    The zone moves first: the photo file is written last, when nothing else can refuse.
    Raises ValidationError keyed by field; the coach (row and object) is unchanged then.
    """
    if zone is not None and str(zone) != str(coach.zone) and zone_keep not in (
            zone_move.WALL, zone_move.INSTANTS):
        raise ValidationError({"zone_hours": [ZONE_CHOICE_NEEDED]}, code="zone_choice_needed")
    zone_before = coach.timezone
    try:
        with transaction.atomic():
            if zone is not None:
                coach_zone_change(coach=coach, zone=zone, keep=zone_keep)
            return coach_profile_update(coach=coach, changes=changes, photo=photo,
                                        remove_photo=remove_photo)
    except ValidationError:
        coach.timezone = zone_before
        raise
