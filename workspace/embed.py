"""The snippets that put her booking page into her own website (DESIGN "Pages", `?embed=1`).

Two per session type: a script tag (static/embed.js makes the frame and keeps it as tall as
its content) and, for sites that refuse outside scripts, a plain frame of fixed height.
"""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_safe

from accounts.models import Coach
from availability.selectors import active_session_types
from workspace.common import page, workspace_view

# The plain frame cannot follow its content: tall enough for the form without scrolling.
FRAME_HEIGHT = 900


@dataclass(frozen=True)
class Snippets:
    name: str
    url: str  # the embedded page itself
    script: str
    frame: str


def snippets_for(coach: Coach) -> list[Snippets]:
    """Her active session types' snippets, with absolute URLs on SITE_URL."""
    site = settings.SITE_URL
    # The unversioned name: a pasted snippet must keep working after the file changes.
    script_src = f"{site}{settings.STATIC_URL}embed.js"
    found = []
    for session_type in active_session_types(coach=coach):
        name = session_type.display_name()
        url = site + reverse("pages:picker", args=[coach.slug, session_type.slug]) + "?embed=1"
        script = format_html(
            '<script src="{}" data-coach="{}" data-type="{}" data-title="{}" async></script>',
            script_src, coach.slug, session_type.slug, name)
        frame = format_html(
            '<iframe src="{}" title="{}" width="100%" height="{}" style="border:0" '
            'loading="lazy"></iframe>', url, name, FRAME_HEIGHT)
        found.append(Snippets(name=name, url=url,
                              script=str(script), frame=str(frame)))
    return found


@require_safe
@workspace_view
def embed(request: HttpRequest, coach: Coach) -> HttpResponse:
    return page(request, coach, "embed", {"nav": "embed", "snippets": snippets_for(coach)})
