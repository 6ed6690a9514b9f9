from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from accounts.models import Coach, User
from availability.models import SessionType
from availability.services import availability_for_coach, weekly_window_add
from booking.addresses import canonical_email
from booking.models import Booking, SentNotification
from booking.selectors import free_slots_for
from booking.services import Invitee, booking_create

PARIS = ZoneInfo("Europe/Paris")


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


def coach_with_week(**fields) -> Coach:
    """A coach (CoachFactory `fields`) with the demo week of windows: ready to be booked."""
    coach = CoachFactory(**fields)
    add_weekday_windows(coach)
    return coach


def first_free_start(session_type: SessionType, now: datetime | None = None) -> datetime:
    """The earliest start the slot engine offers for this type from `now` (default: the clock)."""
    now = now or timezone.now()
    slots = free_slots_for(session_type=session_type, start=now,
                           end=now + session_type.horizon, now=now)
    if not slots:
        raise LookupError(f"{session_type} has no free slot within its horizon")
    return slots[0].start


class BookingFactory(factory.django.DjangoModelFactory):
    """A confirmed booking written straight to the table: no rule checked, no email sent.

    For setting the scene (a taken slot, a row to list). A test of the booking rules or of
    what a booking sets off uses `book()`, which goes through the service.
    """

    class Meta:
        model = Booking

    session_type = factory.SubFactory(SessionTypeFactory,
                                      coach=factory.LazyFunction(coach_with_week))
    coach = factory.LazyAttribute(lambda o: o.session_type.coach)
    start = factory.LazyAttribute(lambda o: first_free_start(o.session_type))
    end = factory.LazyAttribute(lambda o: o.start + o.session_type.duration)
    blocked_start = factory.LazyAttribute(lambda o: o.start - o.session_type.buffer_before)
    blocked_end = factory.LazyAttribute(lambda o: o.end + o.session_type.buffer_after)
    status = Booking.Status.CONFIRMED
    invitee_name = "Ada Lovelace"
    invitee_email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    invitee_email_canonical = factory.LazyAttribute(lambda b: canonical_email(b.invitee_email))
    invitee_timezone = "Europe/Paris"
    invitee_language = "fr"
    consent_at = factory.LazyFunction(timezone.now)

    @classmethod
    def create_via_service(cls, session_type: SessionType, start: datetime | None = None,
                           **invitee) -> Booking:
        return book(session_type, start, **invitee)


def book(session_type: SessionType, start: datetime | None = None, *,
         now: datetime | None = None, status: str = Booking.Status.CONFIRMED,
         name: str = "Ada Lovelace", email: str = "ada@example.org",
         zone: ZoneInfo = PARIS, language: str = "fr", message: str = "",
         phone: str = "") -> Booking:
    """Book through `booking_create`, every rule checked; `start` defaults to the first free slot.

    `name`, `email`, `zone`, `language`, `message` and `phone` are the invitee's.
    """
    invitee = Invitee(name=name, email=email, timezone=zone, language=language,
                      message=message, phone=phone)
    return booking_create(session_type=session_type,
                          start=start or first_free_start(session_type, now), invitee=invitee,
                          now=now, status=status)


class SentNotificationFactory(factory.django.DjangoModelFactory):
    """A notification already claimed and sent: the invitee's invitation by default."""

    class Meta:
        model = SentNotification

    booking = factory.SubFactory(BookingFactory)
    sequence = factory.LazyAttribute(lambda o: o.booking.sequence)
    role = SentNotification.Role.INVITEE
    kind = SentNotification.Kind.REQUEST
    start = factory.LazyAttribute(lambda o: o.booking.start)
    claimed_at = factory.LazyFunction(timezone.now)
    sent_at = factory.LazyAttribute(lambda o: o.claimed_at)
