"""The coach's private calendar feed: which bookings it holds, its validator, and its bytes.

The feed's window moves once a day (its edges are counted from midnight UTC), so on a given
day its content depends only on the coach's rows. That lets the ETag come from the latest
`updated_at` of the coach's bookings, one index lookup (booking_coach_updated) whatever their
number: every write of a booking goes through save(), which moves `updated_at`. Bookings are
cancelled, never deleted (the admin refuses); a row deleted by hand leaves the feed the next
day. A COUNT(*) would catch it at once but costs ~3 ms per 10,000 bookings on SQLite, more
than half the budget of a conditional GET.

Events say what the emailed invites say (same UID, SEQUENCE and times) and are written by
`ics_fast`, which gives icalendar's bytes for them without icalendar's cost (about 1 ms per
event, 10 s for 10,000): a feed of 10,000 bookings renders from cold in a fraction of that,
so nothing is kept per event. The whole body is kept under its ETag for clients that fetch
again without a conditional GET; a cache miss only means rendering.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import icalendar
from django.conf import settings
from django.core.cache import cache
from django.db.models import CharField, F, Func, Max, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast
from icalendar import Calendar, vDuration

from accounts.models import Coach
from accounts.selectors import coach_by_feed_token
from booking import ics_fast, invites
from booking.invites import booking_uid, status_for
from booking.models import Booking

REFRESH_INTERVAL = timedelta(minutes=15)
CACHE_TIMEOUT = 24 * 3600
_END = b"END:VCALENDAR\r\n"
_TIMESTAMPS = ("start", "end", "created_at", "updated_at")


def _builder_version() -> str:
    # Cached bodies and ETags must change when a deploy changes what the builder writes.
    source = b"".join(Path(module.__file__).read_bytes() for module in (invites, ics_fast))
    source += Path(__file__).read_bytes()
    return hashlib.blake2b(source + icalendar.__version__.encode(),
                           digest_size=8).hexdigest()


BUILDER_VERSION = _builder_version()


@dataclass(frozen=True, slots=True)
class FeedState:
    """What conditional GETs compare; it changes whenever the feed's content can change."""

    etag: str
    last_modified: datetime


def _window_day(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(UTC).date(), time.min, tzinfo=UTC)


def feed_bookings(*, coach: Coach, now: datetime) -> QuerySet[Booking]:
    """The coach's bookings in her feed: future ones, those of the last FEED_PAST_WINDOW,
    and cancellations for FEED_CANCELLED_RETENTION after they happened (edges at midnight UTC).
    """
    day = _window_day(now)
    return Booking.objects.filter(coach=coach, end__gte=day - settings.FEED_PAST_WINDOW).filter(
        ~Q(status=Booking.Status.CANCELLED)
        | Q(cancelled_at__gte=day - settings.FEED_CANCELLED_RETENTION))


def feed_coach(*, token: str) -> Coach | None:
    """The coach of this feed token with her bookings' last write, in one indexed query.

    A 304 then costs that query alone: calendar apps poll every few minutes.
    """
    last = (Booking.objects.filter(coach=OuterRef("pk")).order_by("-updated_at")
            .values("updated_at")[:1])
    return coach_by_feed_token(
        token=token, queryset=Coach.objects.annotate(last_booking_write=Subquery(last)))


def feed_state(*, coach: Coach, now: datetime) -> FeedState:
    """ETag and Last-Modified from one indexed MAX() whatever the number of bookings.

    The day is in the ETag because the window moves with it; the feed token and the coach's
    name are in it so that a rotation or a renamed calendar is a new ETag too. A renamed
    session type or a new coach email shows with the next booking change or the next day.
    """
    day = _window_day(now)
    if hasattr(coach, "last_booking_write"):  # annotated by feed_coach: no second query
        last = coach.last_booking_write
    else:
        last = Booking.objects.filter(coach=coach).aggregate(last=Max("updated_at"))["last"]
    last_write = last or coach.created_at
    parts = (BUILDER_VERSION, coach.feed_token, coach.display_name, day.date().isoformat(),
             last_write.isoformat())
    etag = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    # Bookings may have left the window at midnight: the content is no older than that.
    return FeedState(etag=etag, last_modified=max(last_write, day))


class _UTCStamp(Func):
    """An instant as the database writes it in `ics_fast.utc_stamp`'s format (UTC, seconds).

    Only SQLite and PostgreSQL are supported, like the rest of the project.
    """

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # %%%% is a % once Django has formatted the template and then the query.
        return self.as_sql(compiler, connection, **extra_context,
                           template="strftime('%%%%Y%%%%m%%%%dT%%%%H%%%%M%%%%SZ', %(expressions)s)")

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, **extra_context, template=(
            "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"')"))


def _uuid(text: str) -> str:
    # SQLite keeps 32 hex digits, PostgreSQL's text has the dashes; no UUID object needed.
    if len(text) == 36:
        return text
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def feed_rows(*, coach: Coach, now: datetime) -> QuerySet:
    """The feed's bookings in order as plain tuples, in one query whatever their number:
    (uid, sequence, status, invitee_name, invitee_email, message, session type name, then
    start, end, created_at and updated_at as UTC stamps).

    The database writes the UUID as text and the instants as iCalendar stamps: models,
    UUID objects and 40,000 datetimes for a feed of 10,000 would cost more than writing the
    events.
    """
    stamps = {f"{name}_stamp": _UTCStamp(name) for name in _TIMESTAMPS}
    return (feed_bookings(coach=coach, now=now).order_by("start", "pk")
            .annotate(uid_text=Cast("uid", TextField()),
                      session_type_name=F("session_type__name"), **stamps)
            .values_list("uid_text", "sequence", "status", "invitee_name", "invitee_email",
                         "message", "session_type_name", *stamps))


def calendar_name(coach: Coach) -> str:
    return f"{coach.display_name} · Créneau"


def calendar_ics(*, name: str, vevents: Iterable[bytes]) -> bytes:
    """A subscription calendar (no METHOD, no calendar UID) around serialised VEVENTs.

    The same bytes as adding each `vevent(facts)` to a Calendar and calling to_ical(): the
    header is written by icalendar and the events are spliced in before END:VCALENDAR.
    """
    calendar = Calendar()
    calendar.add("prodid", invites.PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # NAME is RFC 7986; X-WR-CALNAME is what Apple, Google and Outlook read.
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    header = calendar.to_ical()
    assert header.endswith(_END)
    return header[: -len(_END)] + b"".join(vevents) + _END


def render_feed(*, coach: Coach, now: datetime) -> bytes:
    """The feed's bytes as the rows stand now (two queries: the rows, the coach's user).

    Each event is what `invites.vevent` writes for `InviteFacts.from_booking(booking)` with
    DTSTAMP at the booking's last change (so a row always gives the same bytes), the summary
    "<session type> · <invitee>", her message as the description, no alarm and no manage
    link: that link is the invitee's credential and stays out of the coach's calendar.
    """
    organizer_email, organizer_name = coach.user.email, coach.display_name
    events = [
        ics_fast.event_ics(
            uid=booking_uid(_uuid(uid)), sequence=sequence, start=start, end=end,
            dtstamp=updated, summary=f"{type_name} · {name}", description=message, url="",
            organizer_email=organizer_email, organizer_name=organizer_name,
            attendee_email=email, attendee_name=name, status=status_for(status),
            created=created, last_modified=updated)
        for uid, sequence, status, name, email, message, type_name, start, end, created, updated
        in feed_rows(coach=coach, now=now)]
    return calendar_ics(name=calendar_name(coach), vevents=events)


def feed_ics(*, coach: Coach, now: datetime, state: FeedState) -> bytes:
    """The feed's bytes for `state` (from feed_state), from the cache when it has them."""
    body_key = f"feed:body:{coach.pk}"
    cached = cache.get(body_key)
    if cached is not None and cached[0] == state.etag:
        return cached[1]
    body = render_feed(coach=coach, now=now)
    cache.set(body_key, (state.etag, body), CACHE_TIMEOUT)
    return body
