"""Writes of accounts: coaches, their feed token and their API keys."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import apikeys, tokens
from accounts.models import ApiKey, Coach, User

EMAIL_TAKEN = _("A user with this email address already exists.")
SLUG_TAKEN = _("A coach with this slug already exists.")
KEY_NAME_REQUIRED = _("Give the key a name, such as the script that will use it.")


@transaction.atomic
def coach_rotate_feed_token(*, coach: Coach) -> Coach:
    """Give the coach a new feed URL; the old one answers 404 from now on."""
    coach.feed_selector = tokens.new_selector()
    coach.feed_secret = tokens.new_secret()
    coach.save(update_fields=["feed_selector", "feed_secret"])
    return coach


@transaction.atomic
def coach_create(*, email: str, name: str, slug: str, zone: str, language: str,
                 password: str | None = None) -> Coach:
    """A user who signs in by email and her Coach profile; never staff, never superuser.

    Without a password the account has an unusable one until she sets hers.
    Raises ValidationError (keyed by field) for a taken email or slug, a reserved slug, …
    """
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [EMAIL_TAKEN]})
    if Coach.objects.filter(slug__iexact=slug).exists():
        raise ValidationError({"slug": [SLUG_TAKEN]})
    user = User(email=email, first_name=name[:150])
    user.set_password(password)  # None -> unusable
    user.full_clean(exclude=["password"])
    user.save()
    coach = Coach(user=user, slug=slug, display_name=name, timezone=zone, language=language)
    coach.full_clean()
    coach.save()
    return coach


def api_key_create(*, coach: Coach, name: str) -> tuple[ApiKey, str]:
    """A new key for `coach` and its plaintext, which exists only in this return value."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": [KEY_NAME_REQUIRED]})
    prefix, plaintext = apikeys.new_key()
    key = ApiKey(coach=coach, name=name, prefix=prefix, secret_hash=apikeys.digest(plaintext))
    key.full_clean()
    key.save(force_insert=True)
    return key, plaintext


def api_key_revoke(*, key: ApiKey, now: datetime | None = None) -> ApiKey:
    """Retire the key at once; revoking twice keeps the first date."""
    if key.revoked_at is None:
        key.revoked_at = now or timezone.now()
        ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=key.revoked_at)
    return key
