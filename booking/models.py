import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from timezone_field import TimeZoneField

from accounts import tokens
from accounts.models import Coach
from availability.models import SessionType


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
    invitee_timezone = TimeZoneField(_("time zone"), default="Europe/Paris")
    invitee_language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES,
                                        default="fr")
    message = models.TextField(_("message"), max_length=2000, blank=True)
    consent_at = models.DateTimeField(_("consent given at"))
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
    # What the coach wrote to the invitee with her last move of the booking (empty when the
    # invitee moved it): the "moved" email shows it.
    change_message = models.TextField(_("message about the change"), max_length=2000,
                                      blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start"]
        indexes = [
            models.Index(fields=["coach", "blocked_start"], name="booking_coach_blocked"),
            models.Index(fields=["coach", "invitee_email"], name="booking_coach_email"),
            models.Index(fields=["coach", "updated_at"], name="booking_coach_updated"),
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

    def get_absolute_url(self) -> str:
        return f"/b/{self.manage_token}/"

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


class SentNotification(models.Model):
    """One email about one booking at one SEQUENCE, claimed before it is sent.

    The unique key makes a task that runs twice send once: the second run cannot claim the
    row. A claim without `sent_at` is work in progress; a failed send deletes it so a retry can
    claim again, and a claim left by a crashed worker may be taken over after a lease.
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

    class Meta:
        verbose_name = _("sent notification")
        verbose_name_plural = _("sent notifications")
        constraints = [
            models.UniqueConstraint(fields=["booking", "sequence", "role", "kind", "minutes"],
                                    name="sent_notification_once"),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id} #{self.sequence} {self.kind} → {self.role}"
