"""Arm the daily personal data purge if no run is queued; safe to run any time, any number."""

from django.core.management.base import BaseCommand

from booking.privacy_tasks import ensure_purge_chain


class Command(BaseCommand):
    help = "Arm the worker's daily purge of expired personal data when it has no live run."

    def handle(self, *args, **options) -> None:
        armed = ensure_purge_chain()
        self.stdout.write("Daily purge armed." if armed else "Daily purge already scheduled.")
