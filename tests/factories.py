from datetime import time, timedelta

import factory
from django.utils import timezone

from accounts.models import Coach, User
from availability.models import SessionType
from availability.services import availability_for_coach, weekly_window_add


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"coach{n}@example.com")
    password = factory.django.Password("pw")


class CoachFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coach
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    slug = factory.Sequence(lambda n: f"coach-{n}")
    display_name = factory.Sequence(lambda n: f"Coach {n}")
    timezone = "Europe/Paris"

    @factory.post_generation
    def calendars(obj, create, extracted, **kwargs):
        if create:
            availability_for_coach(coach=obj)


class SessionTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionType

    coach = factory.SubFactory(CoachFactory)
    name = "30 min d'entretien personnalisé"
    slug = "discovery"
    duration = timedelta(minutes=30)
    step = timedelta(minutes=30)
    notice = timedelta(hours=12)
    horizon = timedelta(days=60)


def add_weekday_windows(coach: Coach, windows=((time(9), time(12)), (time(14), time(18))),
                        weekdays=range(5)) -> None:
    """The demo coach's week: Mon–Fri 09:00–12:00 and 14:00–18:00 in her zone."""
    first_day = timezone.now().astimezone(coach.zone).date() - timedelta(days=400)
    for weekday in weekdays:
        for start, end in windows:
            weekly_window_add(coach=coach, weekday=weekday, start=start, end=end,
                              first_day=first_day)
