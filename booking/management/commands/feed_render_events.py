"""`python manage.py feed_render_events`: render the feed events a deploy left stale.

After a migration or an upgrade of icalendar, every booking's stored feed event is stale and
the first feed request would render them all (about 1 ms each) inside a GET. Run this after
`migrate` so that the work happens here instead.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import Coach
from booking.feed import feed_vevents


class Command(BaseCommand):
    help = "Render the stale events of every coach's private feed."

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        for coach in Coach.objects.select_related("user"):
            count = len(feed_vevents(coach=coach, now=now))
            self.stdout.write(f"{coach.slug}: {count} events current")
