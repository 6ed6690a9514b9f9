"""Site staff's view of bookings. Every change goes through booking.services, never a form.

Times, status and invitee details are read-only here: a booking moves or ends only by the
services, which re-check the guard and tell both sides.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from booking import errors, services
from booking.models import Booking, SentNotification


class SentNotificationInline(admin.TabularInline):
    """Which emails went out for this booking, and when: the idempotency log, read-only."""

    model = SentNotification
    fields = ["sequence", "kind", "role", "minutes", "start", "claimed_at", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    inlines = [SentNotificationInline]
    list_display = ["start", "coach", "session_type", "invitee_name", "invitee_email", "status"]
    list_filter = ["status", "coach", "session_type", ("start", admin.DateFieldListFilter)]
    list_select_related = ["coach", "session_type"]
    search_fields = ["invitee_email", "invitee_name"]
    date_hierarchy = "start"
    ordering = ["-start"]
    actions = ["cancel_by_coach", "mark_no_show", "mark_completed"]
    fields = ["uid", "coach", "session_type", "status", "start", "end", "blocked_start",
              "blocked_end", "invitee_name", "invitee_email", "invitee_timezone",
              "invitee_language", "message", "consent_at", "sequence", "cancelled_at",
              "cancelled_by", "cancel_reason", "created_at", "updated_at"]
    readonly_fields = fields

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
