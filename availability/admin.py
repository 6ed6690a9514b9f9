"""Admin for session types and availability, in the coach's own time zone.

Django's admin reads and shows datetimes in the current zone (UTC here), so a coach typing
09:00 into django-scheduler's Event form would open at 09:00 UTC. The availability page instead
takes weekdays, dates and wall-clock times, reads them in the coach's zone and creates the
events through `availability.services`.
"""

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from availability import services
from availability.models import Availability, ExternalCalendar, SessionType
from availability.selectors import availability_events, local_instant

WEEKLY_FIELDS = ("weekly_weekday", "weekly_start", "weekly_end", "weekly_first_day",
                 "weekly_last_day")
TIME_OFF_FIELDS = ("off_first_day", "off_start", "off_last_day", "off_end")
EXTRA_FIELDS = ("extra_day", "extra_start", "extra_end")
REQUIRED = _("This field is required.")


def _local(instant: datetime, zone) -> str:
    return date_format(instant.astimezone(zone), "D Y-m-d H:i")


def event_label(event, zone, kind: str) -> str:
    """One event as the coach reads it: in her zone."""
    start, end = event.start.astimezone(zone), event.end.astimezone(zone)
    if kind == "weekly":
        label = gettext("Every %(day)s %(start)s–%(end)s, from %(first)s") % {
            "day": WEEKDAYS[start.weekday()], "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}", "first": f"{start:%Y-%m-%d}"}
        if event.end_recurring_period:
            label += gettext(" until %(last)s") % {
                "last": f"{event.end_recurring_period.astimezone(zone):%Y-%m-%d}"}
        return label
    template = (gettext("Time off: %(start)s → %(end)s") if kind == "time_off"
                else gettext("Extra window: %(start)s → %(end)s"))
    return template % {"start": _local(start, zone), "end": _local(end, zone)}


class AvailabilityForm(forms.ModelForm):
    weekly_weekday = forms.TypedChoiceField(
        label=_("day"), required=False, coerce=int, empty_value=None,
        choices=[("", "---------"), *WEEKDAYS.items()])
    weekly_start = forms.TimeField(label=_("from"), required=False)
    weekly_end = forms.TimeField(label=_("to"), required=False)
    weekly_first_day = forms.DateField(
        label=_("starting on"), required=False, help_text=_("Empty: starting today."))
    weekly_last_day = forms.DateField(label=_("until"), required=False,
                                      help_text=_("Empty: every week, with no end."))
    off_first_day = forms.DateField(label=_("first day"), required=False)
    off_start = forms.TimeField(label=_("from"), required=False,
                                help_text=_("Empty: from the start of the first day."))
    off_last_day = forms.DateField(label=_("last day"), required=False,
                                   help_text=_("Empty: the first day."))
    off_end = forms.TimeField(label=_("to"), required=False,
                              help_text=_("Empty: to the end of the last day."))
    extra_day = forms.DateField(label=_("day"), required=False)
    extra_start = forms.TimeField(label=_("from"), required=False)
    extra_end = forms.TimeField(label=_("to"), required=False)
    remove = forms.TypedMultipleChoiceField(
        label=_("remove"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick what to delete, then save."))

    class Meta:
        model = Availability
        fields = ["coach"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            zone = self.instance.coach.zone
            self.fields["remove"].choices = [
                (event.pk, event_label(event, zone, kind))
                for kind, event in availability_events(availability=self.instance)]
        else:
            del self.fields["remove"]

    def _zone(self):
        if self.instance.pk:
            return self.instance.coach.zone
        coach = self.cleaned_data.get("coach")
        return coach.zone if coach is not None else None

    def _group(self, names: tuple[str, ...], required: tuple[str, ...]) -> bool:
        """Whether this group was filled in; marks its missing required fields."""
        if not any(self.cleaned_data.get(name) not in (None, "") for name in names):
            return False
        for name in required:
            if self.cleaned_data.get(name) in (None, ""):
                self.add_error(name, REQUIRED)
        return not any(name in self.errors for name in names)

    def clean(self) -> dict:
        data = super().clean()
        zone = self._zone()
        if zone is None:
            return data
        if self._group(WEEKLY_FIELDS, ("weekly_weekday", "weekly_start", "weekly_end")):
            self._clean_weekly(data)
        if self._group(TIME_OFF_FIELDS, ("off_first_day",)):
            self._clean_time_off(data, zone)
        if self._group(EXTRA_FIELDS, EXTRA_FIELDS):
            self._clean_extra(data, zone)
        return data

    def _clean_weekly(self, data: dict) -> None:
        if data["weekly_end"] <= data["weekly_start"]:
            self.add_error("weekly_end", services.END_BEFORE_START)
        first, last = data.get("weekly_first_day"), data.get("weekly_last_day")
        if first and last and last < first:
            self.add_error("weekly_last_day", services.LAST_BEFORE_FIRST)
        data["weekly"] = True

    def _clean_time_off(self, data: dict, zone) -> None:
        first = data["off_first_day"]
        last = data.get("off_last_day") or first
        start = datetime.combine(first, data.get("off_start") or time(0))
        end = (datetime.combine(last, data["off_end"]) if data.get("off_end")
               else datetime.combine(last + timedelta(days=1), time(0)))
        if local_instant(end, zone) <= local_instant(start, zone):
            self.add_error("off_last_day" if last < first else "off_end",
                           services.END_BEFORE_START)
        data["time_off"] = True

    def _clean_extra(self, data: dict, zone) -> None:
        day = data["extra_day"]
        if (local_instant(datetime.combine(day, data["extra_end"]), zone)
                <= local_instant(datetime.combine(day, data["extra_start"]), zone)):
            self.add_error("extra_end", services.END_BEFORE_START)
        data["extra"] = True

    def apply(self, availability: Availability) -> None:
        """Create and delete the events this form asks for, through the services."""
        data = self.cleaned_data
        coach = availability.coach
        for event_id in data.get("remove") or ():
            services.availability_event_delete(availability=availability, event_id=event_id)
        if data.get("weekly"):
            today = timezone.now().astimezone(coach.zone).date()
            services.weekly_window_add(
                coach=coach, weekday=data["weekly_weekday"], start=data["weekly_start"],
                end=data["weekly_end"], first_day=data.get("weekly_first_day") or today,
                last_day=data.get("weekly_last_day"))
        if data.get("time_off"):
            first: date = data["off_first_day"]
            services.time_off_add_local(
                coach=coach, first_day=first, last_day=data.get("off_last_day") or first,
                start=data.get("off_start"), end=data.get("off_end"))
        if data.get("extra"):
            services.extra_window_add_local(coach=coach, day=data["extra_day"],
                                            start=data["extra_start"], end=data["extra_end"])


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
