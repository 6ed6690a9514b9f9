"""The coach's private calendar feed: which bookings it holds, its validator, and its bytes.

The feed's window moves once a day (its edges are counted from midnight UTC), so on a given
day its content depends only on the coach's rows. That lets the ETag come from the latest
`updated_at` of the coach's bookings, one index lookup (booking_coach_updated) whatever their
number: every write of a booking goes through save(), which moves `updated_at`. Bookings are
cancelled, never deleted (the admin refuses); a row deleted by hand leaves the feed the next
day. A COUNT(*) would catch it at once but costs ~3 ms per 10,000 bookings on SQLite, more
than half the budget of a conditional GET.

The builder reuses `invites.vevent`, so a feed event and the emailed invite share UID,
SEQUENCE and times. icalendar needs about 1 ms per VEVENT (10 s for 10,000), so each event's
bytes are kept in the cache under the booking's id and last change (one entry per coach) and
only changed bookings are rendered again; the whole body is also kept under its ETag for
repeated GETs. A cache miss only means rendering, so the cache never changes what is served.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import icalendar
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q, QuerySet, TextField
from django.db.models.functions import Cast
from icalendar import Calendar, vDuration

from accounts.models import Coach
from booking import invites
from booking.invites import InviteFacts
from booking.models import Booking

REFRESH_INTERVAL = timedelta(minutes=15)
CACHE_TIMEOUT = 24 * 3600
# Beyond this many bookings to render, fetch the whole feed rather than a long IN list
# (SQLite caps bound parameters; the rendering dominates anyway).
MAX_IDS_PER_QUERY = 500
SAVE_EVERY = 1000
_END = b"END:VCALENDAR\r\n"


def _builder_version() -> str:
    # Cached bytes and ETags must change when a deploy changes what the builder writes.
    source = Path(invites.__file__).read_bytes() + Path(__file__).read_bytes()
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


def feed_state(*, coach: Coach, now: datetime) -> FeedState:
    """ETag and Last-Modified from one indexed MAX() whatever the number of bookings.

    The day is in the ETag because the window moves with it; the feed token and the coach's
    name are in it so that a rotation or a renamed calendar is a new ETag too. A renamed
    session type or a new coach email shows with the next booking change or the next day.
    """
    day = _window_day(now)
    last = Booking.objects.filter(coach=coach).aggregate(last=Max("updated_at"))["last"]
    last_write = last or coach.created_at
    parts = (BUILDER_VERSION, coach.feed_token, coach.display_name, day.date().isoformat(),
             last_write.isoformat())
    etag = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    # Bookings may have left the window at midnight: the content is no older than that.
    return FeedState(etag=etag, last_modified=max(last_write, day))


def feed_event_facts(booking: Booking) -> InviteFacts:
    """One booking as the coach's calendar shows it: who is coming, no alarm, no manage link.

    The manage link is the invitee's credential, so it stays out of the coach's calendar.
    DTSTAMP is the booking's last change, so the same row always gives the same bytes.
    """
    return InviteFacts.from_booking(
        booking,
        dtstamp=booking.updated_at,
        manage_url="",
        # As in the coach's emailed invites, which carry the same UID.
        summary=f"{booking.session_type.name} · {booking.invitee_name}",
        description=booking.message,
        alarm_minutes=None,
    )


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


def _render(bookings: Iterable[Booking], *, coach: Coach, missing: dict[int, str],
            known: dict[str, bytes], cache_key: str) -> dict[int, bytes]:
    """VEVENT bytes of the `missing` bookings (pk -> cache key) among `bookings`."""
    rendered = {}
    for booking in bookings:
        if booking.pk not in missing:
            continue
        # One shared coach object: her user (the ORGANIZER) is fetched once, not per booking.
        booking.coach = coach
        rendered[booking.pk] = invites.vevent(feed_event_facts(booking)).to_ical()
        known[missing[booking.pk]] = rendered[booking.pk]
        if len(rendered) % SAVE_EVERY == 0:
            # A cold feed of 10,000 takes seconds: keep the progress should the worker time out.
            cache.set(cache_key, known, CACHE_TIMEOUT)
    return rendered


def _vevent_bytes(*, coach: Coach, now: datetime) -> list[bytes]:
    """The feed's events in order, rendering only bookings the cache has not seen as they are.

    At most three queries whatever the number of bookings: the keys, the bookings to render
    (the whole feed when many are missing), the coach's user.
    """
    bookings = feed_bookings(coach=coach, now=now).order_by("start", "pk")
    # `updated_at` as the database's text: converting 10,000 datetimes would cost 90 ms.
    rows = list(bookings.annotate(changed=Cast("updated_at", TextField()))
                .values_list("pk", "changed", "session_type__name"))
    context = hashlib.blake2b(f"{coach.display_name}\n{coach.user.email}".encode(),
                              digest_size=8).hexdigest()
    cache_key = f"feed:vevents:{coach.pk}:{BUILDER_VERSION}:{context}"
    known: dict[str, bytes] = cache.get(cache_key) or {}
    keys = {pk: f"{pk} {changed} {type_name}" for pk, changed, type_name in rows}
    missing = {pk: key for pk, key in keys.items() if key not in known}
    rendered: dict[int, bytes] = {}
    if missing:
        to_render = bookings if len(missing) > MAX_IDS_PER_QUERY else bookings.filter(
            pk__in=list(missing))
        rendered = _render(to_render.select_related("session_type"), coach=coach,
                           missing=missing, known=dict(known), cache_key=cache_key)
    fresh: dict[str, bytes] = {}
    for pk, key in keys.items():
        data = known.get(key) or rendered.get(pk)
        # A booking that left the feed between the two queries is left out. One changed in
        # between is shown as it is now; its stale key will not be asked for again.
        if data is not None:
            fresh[key] = data
    # Only current events are kept, so the entry never grows with old versions.
    if fresh.keys() != known.keys():
        cache.set(cache_key, fresh, CACHE_TIMEOUT)
    return list(fresh.values())


def feed_ics(*, coach: Coach, now: datetime, state: FeedState) -> bytes:
    """The feed's bytes for `state` (from feed_state), from the cache when it has them."""
    body_key = f"feed:body:{coach.pk}"
    cached = cache.get(body_key)
    if cached is not None and cached[0] == state.etag:
        return cached[1]
    body = calendar_ics(name=calendar_name(coach), vevents=_vevent_bytes(coach=coach, now=now))
    cache.set(body_key, (state.etag, body), CACHE_TIMEOUT)
    return body
