"""Admin for session types and availability, in the coach's own time zone (the availability
form is `availability.forms.AvailabilityForm`)."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from availability import services
from availability.forms import EXTRA_FIELDS, TIME_OFF_FIELDS, WEEKLY_FIELDS, AvailabilityForm
from availability.models import Availability, ExternalCalendar, SessionType


@admin.register(Availability)
class AvailabilityAdmin(admin.ModelAdmin):
    form = AvailabilityForm
    list_display = ["coach", "zone", "version"]
    readonly_fields = ["zone", "version"]
    search_fields = ["coach__display_name", "coach__slug"]

    @admin.display(description=_("time zone"))
    def zone(self, obj: Availability) -> str:
        return str(obj.coach.timezone) if obj.coach_id else "—"

    def get_readonly_fields(self, request: HttpRequest, obj: Availability | None = None):
        return [*self.readonly_fields, "coach"] if obj else self.readonly_fields

    def get_fieldsets(self, request: HttpRequest, obj: Availability | None = None):
        zone_note = (_("Days and times are in the coach's time zone, %(zone)s.")
                     % {"zone": obj.coach.timezone} if obj
                     else _("Days and times are in the coach's time zone."))
        head = (None, {"fields": (["coach", "zone", "version"] if obj else ["coach"])})
        fieldsets = [
            head,
            (_("Add a weekly window"), {"fields": [WEEKLY_FIELDS], "description": zone_note}),
            (_("Add time off"), {"fields": [TIME_OFF_FIELDS], "description": zone_note}),
            (_("Add an extra window"), {"fields": [EXTRA_FIELDS], "description": zone_note}),
        ]
        if obj:
            fieldsets.append((_("Windows and time off"), {"fields": ["remove"]}))
        return fieldsets

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Bookings and history hang off the coach; her calendars go only with her.
        return False

    def save_model(self, request: HttpRequest, obj: Availability, form: AvailabilityForm,
                   change: bool) -> None:
        if not change:
            created = services.availability_for_coach(coach=obj.coach)
            obj.pk, obj.windows, obj.time_off = created.pk, created.windows, created.time_off
            obj._state.adding = False
        form.apply(obj)


@admin.register(SessionType)
class SessionTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "coach", "slug", "duration", "step", "notice", "horizon",
                    "buffer_before", "buffer_after", "daily_cap", "limit_policy", "is_active",
                    "position"]
    list_filter = ["coach", "is_active", "limit_policy"]
    list_select_related = ["coach"]
    ordering = ["coach__display_name", "position", "id"]
    search_fields = ["name", "slug", "coach__display_name", "coach__slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["coach", "name", "slug", "description", "is_active", "position"]}),
        (_("Slots"), {"fields": ["duration", "step", "notice", "horizon", "buffer_before",
                                 "buffer_after", "daily_cap"]}),
        (_("Limits"), {"fields": ["limit_policy", "limit_period_days", "max_future_bookings",
                                  "cancel_cutoff", "reminder_minutes"]}),
    ]


@admin.register(ExternalCalendar)
class ExternalCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "coach", "last_synced_at", "busy_count", "last_error_code"]
    list_filter = ["coach"]
    readonly_fields = ["last_synced_at", "last_attempt_at", "last_error", "busy_count",
                       "next_refresh_at"]
