from django.urls import path

from booking.views import public

app_name = "booking"

urlpatterns = [
    path("", public.home, name="home"),
    path("<slug:coach>/", public.coach_page, name="coach"),
]
