from datetime import time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Coach, User
from availability.models import SessionType
from availability.selectors import availability_events
from availability.services import availability_for_coach, weekly_window_add

DEMO_SLUG = "demo"
DEMO_EMAIL = "coach@example.com"
DEMO_PASSWORD = "demo-coach-2026"  # noqa: S105 - the printed demo login, not a secret
DEMO_ZONE = "Europe/Paris"
WINDOWS = [(time(9), time(12)), (time(14), time(18))]
WEEKDAYS = range(5)  # Monday to Friday
DISCOVERY = {
    "name": "30 min d'entretien personnalisé",
    "description": "Un premier échange de 30 minutes, gratuit et sans engagement, pour faire "
                   "le point sur votre communication.",
    "duration": timedelta(minutes=30),
    "step": timedelta(minutes=30),
    "notice": timedelta(hours=12),
    "horizon": timedelta(days=60),
    "buffer_before": timedelta(0),
    "buffer_after": timedelta(0),
    "daily_cap": None,
    "limit_policy": SessionType.LimitPolicy.ONCE,
    "is_active": True,
}


class Command(BaseCommand):
    help = "Create the demo coach (slug 'demo') with her weekly windows; safe to run twice."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        coach = Coach.objects.filter(slug=DEMO_SLUG).first()
        created = coach is None
        if coach is None:
            user = User.objects.filter(email=DEMO_EMAIL).first()
            if user is None:
                user = User.objects.create_user(DEMO_EMAIL, DEMO_PASSWORD, first_name="Claire",
                                                last_name="Martin", is_staff=True,
                                                is_superuser=True)
            coach = Coach.objects.create(
                user=user, slug=DEMO_SLUG, display_name="Claire Martin", timezone=DEMO_ZONE,
                language="fr",
                bio="Coach en communication. 30 min d'entretien personnalisé, offert aux "
                    "lecteurs de mes articles.")
        availability = availability_for_coach(coach=coach)
        # Only an empty week is filled: a coach who changed her windows keeps them.
        if not any(kind == "weekly" for kind, _event in
                   availability_events(availability=availability)):
            first_day = timezone.now().astimezone(coach.zone).date() - timedelta(days=7)
            for weekday in WEEKDAYS:
                for start, end in WINDOWS:
                    weekly_window_add(coach=coach, weekday=weekday, start=start, end=end,
                                      first_day=first_day)
        SessionType.objects.get_or_create(coach=coach, slug="discovery", defaults=DISCOVERY)
        message = (_("Created demo coach '%(slug)s' (%(zone)s).") if created
                   else _("Kept demo coach '%(slug)s' (%(zone)s)."))
        self.stdout.write(message % {"slug": coach.slug, "zone": coach.timezone})
        self.stdout.write(_("Coach login: %(email)s / %(password)s at /admin/")
                          % {"email": coach.user.email, "password": DEMO_PASSWORD})
