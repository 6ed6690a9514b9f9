from datetime import time, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Coach, User
from availability.discovery import discovery_ensure
from availability.selectors import availability_events
from availability.services import availability_for_coach, weekly_window_add

DEMO_SLUG = "demo"
DEMO_EMAIL = "coach@example.com"
DEMO_PASSWORD = "demo-coach-2026"  # noqa: S105 - the printed demo login, not a secret
DEMO_ZONE = "Europe/Paris"
WINDOWS = [(time(9), time(12)), (time(14), time(18))]
WEEKDAYS = range(5)  # Monday to Friday


def _demo_user() -> User:
    user = User.objects.filter(email=DEMO_EMAIL).first()
    if user is None:
        return User.objects.create_user(DEMO_EMAIL, DEMO_PASSWORD, first_name="Claire",
                                        last_name="Martin")
    return _without_rights(user)


def _without_rights(user: User) -> User:
    if user.is_staff or user.is_superuser:
        # Earlier versions made the demo coach a superuser; with a published password that
        # would open the admin to anyone. The operator's account is createsuperuser's job.
        user.is_staff = user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser"])
    return user


def _fill_empty_week(coach: Coach) -> None:
    availability = availability_for_coach(coach=coach)
    # Only an empty week is filled: a coach who changed her windows keeps them.
    if any(kind == "weekly" for kind, _event in availability_events(availability=availability)):
        return
    first_day = timezone.now().astimezone(coach.zone).date() - timedelta(days=7)
    for weekday in WEEKDAYS:
        for start, end in WINDOWS:
            weekly_window_add(coach=coach, weekday=weekday, start=start, end=end,
                              first_day=first_day)


class Command(BaseCommand):
    help = "Create the demo coach (slug 'demo') with her weekly windows; safe to run twice."

    def handle(self, *args, **options) -> None:
        if not settings.SEED_DEMO_ALLOWED:
            raise CommandError(_("seed_demo creates a coach with a published password; it "
                                 "does not run under production settings."))
        with transaction.atomic():
            coach = Coach.objects.filter(slug=DEMO_SLUG).first()
            created = coach is None
            if coach is None:
                coach = Coach.objects.create(
                    user=_demo_user(), slug=DEMO_SLUG, display_name="Claire Martin",
                    timezone=DEMO_ZONE, language="fr",
                    bio="Coach en communication. J'aide les lecteurs de mes articles à "
                        "prendre la parole avec aisance.",
                    bio_en="Communication coach. I help the readers of my articles speak "
                           "with ease.")
            else:
                _without_rights(coach.user)
            _fill_empty_week(coach)
            discovery_ensure(coach=coach)
        message = (_("Created demo coach '%(slug)s' (%(zone)s).") if created
                   else _("Kept demo coach '%(slug)s' (%(zone)s)."))
        self.stdout.write(message % {"slug": coach.slug, "zone": coach.timezone})
        self.stdout.write(_("Sign in to the workspace at %(url)s with:")
                          % {"url": f"{settings.SITE_URL}/accounts/login/"})
        self.stdout.write(f"{coach.user.email} / {DEMO_PASSWORD}")
