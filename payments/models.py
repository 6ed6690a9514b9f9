"""What money a booking moved through Stripe, and which Stripe events were applied."""

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from booking.models import Booking


class Payment(models.Model):
    """The Checkout payment of one paid booking, and its refund. Amounts in minor units."""

    class Status(models.TextChoices):
        CREATED = "created", _("Created")  # no Checkout Session yet
        OPEN = "open", _("Awaiting payment")  # the Checkout Session is open
        PAID = "paid", _("Paid")  # a verified event said so
        EXPIRED = "expired", _("Expired")  # the hold ended unpaid
        FAILED = "failed", _("Checkout unavailable")  # Stripe failed at checkout start

    class RefundStatus(models.TextChoices):
        NONE = "none", _("None")  # nothing to refund (yet)
        PENDING = "pending", _("Pending")  # decided; the task or Stripe is on it
        SUCCEEDED = "succeeded", _("Refunded")  # Stripe confirmed
        FAILED = "failed", _("Failed")  # Stripe refused, or retries ran out: needs a person

    class RefundReason(models.TextChoices):
        NONE = "", _("None")
        CANCELLED = "cancelled", _("Booking cancelled")  # by policy on cancellation
        UNAVAILABLE = "unavailable", _("Slot no longer available")  # paid after release

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="payment",
                                   verbose_name=_("booking"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.CREATED)
    amount = models.PositiveIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    checkout_session_id = models.CharField(_("Checkout Session"), max_length=255, null=True,
                                           blank=True, unique=True)
    checkout_url = models.TextField(_("Checkout URL"), blank=True)
    expires_at = models.DateTimeField(_("checkout expires at"), null=True, blank=True)
    payment_intent = models.CharField(_("PaymentIntent"), max_length=255, blank=True,
                                      db_index=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    refund_status = models.CharField(_("refund"), max_length=10, choices=RefundStatus.choices,
                                     default=RefundStatus.NONE)
    refund_reason = models.CharField(_("refund reason"), max_length=12,
                                     choices=RefundReason.choices, blank=True)
    refund_id = models.CharField(_("Stripe refund"), max_length=255, blank=True)
    refund_amount = models.PositiveIntegerField(_("refund amount (minor units)"), default=0)
    refund_requested_at = models.DateTimeField(_("refund requested at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    # Claimed before the refund notice is sent, so a task that runs twice sends once.
    refund_notified_at = models.DateTimeField(_("refund notice sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(refund_amount__lte=models.F("amount")),
                                   name="payment_refund_within_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id} · {self.amount} {self.currency} · {self.status}"

    def apply_refund(self, *, refund_id: str, stripe_status: str, now: datetime) -> None:
        """Take Stripe's word on the refund (from the API answer or an event); caller saves."""
        self.refund_id = self.refund_id or refund_id
        if stripe_status == "succeeded":
            self.refund_status, self.refunded_at = self.RefundStatus.SUCCEEDED, now
        elif stripe_status in ("failed", "canceled"):
            self.refund_status = self.RefundStatus.FAILED
        elif self.refund_status != self.RefundStatus.SUCCEEDED:
            self.refund_status = self.RefundStatus.PENDING


class StripeEvent(models.Model):
    """A Stripe event already applied: its unique id makes a second delivery a no-op."""

    event_id = models.CharField(_("event id"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self) -> str:
        return f"{self.event_id} ({self.type})"
