from django.db.models import QuerySet

from accounts import tokens
from accounts.models import Coach


def coach_by_feed_token(*, token: str, queryset: QuerySet[Coach] | None = None) -> Coach | None:
    """The coach whose feed token this is, or None (unknown and wrong look the same).

    `queryset` lets a caller annotate the one query it costs (the feed adds its ETag's input).
    """
    parts = tokens.split(token)
    if parts is None:
        return None
    selector, secret = parts
    coaches = Coach.objects.all() if queryset is None else queryset
    coach = coaches.filter(feed_selector=selector).first()
    if coach is None or not tokens.secrets_match(coach.feed_secret, secret):
        return None
    return coach


def coach_by_slug(*, slug: str) -> Coach | None:
    return Coach.objects.filter(slug=slug).first()
