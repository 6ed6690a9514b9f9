"""The coach's private calendar feed, polled by calendar apps every few minutes."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe

from booking import feed


@require_safe
def coach_feed(request: HttpRequest, secret: str) -> HttpResponse:
    coach = feed.feed_coach(token=secret)
    if coach is None:
        raise Http404
    now = timezone.now()
    state = feed.feed_state(coach=coach, now=now)
    etag, last_modified = quote_etag(state.etag), int(state.last_modified.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(feed.feed_ics(coach=coach, now=now, state=state),
                                content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    # The URL is a credential: shared caches must not keep the feed.
    patch_cache_control(response, private=True, no_cache=True)
    return response
