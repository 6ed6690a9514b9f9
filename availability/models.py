from datetime import timedelta

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from schedule.models import Calendar

from accounts.models import Coach

# Bounds that keep a booking's blocked range under MAX_BLOCKED_SPAN, so reads of the bookings
# around a day can bound their index scan from below instead of reading the whole history.
MAX_DURATION = timedelta(hours=8)
MAX_BUFFER = timedelta(hours=4)
MAX_BLOCKED_SPAN = MAX_DURATION + 2 * MAX_BUFFER


def default_reminders() -> list[int]:
    return [24 * 60, 60]


class SessionType(models.Model):
    """What a prospect books, with the rules that shape its slots."""

    class LimitPolicy(models.TextChoices):
        ONCE = "once", _("Once per person")  # one non-cancelled booking per email, ever
        PER_PERIOD = "per_period", _("Once per period")  # one per email within limit_period_days
        UNLIMITED = "unlimited", _("Unlimited")  # no per-person limit but max_future_bookings

    class LocationKind(models.TextChoices):
        VIDEO = "video", _("Video call")  # her fixed link, or a room made for each booking
        PHONE = "phone", _("Phone call")  # the invitee gives a number when booking
        IN_PERSON = "in_person", _("In person")  # location_details is the address
        CUSTOM = "custom", _("Other")  # location_details says it in her words

    class RefundPolicy(models.TextChoices):
        # Full refund when the invitee cancels before the cut-off; none after.
        BEFORE_CUTOFF = "before_cutoff", _("Full refund before the cancellation cut-off")
        ALWAYS = "always", _("Always a full refund")  # whenever the invitee cancels
        NEVER = "never", _("No refund")  # when the invitee cancels; the coach's cancel refunds

    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="session_types",
                              verbose_name=_("coach"))
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    # English wording; blank falls back to the French `name` / `description`.
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    duration = models.DurationField(_("duration"), default=timedelta(minutes=30),
                                    validators=[MaxValueValidator(MAX_DURATION)])
    step = models.DurationField(_("slot step"), default=timedelta(minutes=30))
    notice = models.DurationField(_("minimum notice"), default=timedelta(hours=12))
    horizon = models.DurationField(_("booking horizon"), default=timedelta(days=60))
    buffer_before = models.DurationField(_("buffer before"), default=timedelta(0),
                                         validators=[MaxValueValidator(MAX_BUFFER)])
    buffer_after = models.DurationField(_("buffer after"), default=timedelta(0),
                                        validators=[MaxValueValidator(MAX_BUFFER)])
    daily_cap = models.PositiveSmallIntegerField(
        _("daily cap"), null=True, blank=True,
        help_text=_("At most this many sessions of any type on one day (coach's time); "
                    "empty for no cap."))
    limit_policy = models.CharField(_("booking limit per person"), max_length=16,
                                    choices=LimitPolicy.choices, default=LimitPolicy.ONCE)
    limit_period_days = models.PositiveSmallIntegerField(
        _("limit period (days)"), null=True, blank=True, validators=[MinValueValidator(1)])
    max_future_bookings = models.PositiveSmallIntegerField(
        _("future bookings per person"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)])
    max_reschedules = models.PositiveSmallIntegerField(
        _("moves per booking"), default=3, validators=[MaxValueValidator(100)],
        help_text=_("How many times the invitee can move a booking from her link; the "
                    "coach's own moves do not count."))
    cancel_cutoff = models.DurationField(
        _("cancellation cut-off"), default=timedelta(hours=12),
        help_text=_("The invitee can cancel or reschedule online until this long before."))
    reminder_minutes = models.JSONField(
        _("reminders (minutes before)"), default=default_reminders, blank=True)
    # Minor units (cents) in `price_currency`; null means a free session.
    price_amount = models.PositiveIntegerField(_("price (minor units)"), null=True, blank=True)
    price_currency = models.CharField(
        _("currency"), max_length=3, blank=True,
        validators=[RegexValidator(r"^[a-z]{3}$", _("Use a three-letter code in lower case."))],
        help_text=_("Three-letter ISO code in lower case, as Stripe takes it: eur, usd…"))
    refund_policy = models.CharField(_("refund policy"), max_length=16,
                                     choices=RefundPolicy.choices,
                                     default=RefundPolicy.BEFORE_CUTOFF)
    # Where the session happens; a blank kind says nothing (the coach tells the invitee).
    location_kind = models.CharField(_("where"), max_length=16, choices=LocationKind.choices,
                                     blank=True)
    location_details = models.CharField(
        _("location details"), max_length=500, blank=True,
        help_text=_("Your video link, the address, or what to tell the invitee."))
    # For video: each booking gets its own meeting room (Booking.meeting_url).
    location_room_per_booking = models.BooleanField(_("a meeting room for each booking"),
                                                    default=False)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("session type")
        verbose_name_plural = _("session types")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["coach", "slug"], name="session_type_slug_per_coach"),
            models.CheckConstraint(condition=Q(duration__gt=timedelta(0)),
                                   name="session_type_duration_positive"),
            models.CheckConstraint(condition=Q(step__gt=timedelta(0)),
                                   name="session_type_step_positive"),
            models.CheckConstraint(condition=Q(buffer_before__gte=timedelta(0))
                                   & Q(buffer_after__gte=timedelta(0)),
                                   name="session_type_buffers_not_negative"),
            models.CheckConstraint(condition=Q(duration__lte=MAX_DURATION)
                                   & Q(buffer_before__lte=MAX_BUFFER)
                                   & Q(buffer_after__lte=MAX_BUFFER),
                                   name="session_type_spans_bounded"),
            # A price always names its currency, lower-case as Stripe takes it.
            models.CheckConstraint(
                condition=Q(price_amount__isnull=True)
                | (Q(price_amount__gt=0) & ~Q(price_currency="")),
                name="session_type_price_has_currency"),
        ]

    def __str__(self) -> str:
        return f"{self.coach} · {self.name}"

    @property
    def is_paid(self) -> bool:
        return self.price_amount is not None

    @property
    def duration_minutes(self) -> int:
        return int(self.duration.total_seconds() // 60)

    def display_name(self, language: str | None = None) -> str:
        """The name in `language` (the active one by default), falling back to French."""
        if (language or get_language() or "fr").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    def display_description(self, language: str | None = None) -> str:
        if (language or get_language() or "fr").startswith("en") and self.description_en:
            return self.description_en
        return self.description


class Availability(models.Model):
    """A coach's two django-scheduler calendars: when she works, and when she does not.

    Events in `windows` open time (weekly rules, or one-off extra windows); events in
    `time_off` close it (a holiday, a single afternoon, a recurring day off). `version` rises
    with every change to either, so expanded windows can be cached under it.
    """

    coach = models.OneToOneField(Coach, on_delete=models.CASCADE, related_name="availability",
                                 verbose_name=_("coach"))
    windows = models.OneToOneField(Calendar, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("windows calendar"))
    time_off = models.OneToOneField(Calendar, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("time off calendar"))
    version = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availabilities")

    def __str__(self) -> str:
        return str(self.coach)


class ExternalCalendar(models.Model):
    """A calendar of the coach's (an ICS URL) whose busy times block slots."""

    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="external_calendars",
                              verbose_name=_("coach"))
    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("ICS URL"), max_length=1000)
    # When a refresh last succeeded (a 304 counts: the busy times were confirmed).
    last_synced_at = models.DateTimeField(_("last synced at"), null=True, blank=True,
                                          editable=False)
    # When a refresh last ran, whatever its outcome; with last_error, why it failed.
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True,
                                           editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    # A stable name for that error (availability.calendar_fetch / calendar_import codes).
    last_error_code = models.CharField(max_length=32, blank=True, editable=False)
    busy_count = models.PositiveIntegerField(_("busy intervals"), default=0, editable=False)
    # Validators of the last full download, sent back so an unchanged calendar costs a 304.
    etag = models.CharField(max_length=255, blank=True, editable=False)
    last_modified = models.CharField(max_length=64, blank=True, editable=False)
    # Busy times are expanded up to here; a 304 is only trusted while this covers the horizon.
    expanded_until = models.DateTimeField(null=True, blank=True, editable=False)
    # The refresh chain: the one queued run allowed to act holds `refresh_token`
    # (availability/tasks.py); a run with another token is a leftover and does nothing.
    next_refresh_at = models.DateTimeField(null=True, blank=True, editable=False)
    refresh_token = models.CharField(max_length=32, blank=True, editable=False)
    refresh_task_id = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("external calendar")
        verbose_name_plural = _("external calendars")
        indexes = [models.Index(fields=["next_refresh_at"])]

    def __str__(self) -> str:
        return self.name


class BusyInterval(models.Model):
    """Time the coach is busy outside Créneau; only the instants are kept, never the titles."""

    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="busy_intervals")
    source = models.ForeignKey(ExternalCalendar, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="busy_intervals")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))

    class Meta:
        verbose_name = _("busy interval")
        verbose_name_plural = _("busy intervals")
        indexes = [models.Index(fields=["coach", "start"])]
        constraints = [models.CheckConstraint(condition=Q(start__lt=F("end")),
                                              name="busy_interval_start_before_end")]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} – {self.end:%H:%M}"
