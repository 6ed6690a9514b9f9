from django.db import transaction

from accounts import tokens
from accounts.models import Coach


@transaction.atomic
def coach_rotate_feed_token(*, coach: Coach) -> Coach:
    """Give the coach a new feed URL; the old one answers 404 from now on."""
    coach.feed_selector = tokens.new_selector()
    coach.feed_secret = tokens.new_secret()
    coach.save(update_fields=["feed_selector", "feed_secret"])
    return coach
