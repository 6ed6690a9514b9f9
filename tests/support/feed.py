"""Bookings and readers for the feed tests: shared by test_feed and test_feed_store."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from booking.invites import InviteFacts
from booking.location import where_booked
from booking.models import Booking
from booking.services import Invitee, booking_cancel, booking_create

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)  # Monday 09:00 in Paris


def feed_url(coach) -> str:
    return f"/feeds/{coach.feed_token}.ics"


def make(session_type, start: datetime, n: int = 0, **fields) -> Booking:
    """A booking row as the services leave it, at any time (past ones included)."""
    start = start.astimezone(UTC)
    values = {"coach": session_type.coach, "session_type": session_type, "start": start,
              "end": start + timedelta(minutes=30), "blocked_start": start,
              "blocked_end": start + timedelta(minutes=30),
              "invitee_name": f"Person {n}", "invitee_email": f"p{n}@example.org",
              "consent_at": NOW} | fields
    return Booking.objects.create(**values)


def book(session_type, start: datetime, email: str = "ada@example.org",
         name: str = "Ada Lovelace", message: str = "") -> Booking:
    return booking_create(session_type=session_type, start=start, invitee=Invitee(
        name=name, email=email, timezone=ZoneInfo("America/New_York"), message=message))


def events_of(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    uids = [str(event["UID"]) for event in events]
    assert len(uids) == len(set(uids))
    return {uid: event for uid, event in zip(uids, events, strict=True)}


def invite_facts(booking: Booking) -> InviteFacts:
    """What the coach's emailed invite says of `booking`, minus the alarm and manage link.

    Written out here rather than taken from booking.feed_events: this is the definition the
    feed's events must keep.
    """
    link = where_booked(booking).link  # the video link, when there is one
    return InviteFacts.from_booking(
        booking, dtstamp=booking.updated_at, manage_url="",
        description="\n\n".join(filter(None, [booking.message, link])),
        summary=f"{booking.session_type.name} · {booking.invitee_name}", alarm_minutes=None)


def varied_bookings(session_type) -> list[Booking]:
    """Bookings whose events need escaping, quoting and folding, saved by the services and
    by hand, in the feed's order, with their coach's user and session type selected."""
    long_message = ("Bonjour, je voudrais préparer une intervention de 20 minutes; "
                    "voici le contexte, en détail : ") * 6
    bookings = [
        make(session_type, NOW + timedelta(days=1), 1, message="Line 1\nLine, 1; ok"),
        make(session_type, NOW + timedelta(days=2), 2, invitee_name="Zoë \"Z\" O'Brien; Jr ^_^",
             message="Ça va ? " * 40 + "\\N 🎉"),
        make(session_type, NOW + timedelta(days=3), 3, status=Booking.Status.CANCELLED,
             cancelled_at=NOW - timedelta(days=1), sequence=4),
        make(session_type, NOW - timedelta(days=20), 4, status=Booking.Status.COMPLETED),
        make(session_type, NOW + timedelta(days=4), 5, status=Booking.Status.PENDING_PAYMENT,
             invitee_name="李小龍", invitee_email="li@例え.jp"),
        book(session_type, datetime(2027, 3, 3, 10, tzinfo=PARIS), email="h@example.org",
             name="Hélène d'Arc-Dupré, Jr.", message=long_message),
        booking_cancel(booking=book(session_type, datetime(2027, 3, 3, 11, tzinfo=PARIS),
                                    email="b@example.org", name="Benoît “Ben” Lefèvre"),
                       by=Booking.CancelledBy.COACH, reason="Malade, désolée"),
    ]
    # Timestamps with microseconds and far from midnight, as real writes leave them, written
    # behind save()'s back: the feed must notice that the stored event is stale.
    Booking.objects.filter(pk=bookings[1].pk).update(
        created_at=datetime(2027, 2, 27, 23, 59, 59, 999999, tzinfo=UTC),
        updated_at=datetime(2027, 2, 28, 13, 4, 5, 123456, tzinfo=UTC))
    return list(Booking.objects.filter(pk__in=[b.pk for b in bookings])
                .select_related("coach__user", "session_type").order_by("start", "pk"))
