"""Manage links (/b/<token>/…) and the coach's private feed (/feeds/<token>.ics)."""

from django.urls import path

from pages import feed, manage

app_name = "manage"

urlpatterns = [
    path("b/<str:token>/", manage.detail, name="detail"),
    path("b/<str:token>/cancel/", manage.cancel, name="cancel"),
    path("b/<str:token>/reschedule/", manage.reschedule, name="reschedule"),
    path("b/<str:token>/invite.ics", manage.invite, name="invite"),
    path("b/<str:token>/my-data.json", manage.my_data, name="data"),
    path("b/<str:token>/erase/", manage.erase, name="erase"),
    path("feeds/<str:secret>.ics", feed.coach_feed, name="feed"),
]
