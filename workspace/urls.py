from django.urls import path

from workspace import agenda, bookings, embed, export, feed, types, week

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
    path("types/", types.type_list, name="types"),
    path("types/new/", types.type_new, name="type_new"),
    path("types/<slug:slug>/", types.type_edit, name="type_edit"),
]
