import uuid
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from timezone_field import TimeZoneField

from accounts import tokens
from accounts.models import Coach
from availability.models import SessionType
from booking import feed_events


def feed_changed(coach_id: int) -> None:
    """Move the coach's feed validators: run once a write of her bookings is committed.

    `updated_at` is stamped before commit, so a write that commits after a later-stamped one
    would leave MAX(updated_at), and with it the feed's ETag, where it was: calendar apps
    would keep their copy without it. A version moved after commit cannot be missed.
    """
    Coach.objects.filter(pk=coach_id).update(feed_version=F("feed_version") + 1,
                                              feed_changed_at=timezone.now())


class BookingQuerySet(models.QuerySet):
    def active(self) -> "BookingQuerySet":
        return self.filter(status__in=Booking.ACTIVE_STATUSES)


class Booking(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Awaiting payment")  # holds the slot until paid
        CONFIRMED = "confirmed", _("Confirmed")  # the session will take place
        CANCELLED = "cancelled", _("Cancelled")  # by either side; frees the slot
        COMPLETED = "completed", _("Completed")  # took place
        NO_SHOW = "no_show", _("No-show")  # the invitee did not come

    class CancelledBy(models.TextChoices):
        INVITEE = "invitee", _("Invitee")
        COACH = "coach", _("Coach")
        SYSTEM = "system", _("System")

    # Statuses whose blocked range no other booking may overlap (the database enforces it).
    ACTIVE_STATUSES = (Status.PENDING_PAYMENT, Status.CONFIRMED)
    FEED_EVENT_FIELDS = ("feed_event", "feed_event_key", "feed_event_at")

    uid = models.UUIDField(_("UID"), default=uuid.uuid4, unique=True, editable=False)
    coach = models.ForeignKey(Coach, on_delete=models.PROTECT, related_name="bookings",
                              verbose_name=_("coach"))
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT,
                                     related_name="bookings", verbose_name=_("session type"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    # [start - buffer before, end + buffer after): what no other active booking may overlap.
    blocked_start = models.DateTimeField(_("blocked from"))
    blocked_end = models.DateTimeField(_("blocked until"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.CONFIRMED)
    invitee_name = models.CharField(_("name"), max_length=120)
    invitee_email = models.EmailField(_("email"), max_length=254)  # normalised: lower-case
    # One spelling per mailbox (booking.addresses.canonical_email), for the per-person policy:
    # Zoe.Durand+x@googlemail.com and zoedurand@gmail.com are one person. Set by the services.
    invitee_email_canonical = models.CharField(_("canonical email"), max_length=254,
                                               blank=True, default="", editable=False)
    invitee_timezone = TimeZoneField(_("time zone"), default="Europe/Paris")
    invitee_language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES,
                                        default="fr")
    message = models.TextField(_("message"), max_length=2000, blank=True)
    # Asked when the session type is a phone call; the coach calls this number.
    invitee_phone = models.CharField(_("phone"), max_length=32, blank=True)
    # The room made for this booking when its type asks for one; only the two sides see it.
    meeting_url = models.URLField(_("meeting link"), max_length=200, blank=True)
    # When the invitee consented (the booking's creation), and to which privacy notice:
    # settings.PRIVACY_NOTICE_VERSION at that moment, the one the form and the API showed.
    consent_at = models.DateTimeField(_("consent given at"))
    consent_version = models.CharField(_("privacy notice version"), max_length=32, blank=True)
    # iCalendar SEQUENCE: rises with every change the invitee's calendar must apply.
    sequence = models.PositiveIntegerField(_("sequence"), default=0)
    manage_selector = models.CharField(max_length=tokens.SELECTOR_LENGTH, unique=True,
                                       default=tokens.new_selector, editable=False)
    manage_secret = models.CharField(max_length=tokens.SECRET_LENGTH, default=tokens.new_secret,
                                     editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.CharField(_("cancelled by"), max_length=10, choices=CancelledBy.choices,
                                    blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), max_length=2000, blank=True)
    # Set when the invitee's personal data was erased (booking.privacy): the name, email,
    # phone, message and notes are gone; times, status and history remain for the agenda.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True,
                                         editable=False)
    # Erasure asked while emails about this booking may still be on their way (a cancellation
    # it caused): booking.privacy anonymises it once they had time to go out.
    erasure_requested_at = models.DateTimeField(_("erasure requested at"), null=True,
                                                blank=True, editable=False)
    # Set by save() rather than auto_now(_add): see save(). The defaults serve bulk_create.
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False,
                                      db_index=True)
    # The booking's VEVENT in the coach's feed as icalendar wrote it, and what it was made
    # from (booking.feed_events); empty for rows written without save(), e.g. bulk_create.
    # Bytes, as to_ical() returns them: the feed joins 10,000 of them without decoding any.
    feed_event = models.BinaryField(_("feed event"), blank=True, default=b"", editable=False)
    feed_event_key = models.CharField(_("feed event key"), max_length=feed_events.KEY_LENGTH,
                                      blank=True, editable=False)
    feed_event_at = models.DateTimeField(_("feed event rendered for"), null=True, blank=True,
                                         editable=False)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start"]
        indexes = [
            models.Index(fields=["coach", "blocked_start"], name="booking_coach_blocked"),
            models.Index(fields=["coach", "invitee_email"], name="booking_coach_email"),
            models.Index(fields=["coach", "invitee_email_canonical"],
                         name="booking_coach_email_canon"),
            models.Index(fields=["coach", "updated_at"], name="booking_coach_updated"),
            # The feed reads the coach's stored events in this order without sorting them, and
            # the agenda lists and pages her bookings by start among a practice's rows.
            models.Index(fields=["coach", "start"], name="booking_coach_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")),
                                   name="booking_start_before_end"),
            models.CheckConstraint(condition=Q(blocked_start__lte=F("start"))
                                   & Q(blocked_end__gte=F("end")),
                                   name="booking_blocked_covers_session"),
        ]
        # On PostgreSQL, migration 0002 adds the exclusion constraint `booking_no_overlap`.

    def __str__(self) -> str:
        # On the coach's clock, like every time the admin shows (invariant 8).
        zone = self.coach.zone
        return f"{self.invitee_name} · {self.start.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}"

    def save(self, *, force_insert: bool = False, force_update: bool = False,
             using: str | None = None, update_fields=None) -> None:
        """Stamp the row and store its feed event (written by icalendar) in the same write.

        The stamps are set here, not by auto_now(_add), which would set them inside
        save_base after the event was rendered: the event's CREATED, DTSTAMP and
        LAST-MODIFIED must be the very values the row holds, and `feed_event_at` must equal
        `updated_at` for the feed to trust the stored event. Every save moves `updated_at`,
        the feed's ETag follows it: `update_fields` get the stamp and the event added.
        """
        now = timezone.now()
        if self._state.adding:
            self.created_at = now
        self.updated_at = now
        self.render_feed_event()
        if update_fields is not None:
            update_fields = {*update_fields, "updated_at", *self.FEED_EVENT_FIELDS}
        super().save(force_insert=force_insert, force_update=force_update, using=using,
                     update_fields=update_fields)
        transaction.on_commit(partial(feed_changed, self.coach_id), using=using, robust=True)

    def get_absolute_url(self) -> str:
        return f"/b/{self.manage_token}/"

    def get_workspace_url(self) -> str:
        """The coach's page of this booking (spelled out: the domain knows no URL names)."""
        return f"/coach/bookings/{self.uid}/"

    @property
    def workspace_url(self) -> str:
        return settings.SITE_URL + self.get_workspace_url()

    @property
    def manage_token(self) -> str:
        return self.manage_selector + self.manage_secret

    @property
    def manage_url(self) -> str:
        return settings.SITE_URL + self.get_absolute_url()

    @property
    def invitee_zone(self) -> ZoneInfo:
        return ZoneInfo(str(self.invitee_timezone))

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    def render_feed_event(self) -> None:
        """Render this booking's feed event with icalendar into its feed_event fields.

        Reads the coach, her user and the session type: select_related them.
        """
        if self.start is None or self.end is None or self.end <= self.start:
            # No event for such a row: the database's booking_start_before_end refuses it.
            self.feed_event, self.feed_event_key, self.feed_event_at = b"", "", None
            return
        stored = feed_events.render_event(self)
        self.feed_event, self.feed_event_key, self.feed_event_at = (stored.ics, stored.key,
                                                                    stored.at)


class SentNotification(models.Model):
    """One email about one booking at one SEQUENCE, claimed before it is sent.

    The unique key makes a task that runs twice send once: the second run cannot claim the
    row. A claim without `sent_at` is work in progress; a failed send deletes it so a retry can
    claim again, and a claim left by a crashed worker may be taken over after a lease. A message
    given up on keeps its row with `failed_at` and `error`.
    """

    class Role(models.TextChoices):
        INVITEE = "invitee", _("Invitee")
        COACH = "coach", _("Coach")

    class Kind(models.TextChoices):
        REQUEST = "request", _("Invitation")  # METHOD:REQUEST: booked or moved
        CANCEL = "cancel", _("Cancellation")  # METHOD:CANCEL
        REMINDER = "reminder", _("Reminder")  # before the session, `minutes` ahead

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="notifications",
                                verbose_name=_("booking"))
    sequence = models.PositiveIntegerField(_("sequence"))
    role = models.CharField(_("recipient"), max_length=10, choices=Role.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # A reminder's offset before the start; 0 for invitations and cancellations.
    minutes = models.PositiveIntegerField(_("minutes before"), default=0)
    # The start the message announced, so a later message can say where the session moved from.
    start = models.DateTimeField(_("start"))
    claimed_at = models.DateTimeField(_("claimed at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Set when the message is given up on (retries used up, or an error no retry can cure), so
    # the loss is visible in the admin rather than only in a log line.
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True, default="")

    class Meta:
        verbose_name = _("sent notification")
        verbose_name_plural = _("sent notifications")
        constraints = [
            models.UniqueConstraint(fields=["booking", "sequence", "role", "kind", "minutes"],
                                    name="sent_notification_once"),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id} #{self.sequence} {self.kind} → {self.role}"


class BookingEvent(models.Model):
    """One change of a booking, by whom and when: its history is rows, not log lines.

    Written by the booking services in the transaction of the change itself, so a change
    that rolls back leaves no event and a committed one always has its event.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Booked")
        CONFIRMED = "confirmed", _("Paid and confirmed")
        RESCHEDULED = "rescheduled", _("Moved")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Marked completed")
        NO_SHOW = "no_show", _("Marked no-show")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events",
                                verbose_name=_("booking"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.CharField(_("by"), max_length=10, choices=Booking.CancelledBy.choices)
    at = models.DateTimeField(_("at"))
    # The SEQUENCE the change produced: the email task finds a move's message by it.
    sequence = models.PositiveIntegerField(_("sequence"), default=0)
    old_start = models.DateTimeField(_("previous start"), null=True, blank=True)
    new_start = models.DateTimeField(_("new start"), null=True, blank=True)
    message = models.TextField(_("message"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["booking", "at"], name="booking_event_at")]

    def __str__(self) -> str:
        return f"{self.booking_id} {self.kind} by {self.actor}"


class BookingNote(models.Model):
    """A private note of the coach about a booking; never shown or sent to the invitee."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="notes",
                                verbose_name=_("booking"))
    text = models.TextField(_("note"), max_length=2000)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("private note")
        verbose_name_plural = _("private notes")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["booking", "created_at"], name="booking_note_at")]

    def __str__(self) -> str:
        return f"{self.booking_id} note {self.created_at:%Y-%m-%d %H:%M}"


class ScheduledJob(models.Model):
    """The one live run of a periodic job (a daily purge): one row per job, by name.

    Like an imported calendar's refresh chain (availability.tasks): each scheduled run carries
    a fresh token, and only the run whose token the row holds may act and schedule the next,
    so restarts, retries and the ensure command at worker start never fork the chain.
    """

    name = models.CharField(_("name"), max_length=60, unique=True)
    token = models.CharField(max_length=64, blank=True, editable=False)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    next_run_at = models.DateTimeField(_("next run at"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name
