from accounts import tokens
from accounts.models import Coach


def coach_by_feed_token(*, token: str) -> Coach | None:
    """The coach whose feed token this is, or None (unknown and wrong look the same)."""
    parts = tokens.split(token)
    if parts is None:
        return None
    selector, secret = parts
    coach = Coach.objects.filter(feed_selector=selector).first()
    if coach is None or not tokens.secrets_match(coach.feed_secret, secret):
        return None
    return coach
