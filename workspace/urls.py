from django.urls import path

from workspace import (
    agenda,
    bookings,
    calendars,
    embed,
    export,
    feed,
    hours,
    settings,
    types,
    week,
)

app_name = "workspace"

urlpatterns = [
    path("", agenda.agenda, name="agenda"),
    path("week/", week.week, name="week"),
    path("export.csv", export.export_csv, name="export"),
    path("feed/", feed.feed, name="feed"),
    path("feed/rotate/", feed.feed_rotate, name="feed_rotate"),
    path("embed/", embed.embed, name="embed"),
    path("bookings/<uuid:uid>/", bookings.detail, name="booking"),
    path("bookings/<uuid:uid>/cancel/", bookings.cancel, name="cancel"),
    path("bookings/<uuid:uid>/reschedule/", bookings.reschedule, name="reschedule"),
    path("bookings/<uuid:uid>/outcome/", bookings.outcome, name="outcome"),
    path("bookings/<uuid:uid>/notes/", bookings.note_add, name="note_add"),
    path("availability/", hours.hours_page, name="hours"),
    path("availability/week/", hours.week_save, name="hours_week"),
    path("availability/copy/", hours.week_copy, name="hours_copy"),
    path("availability/time-off/", hours.time_off_add, name="hours_time_off"),
    path("availability/dates/", hours.override_add, name="hours_override"),
    path("availability/dates/<str:day>/remove/", hours.override_remove,
         name="hours_override_remove"),
    path("availability/<str:kind>/<int:pk>/remove/", hours.event_remove, name="hours_remove"),
    path("bookings/<uuid:uid>/erase/", bookings.erase, name="erase"),
    path("types/", types.type_list, name="types"),
    path("types/new/", types.type_new, name="type_new"),
    path("types/<slug:slug>/", types.type_edit, name="type_edit"),
    path("settings/", settings.settings_page, name="settings"),
    path("calendars/", calendars.calendar_list, name="calendars"),
    path("calendars/<int:pk>/remove/", calendars.calendar_remove, name="calendar_remove"),
    path("calendars/<int:pk>/refresh/", calendars.calendar_refresh, name="calendar_refresh"),
]
