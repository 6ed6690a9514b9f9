from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.selectors import coach_by_slug
from accounts.services import api_key_create
from web.parsing import is_slug


class Command(BaseCommand):
    help = "Print a new API key for the coach of this slug. It is shown once and stored hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--name", default="command line", help="What the key is for.")

    def handle(self, *args, **options) -> None:
        slug = options["slug"]
        coach = coach_by_slug(slug=slug) if is_slug(slug) else None
        if coach is None:
            raise CommandError(f"No coach has the slug '{slug}'.")
        try:
            _key, plaintext = api_key_create(coach=coach, name=options["name"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(plaintext)
