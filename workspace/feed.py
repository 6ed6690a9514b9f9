"""Her private calendar feed: the URL to copy into her calendar app, and rotating it."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Coach
from accounts.services import coach_rotate_feed_token
from workspace.common import page, workspace_view


@require_safe
@workspace_view
def feed(request: HttpRequest, coach: Coach) -> HttpResponse:
    return page(request, coach, "feed", {"feed_url": coach.feed_url, "nav": "feed"})


@require_http_methods(["GET", "HEAD", "POST"])
@workspace_view
def feed_rotate(request: HttpRequest, coach: Coach) -> HttpResponse:
    """GET says what rotating does; POST rotates, and the feed page shows the new URL."""
    if request.method != "POST":
        return page(request, coach, "feed_rotate", {"nav": "feed"})
    coach_rotate_feed_token(coach=coach)
    messages.success(request, _("Your feed has a new address; the old one no longer works. "
                                "Update it in your calendar app."))
    return redirect(reverse("workspace:feed"))
