from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from timezone_field import TimeZoneField

from accounts import tokens

# Top-level paths the site routes before coach pages: a coach with one of these slugs would be
# unreachable.
RESERVED_SLUGS = frozenset({"accounts", "admin", "api", "b", "coach", "feeds", "healthz", "i18n",
                            "media", "payments", "privacy", "static", "favicon.ico",
                            "robots.txt"})
DEFAULT_RETENTION_DAYS = 365


def validate_coach_slug(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved; please choose another slug."))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in: coaches and site staff. Prospects book without an account."""

    username = None
    email = models.EmailField(_("email address"), unique=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email


class Coach(models.Model):
    """The public face of a user who offers sessions."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="coach", verbose_name=_("user"))
    slug = models.SlugField(_("slug"), max_length=60, unique=True,
                            validators=[validate_coach_slug])
    display_name = models.CharField(_("display name"), max_length=120)
    bio = models.TextField(_("bio"), blank=True)
    # English wording; blank falls back to the French `bio`.
    bio_en = models.TextField(_("bio in English"), blank=True)
    # Re-encoded by accounts.photos (square, at most PHOTO_SIZE px, no metadata).
    photo = models.ImageField(_("photo"), upload_to="coaches/", blank=True, max_length=200)
    website = models.URLField(_("website"), max_length=500, blank=True)
    # Where her booking notifications go; blank: her sign-in address.
    notification_email = models.EmailField(_("notification email"), blank=True)
    timezone = TimeZoneField(_("time zone"), default="Europe/Paris")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES,
                                default="fr")
    # The private calendar feed's token, split as accounts.tokens describes; rotating both
    # makes the old URL a 404 at once.
    feed_selector = models.CharField(max_length=tokens.SELECTOR_LENGTH, unique=True,
                                     default=tokens.new_selector, editable=False)
    feed_secret = models.CharField(max_length=tokens.SECRET_LENGTH, default=tokens.new_secret,
                                   editable=False)
    # Moved once each write of one of her bookings is committed (booking.models): the feed's
    # ETag and Last-Modified follow commits, not only the rows' own stamps, which are taken
    # before commit and so can land behind a later write that committed first.
    feed_version = models.PositiveBigIntegerField(default=0, editable=False)
    feed_changed_at = models.DateTimeField(null=True, editable=False)
    # How long invitees' personal data is kept after their session ends: the daily purge
    # (booking.privacy) anonymises bookings older than this.
    retention_days = models.PositiveIntegerField(
        _("retention (days)"), default=DEFAULT_RETENTION_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Invitees' personal data is erased this many days after their session."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coach")
        verbose_name_plural = _("coaches")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        # Coach pages are top-level paths (hence RESERVED_SLUGS); spelled out here rather than
        # reversed, so that this model does not depend on the pages above it.
        return f"/{self.slug}/"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(str(self.timezone))

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def notification_address(self) -> str:
        """The address her booking notifications go to."""
        return self.notification_email or self.user.email

    @property
    def initial(self) -> str:
        """The first letter of her name, shown in a circle when she has no photo."""
        name = self.display_name.strip()
        return name[:1].upper() if name else "?"

    @property
    def website_host(self) -> str:
        """Her website's host name, as the link on her page reads."""
        host = urlsplit(self.website).hostname or self.website
        return host.removeprefix("www.")

    def display_bio(self, language: str | None = None) -> str:
        """Her bio in `language` (the active one by default), falling back to French."""
        if (language or get_language() or "fr").startswith("en") and self.bio_en.strip():
            return self.bio_en
        return self.bio

    @property
    def feed_token(self) -> str:
        return self.feed_selector + self.feed_secret

    @property
    def feed_url(self) -> str:
        """The private feed's absolute URL (the pages route /feeds/<token>.ics to it)."""
        return f"{settings.SITE_URL}/feeds/{self.feed_token}.ics"


class ApiKeyQuerySet(models.QuerySet):
    def usable(self) -> "ApiKeyQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A coach's key for the JSON API. Only a hash of the secret is kept (accounts.apikeys)."""

    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="api_keys",
                              verbose_name=_("coach"))
    name = models.CharField(_("name"), max_length=80)
    # The key's public first part, found by index; the rest is compared as a hash.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
