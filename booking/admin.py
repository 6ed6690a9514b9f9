"""Site staff's view of bookings. Every change goes through booking.services, never a form.

Times, status and invitee details are read-only here: a booking moves or ends only by the
services, which re-check the guard and tell both sides.
"""

from datetime import datetime

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from booking import errors, services
from booking.models import Booking, SentNotification


def in_coach_zone(instant: datetime | None, booking: Booking) -> str:
    """`instant` on the coach's clock, her zone named (invariant 8): the admin's own TIME_ZONE
    is UTC, which is nobody's clock."""
    if instant is None:
        return "-"
    zone = booking.coach.zone
    return f"{date_format(instant.astimezone(zone), 'Y-m-d H:i')} {zone.key}"


def _local(field: str, label: str):
    @admin.display(description=label, ordering=field)
    def show(self, obj) -> str:
        booking = obj if isinstance(obj, Booking) else obj.booking
        return in_coach_zone(getattr(obj, field), booking)

    show.__name__ = f"{field}_local"
    return show


class SentNotificationInline(admin.TabularInline):
    """Which emails went out for this booking, and when: the idempotency log, read-only."""

    model = SentNotification
    fields = ["sequence", "kind", "role", "minutes", "start_local", "claimed_at_local",
              "sent_at_local", "failed_at_local", "error"]
    readonly_fields = fields
    extra = 0
    start_local = _local("start", _("start"))
    claimed_at_local = _local("claimed_at", _("claimed at"))
    sent_at_local = _local("sent_at", _("sent at"))
    failed_at_local = _local("failed_at", _("failed at"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[SentNotification]:
        return super().get_queryset(request).select_related("booking__coach")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    inlines = [SentNotificationInline]
    list_display = ["start_local", "coach", "session_type", "invitee_name", "invitee_email",
                    "status"]
    list_filter = ["status", "coach", "session_type", ("start", admin.DateFieldListFilter)]
    list_select_related = ["coach", "session_type"]
    search_fields = ["invitee_email", "invitee_name"]
    date_hierarchy = "start"
    ordering = ["-start"]
    actions = ["cancel_by_coach", "mark_no_show", "mark_completed"]
    # Every time on the coach's clock with her zone named, never the server's UTC.
    fields = ["uid", "coach", "session_type", "status", "start_local", "end_local",
              "blocked_start_local", "blocked_end_local", "invitee_name", "invitee_email",
              "invitee_timezone", "invitee_language", "message", "consent_at_local",
              "consent_version", "sequence", "cancelled_at_local", "cancelled_by",
              "cancel_reason",
              "anonymised_at_local", "created_at_local", "updated_at_local"]
    readonly_fields = fields
    start_local = _local("start", _("start"))
    end_local = _local("end", _("end"))
    blocked_start_local = _local("blocked_start", _("blocked from"))
    blocked_end_local = _local("blocked_end", _("blocked until"))
    consent_at_local = _local("consent_at", _("consent given at"))
    cancelled_at_local = _local("cancelled_at", _("cancelled at"))
    anonymised_at_local = _local("anonymised_at", _("anonymised at"))
    created_at_local = _local("created_at", _("created at"))
    updated_at_local = _local("updated_at", _("updated at"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # bookings are made through the public page or the API

    def has_delete_permission(self, request: HttpRequest, obj: Booking | None = None) -> bool:
        return False  # cancel instead: the invitee's calendar must hear about it

    def _apply(self, request: HttpRequest, queryset: QuerySet[Booking], change) -> None:
        done = 0
        for booking in queryset.select_related("session_type"):
            try:
                change(booking)
            except errors.BookingError as exc:
                self.message_user(request, gettext("%(booking)s: %(message)s")
                                  % {"booking": booking, "message": exc.message}, messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, ngettext("%(count)d booking updated.",
                                                "%(count)d bookings updated.", done)
                              % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Cancel (by the coach)"), permissions=["change"])
    def cancel_by_coach(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        self._apply(request, queryset, lambda booking: services.booking_cancel(
            booking=booking, by=Booking.CancelledBy.COACH))

    @admin.action(description=_("Mark as no-show"), permissions=["change"])
    def mark_no_show(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        self._apply(request, queryset,
                    lambda booking: services.booking_mark_no_show(booking=booking))

    @admin.action(description=_("Mark as completed"), permissions=["change"])
    def mark_completed(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        self._apply(request, queryset,
                    lambda booking: services.booking_complete(booking=booking))
