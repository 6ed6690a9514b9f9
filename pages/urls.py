from django.urls import path

from pages import paid, privacy, public

app_name = "pages"

urlpatterns = [
    path("", public.home, name="home"),
    path("privacy/", privacy.privacy, name="privacy"),
    path("<slug:coach>/", public.coach_page, name="coach"),
    path("<slug:coach>/<slug:session_type>/", public.picker, name="picker"),
    path("<slug:coach>/<slug:session_type>/book/", public.book, name="book"),
    path("<slug:coach>/<slug:session_type>/confirmed/<str:token>/", public.confirmed,
         name="confirmed"),
    path("<slug:coach>/<slug:session_type>/paid/<str:token>/", paid.paid, name="paid"),
    path("<slug:coach>/<slug:session_type>/unpaid/<str:token>/", paid.unpaid, name="unpaid"),
]
