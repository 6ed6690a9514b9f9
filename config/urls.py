from django.contrib import admin
from django.urls import include, path

from config.api import api
from config.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("payments/", include("payments.urls")),
    path("", include("booking.urls_manage")),
    path("", include("booking.urls")),
]
