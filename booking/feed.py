"""The coach's private calendar feed: which bookings it holds, its validator, and its bytes.

The feed's window moves once a day (its edges are counted from midnight UTC), so on a given
day its content depends only on the coach's rows. That lets the ETag come from the latest
`updated_at` of the coach's bookings, one index lookup (booking_coach_updated) whatever their
number: every write of a booking goes through save(), which moves `updated_at`. Since that
stamp is taken before commit, each committed write also moves the coach's `feed_version` and
`feed_changed_at` (booking.models.feed_changed), read with her row at no cost. Bookings are
cancelled, never deleted (the admin refuses); a row deleted by hand leaves the feed the next
day. A COUNT(*) would catch it at once but costs ~3 ms per 10,000 bookings on SQLite, more
than half the budget of a conditional GET.

Events say what the emailed invites say (same UID, SEQUENCE and times; see
`feed_events.feed_facts`) and are written by icalendar alone. icalendar needs about 1 ms per
event (10 s for 10,000), so each booking keeps its event as icalendar wrote it, rendered when
the booking is saved (booking.feed_events), and a feed joins the stored pieces inside the
calendar header icalendar writes. The whole body is kept under its ETag for clients that fetch
again without a conditional GET; a cache miss only means joining the stored events again.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from icalendar import Calendar, vDuration

from accounts.models import Coach
from accounts.selectors import coach_by_feed_token
from availability import raw_reads
from availability.models import SessionType
from booking import feed_events, invites
from booking.models import Booking

REFRESH_INTERVAL = timedelta(minutes=15)
CACHE_TIMEOUT = 24 * 3600
_END = b"END:VCALENDAR\r\n"
# Stale events are rendered again this many at a time: one query to load them, one to store.
RERENDER_BATCH = 500


def _builder_version() -> str:
    # Cached bodies and ETags must change when a deploy changes what the builder writes,
    # the events' builder (whose version is in every stored event's key) or this header's.
    source = feed_events.BUILDER_VERSION.encode() + Path(__file__).read_bytes()
    return hashlib.blake2b(source, digest_size=8).hexdigest()


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
    """The coach of this feed token, her user and her bookings' last write, in one query.

    A 304 then costs that query alone: calendar apps poll every few minutes.
    """
    last = (Booking.objects.filter(coach=OuterRef("pk")).order_by("-updated_at")
            .values("updated_at")[:1])
    return coach_by_feed_token(
        token=token, queryset=Coach.objects.select_related("user")  # for the events' keys
        .annotate(last_booking_write=Subquery(last)))


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
    # The coach's feed version moves after each commit (booking.models.feed_changed): a write
    # stamped before a later one but committed after it changes the validators all the same.
    last_write = max(last or coach.created_at, coach.feed_changed_at or coach.created_at)
    parts = (BUILDER_VERSION, coach.feed_token, coach.display_name, day.date().isoformat(),
             last_write.isoformat(), str(coach.feed_version))
    etag = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    # Bookings may have left the window at midnight: the content is no older than that.
    return FeedState(etag=etag, last_modified=max(last_write, day))


def calendar_name(coach: Coach) -> str:
    return f"{coach.display_name} · Créneau"


def calendar_ics(*, name: str, vevents: Iterable[bytes]) -> bytes:
    """A subscription calendar (no METHOD, no calendar UID) around serialised VEVENTs.

    The same bytes as adding each `vevent(facts)` to a Calendar and calling to_ical(): the
    header is written by icalendar and the events, as icalendar wrote them, are spliced in
    before END:VCALENDAR.
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
    # One join, one copy of a body that may weigh megabytes.
    return b"".join([header[: -len(_END)], *vevents, _END])


def _current_keys(coach: Coach) -> dict[int, str]:
    """{session type pk: the key its bookings' current events carry} for the coach's types."""
    email, name = coach.user.email, coach.display_name
    return {pk: feed_events.event_key(organizer_name=name, organizer_email=email,
                                      type_name=type_name, type_location=tuple(location))
            for pk, type_name, *location in SessionType.objects.filter(coach=coach)
            .values_list("pk", "name", *feed_events.TYPE_LOCATION_FIELDS)}


def _stored_events(*, coach: Coach, now: datetime) -> list[tuple[bytes, int | None]]:
    """The feed's bookings in order as (stored event, pk if that event is stale else None).

    One pass over the rows in start order (the booking_coach_start index when she has a small
    share of the table, else a sort), the database comparing each row's key and stamp with
    the current ones: the usual answer is 10,000 current events and no stale one, and
    anything done per row in Python shows.
    So the ORM writes the query and `raw_reads.fetch` reads its rows, without Django's
    per-row converters and, on PostgreSQL, in binary (a bytea's text form is hex).
    """
    keys = _current_keys(coach)
    expected_key = Case(*(When(session_type_id=pk, then=Value(key)) for pk, key in keys.items()),
                        default=Value(""), output_field=CharField())
    current = Q(feed_event_at=F("updated_at")) & Q(feed_event_key=expected_key)
    stale_pk = Case(When(current, then=Value(None)), default=F("pk"),
                    output_field=IntegerField())
    rows = (feed_bookings(coach=coach, now=now).order_by("start", "pk")
            .annotate(stale_pk=stale_pk).values_list("feed_event", "stale_pk"))
    sql, params = rows.query.sql_with_params()
    return raw_reads.fetch(sql, params)


def rerender_events(pks: list[int]) -> dict[int, bytes]:
    """Render these bookings' events with icalendar again and store them; {pk: event}.

    For rows written without save() (bulk_create, rows from before the field existed) and
    rows whose coach, session type or builder changed since. `updated_at` stays as it is: the
    booking itself did not change, and its DTSTAMP is its last change. This write on a GET
    refreshes a derived copy only; a concurrent save() may overwrite it, or be overwritten by
    it, and then the stored stamp or key no longer match and the next render repairs it.
    """
    events = {}
    for first in range(0, len(pks), RERENDER_BATCH):
        batch = pks[first:first + RERENDER_BATCH]
        bookings = list(Booking.objects.filter(pk__in=batch)
                        .select_related("coach__user", "session_type"))
        for booking in bookings:
            booking.render_feed_event()
            events[booking.pk] = booking.feed_event
        Booking.objects.bulk_update(bookings, Booking.FEED_EVENT_FIELDS)
    return events


def feed_vevents(*, coach: Coach, now: datetime) -> list[bytes]:
    """The feed's VEVENTs in order, as stored, after rendering again those that are stale."""
    rows = _stored_events(coach=coach, now=now)
    stale = [pk for _, pk in rows if pk is not None]
    if not stale:
        return [event for event, _ in rows]
    fresh = rerender_events(stale)
    return [event if pk is None else fresh.get(pk, event) for event, pk in rows]


def render_feed(*, coach: Coach, now: datetime) -> bytes:
    """The feed's bytes as the rows stand now (two queries when every stored event is current:
    the coach's session types, the rows).

    Each event is what `invites.vevent` writes for `feed_events.feed_facts(booking)`:
    `InviteFacts.from_booking(booking)` with DTSTAMP at the booking's last change (so a row
    always gives the same bytes), the summary "<session type> · <invitee>", her message as
    the description, no alarm and no manage link.
    """
    return calendar_ics(name=calendar_name(coach),
                        vevents=feed_vevents(coach=coach, now=now))


def feed_ics(*, coach: Coach, now: datetime, state: FeedState) -> bytes:
    """The feed's bytes for `state` (from feed_state), from the cache when it has them."""
    body_key = f"feed:body:{coach.pk}"
    cached = cache.get(body_key)
    if cached is not None and cached[0] == state.etag:
        return cached[1]
    body = render_feed(coach=coach, now=now)
    cache.set(body_key, (state.etag, body), CACHE_TIMEOUT)
    return body
