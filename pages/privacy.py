"""The privacy notice (/privacy/): what is held about invitees, why, how long, their rights."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import DEFAULT_RETENTION_DAYS


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "booking/privacy.html", {
        "version": settings.PRIVACY_NOTICE_VERSION, "retention_days": DEFAULT_RETENTION_DAYS})
