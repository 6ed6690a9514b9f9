from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from accounts import apikeys, tokens
from accounts.models import ApiKey, Coach


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


# A key's last use is written at most this often, so that a busy script's reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def coach_by_api_key(*, key: str, now: datetime | None = None) -> Coach | None:
    """The coach this API key belongs to, or None for a malformed, unknown or revoked key.

    The prefix finds the row; the hash of the whole key is compared in constant time.
    """
    prefix = apikeys.prefix_of(key)
    if prefix is None:
        return None
    found = (ApiKey.objects.usable().select_related("coach__user")
             .filter(prefix=prefix).first())
    if found is None or not apikeys.matches(key, found.secret_hash):
        return None
    if not found.coach.user.is_active:
        return None
    now = now or timezone.now()
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.coach


def coach_api_keys(*, coach: Coach) -> QuerySet[ApiKey]:
    """The coach's keys, newest first, revoked ones included (they show when they stopped)."""
    return ApiKey.objects.filter(coach=coach)


def coach_api_key(*, coach: Coach, pk: int) -> ApiKey | None:
    return ApiKey.objects.filter(coach=coach, pk=pk).first()
