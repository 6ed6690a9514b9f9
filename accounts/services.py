"""Writes of accounts: coaches, their feed token and their API keys."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import apikeys, tokens
from accounts.models import ApiKey, Coach, User
from accounts.photos import process_photo

EMAIL_TAKEN = _("A user with this email address already exists.")
SLUG_TAKEN = _("A coach with this slug already exists.")
KEY_NAME_REQUIRED = _("Give the key a name, such as the script that will use it.")
NAME_REQUIRED = _("Enter the name prospects will see.")
BAD_WEBSITE = _("Enter a web address that starts with https:// or http://.")
BAD_TEXT = _("Remove the control characters from this text.")

# What a coach may change on her profile here (her zone changes through
# availability.services.coach_zone_change, which also moves her weekly hours).
PROFILE_FIELDS = ("display_name", "bio", "bio_en", "website", "language", "notification_email")


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


def _has_control_characters(text: str, *, multiline: bool) -> bool:
    allowed = "\n\r\t" if multiline else ""
    return any((ord(c) < 32 and c not in allowed) or ord(c) == 127 for c in text)


def _clean_profile(coach: Coach) -> dict[str, list]:
    found: dict[str, list] = {}
    for name in ("display_name", "bio", "bio_en", "website", "notification_email"):
        if _has_control_characters(getattr(coach, name), multiline=name.startswith("bio")):
            found[name] = [BAD_TEXT]
    coach.display_name = coach.display_name.strip()
    if not coach.display_name and "display_name" not in found:
        found["display_name"] = [NAME_REQUIRED]
    coach.website = coach.website.strip()
    if coach.website and "website" not in found:
        try:
            URLValidator(schemes=["http", "https"])(coach.website)
        except ValidationError:
            found["website"] = [BAD_WEBSITE]
    coach.notification_email = coach.notification_email.strip().lower()
    return found


@transaction.atomic
def coach_profile_update(*, coach: Coach, changes: dict, photo: UploadedFile | None = None,
                         remove_photo: bool = False) -> Coach:
    """Change what prospects see of the coach and where her notifications go.

    `changes` maps PROFILE_FIELDS names to values; `photo` replaces her photo (re-encoded by
    accounts.photos), `remove_photo` drops it. Raises ValidationError keyed by field with every
    refusal at once; nothing is written then (the coach object keeps its stored values).
    """
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not a profile field: {sorted(unknown)}")
    before = {name: getattr(coach, name) for name in PROFILE_FIELDS}
    for name, value in changes.items():
        setattr(coach, name, value if value is not None else "")
    found = _clean_profile(coach)
    new_photo = None
    if photo is not None:
        try:
            new_photo = process_photo(photo)
        except ValidationError as exc:
            found["photo"] = exc.messages
    try:
        coach.full_clean(exclude=[*found, "user", "photo"], validate_unique=False,
                         validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            found.setdefault(name, []).extend(messages)
    if found:
        for name, value in before.items():
            setattr(coach, name, value)
        raise ValidationError(found)
    old_photo = coach.photo.name if (new_photo is not None or remove_photo) else ""
    if new_photo is not None:
        coach.photo.save(new_photo.name, new_photo, save=False)
    elif remove_photo:
        coach.photo = ""
    coach.save(update_fields=[*PROFILE_FIELDS, "photo"])
    if old_photo:
        storage = coach.photo.storage
        # The old file goes once the new row is committed: a rollback keeps it in use.
        transaction.on_commit(lambda: storage.delete(old_photo))
    return coach
