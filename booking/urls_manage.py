"""Manage links (/b/<token>/…) and the coach's private feed (/feeds/<token>.ics)."""

app_name = "manage"

urlpatterns: list = []
