import sys

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from accounts.models import RESERVED_SLUGS, User
from availability.discovery import coach_start
from web.parsing import BadValue, is_slug, parse_zone


def password_setting_url(user: User) -> str:
    """allauth's own reset-from-key link for `user` (valid until the password changes)."""
    path = reverse("account_reset_password_from_key",
                   kwargs={"uidb36": user_pk_to_url_str(user),
                           "key": default_token_generator.make_token(user)})
    return settings.SITE_URL + path


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}"
                         for field, messages in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = ("Create a coach (no staff rights) with the free 'discovery' session type and no "
            "windows; prints her workspace URL and a link to set her password.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="Display name, as prospects see it.")
        parser.add_argument("--slug", required=True, help="Her page's address: SITE_URL/<slug>/")
        parser.add_argument("--zone", default="Europe/Paris", help="IANA time zone.")
        parser.add_argument("--language", default="fr", choices=[c for c, _ in
                                                                   settings.LANGUAGES])
        parser.add_argument("--password-stdin", action="store_true",
                            help="Read her password from the first line of standard input.")

    def _password(self, options: dict, email: str) -> str | None:
        if not options["password_stdin"]:
            return None
        password = sys.stdin.readline().rstrip("\r\n")
        try:
            validate_password(password, User(email=email))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        return password

    def handle(self, *args, **options) -> None:
        slug = options["slug"]
        if not is_slug(slug):
            raise CommandError("The slug may hold only letters, digits, '-' and '_'.")
        if slug.lower() in RESERVED_SLUGS:
            raise CommandError(f"The slug '{slug}' is reserved by the site; choose another.")
        try:
            zone = parse_zone(options["zone"]).key
        except BadValue as exc:
            raise CommandError(f"--zone: {exc}") from None
        password = self._password(options, options["email"])
        try:
            coach = coach_start(email=options["email"], name=options["name"], slug=slug,
                                zone=zone, language=options["language"], password=password)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        self.stdout.write(f"Created coach '{coach.slug}' <{coach.user.email}> ({zone}).")
        self.stdout.write(f"Workspace: {settings.SITE_URL}/coach/")
        if password is None:
            self.stdout.write(f"Set a password: {password_setting_url(coach.user)}")
