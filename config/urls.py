from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path

from api.main import api, unknown_path
from config.admin_login import admin_login
from config.views import bad_request, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("coach/", include("workspace.urls_auth")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", unknown_path),  # ninja's own root answers an HTML 404
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<rest>.*)$", unknown_path),
    path("payments/", include("payments.urls")),
    path("coach/", include("workspace.urls")),
    path("", include("pages.urls_manage")),
    # Coaches' photos under `make run` (DEBUG only: static() is empty otherwise; production
    # serves MEDIA_ROOT from the web server). Before pages.urls, whose /<coach>/… would match.
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
    path("", include("pages.urls")),
]

handler400 = bad_request
