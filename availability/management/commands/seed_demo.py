from datetime import time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Coach, User
from availability.models import SessionType
from availability.services import availability_for_coach, weekly_window_add

DEMO_EMAIL = "coach@example.com"
DEMO_PASSWORD = "demo-coach-2026"  # noqa: S105 - the printed demo login, not a secret
WINDOWS = [(time(9), time(12)), (time(14), time(18))]


class Command(BaseCommand):
    help = "Create the demo coach (slug 'demo') with her weekly windows; safe to run twice."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None:
            user = User.objects.create_user(DEMO_EMAIL, DEMO_PASSWORD, first_name="Claire",
                                            last_name="Martin", is_staff=True,
                                            is_superuser=True)
        coach, created = Coach.objects.get_or_create(
            slug="demo",
            defaults={"user": user, "display_name": "Claire Martin", "timezone": "Europe/Paris",
                      "language": "fr",
                      "bio": "Coach en communication. 30 min d'entretien personnalisé, offert "
                             "aux lecteurs de mes articles."})
        availability = availability_for_coach(coach=coach)
        if not availability.windows.event_set.exists():
            today = timezone.now().astimezone(coach.zone).date()
            for weekday in range(5):
                for start, end in WINDOWS:
                    weekly_window_add(coach=coach, weekday=weekday, start=start, end=end,
                                      first_day=today - timedelta(days=7))
        SessionType.objects.get_or_create(
            coach=coach, slug="discovery",
            defaults={"name": "30 min d'entretien personnalisé",
                      "description": "Un premier échange de 30 minutes, gratuit et sans "
                                     "engagement, pour faire le point sur votre communication.",
                      "duration": timedelta(minutes=30), "step": timedelta(minutes=30),
                      "notice": timedelta(hours=12), "horizon": timedelta(days=60),
                      "limit_policy": SessionType.LimitPolicy.ONCE})
        verb = "Created" if created else "Kept"
        self.stdout.write(f"{verb} demo coach 'demo' ({coach.timezone}).")
        self.stdout.write(f"Coach login: {DEMO_EMAIL} / {DEMO_PASSWORD} at /admin/")
