"""`python manage.py coach_feed_url <slug>`: the coach's private feed URL, on one line."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Coach


class Command(BaseCommand):
    help = "Print the absolute URL of a coach's private calendar feed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The coach's slug, e.g. demo.")

    def handle(self, *args, slug: str, **options) -> None:
        coach = Coach.objects.filter(slug=slug).first()
        if coach is None:
            raise CommandError(f"No coach with the slug {slug!r}.")
        self.stdout.write(coach.feed_url)
