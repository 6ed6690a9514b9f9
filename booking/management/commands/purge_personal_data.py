"""Anonymise bookings past their retention; the worker also runs this daily."""

from django.core.management.base import BaseCommand, CommandParser

from booking.privacy import purge_personal_data


class Command(BaseCommand):
    help = ("Anonymise the personal data of bookings that ended longer ago than their coach's "
            "retention (or --older-than DAYS for every coach).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, metavar="DAYS", dest="older_than",
                            help="Retention in days for every coach instead of each one's own.")

    def handle(self, *args, older_than: int | None = None, **options) -> None:
        if older_than is not None and older_than < 0:
            self.stderr.write("--older-than must be 0 or more days.")
            raise SystemExit(2)
        count = purge_personal_data(older_than_days=older_than)
        self.stdout.write(f"{count} booking(s) anonymised.")
