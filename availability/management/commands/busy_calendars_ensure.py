"""Re-arm calendar refresh chains lost while no worker ran; safe to run any time, any number."""

from django.core.management.base import BaseCommand

from availability.tasks import ensure_refresh_chains


class Command(BaseCommand):
    help = "Re-arm the busy-times refresh of calendars whose next run is overdue."

    def handle(self, *args, **options) -> None:
        rearmed = ensure_refresh_chains()
        self.stdout.write(f"{rearmed} calendar refresh chain(s) re-armed.")
