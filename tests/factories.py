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


class BookingFactory(factory.django.DjangoModelFactory):
    """A confirmed booking written directly (no services, no emails, no history rows).

    Pass `start` on a free slot of the coach's windows; blocked range = the session itself.
    Use booking_create instead when the test needs the rules checked or the emails queued.
    """

    class Meta:
        model = "booking.Booking"

    session_type = factory.SubFactory(SessionTypeFactory)
    coach = factory.SelfAttribute("session_type.coach")
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
    end = factory.LazyAttribute(lambda o: o.start + o.session_type.duration)
    blocked_start = factory.SelfAttribute("start")
    blocked_end = factory.SelfAttribute("end")
    status = "confirmed"
    invitee_name = factory.Sequence(lambda n: f"Invitee {n}")
    invitee_email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    invitee_timezone = "Europe/Paris"
    consent_at = factory.LazyFunction(timezone.now)
