"""The workspace's security page: where a coach turns on two-factor sign-in, changes her
password and manages API keys. The flows themselves are allauth's (and workspace.keys)."""

from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.selectors import coach_api_keys
from workspace.access import coach_required, request_coach


@coach_required
@require_http_methods(["GET"])
def security(request: HttpRequest) -> HttpResponse:
    coach = request_coach(request)
    totp = Authenticator.objects.filter(user=request.user,
                                        type=Authenticator.Type.TOTP).exists()
    return render(request, "workspace/security.html", {
        "coach": coach, "totp_active": totp,
        "has_password": request.user.has_usable_password(),
        "active_keys": coach_api_keys(coach=coach).filter(revoked_at__isnull=True).count()})
