from datetime import UTC, datetime, timedelta

import pytest
import recurring_ical_events
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date
from icalendar import Calendar, Event

from accounts.services import coach_rotate_feed_token
from booking import feed, invites
from booking.invites import booking_uid
from booking.models import Booking
from booking.services import booking_cancel, booking_reschedule
from tests.factories import CoachFactory, UserFactory
from tests.support.feed import (
    NOW,
    PARIS,
    book,
    events_of,
    feed_url,
    invite_facts,
    make,
    varied_bookings,
)
from tests.support.icalcheck import assert_ical_check_passes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_the_feed_has_the_coachs_bookings_and_the_calendar_header(client, session_type):
    booking = book(session_type, datetime(2027, 3, 3, 10, tzinfo=PARIS), message="Bonjour")
    response = client.get(feed_url(session_type.coach))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    body = response.content
    assert b"\r\nNAME:Claire Martin \xc2\xb7 Cr\xc3\xa9neau\r\n" in body
    assert b"\r\nX-WR-CALNAME:Claire Martin \xc2\xb7 Cr\xc3\xa9neau\r\n" in body
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n" in body
    assert b"\r\nX-PUBLISHED-TTL:PT15M\r\n" in body
    calendar = Calendar.from_ical(body)
    assert "METHOD" not in calendar
    assert "UID" not in calendar  # icalendar's Calendar.new() would add a random one
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == booking_uid(booking.uid)
    assert int(event["SEQUENCE"]) == 0
    assert event["DTSTART"].to_ical() == b"20270303T090000Z"
    assert str(event["SUMMARY"]) == f"{session_type.name} · Ada Lovelace"
    assert str(event["DESCRIPTION"]) == "Bonjour"
    assert str(event["ATTENDEE"]) == "mailto:ada@example.org"
    assert booking.manage_token.encode() not in body  # the invitee's credential stays out
    assert "VALARM" not in body.decode()


def test_a_wrong_or_unknown_secret_is_a_404(client, coach):
    token = coach.feed_token
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * len(token), "short"):
        assert client.get(f"/feeds/{bad}.ics").status_code == 404


def test_the_feed_keeps_recent_bookings_and_recent_cancellations(client, session_type):
    coach = session_type.coach
    future = make(session_type, NOW + timedelta(days=30), 1)
    recent = make(session_type, NOW - timedelta(days=89), 2)
    old = make(session_type, NOW - timedelta(days=92), 3)
    done = make(session_type, NOW - timedelta(days=10), 4, status=Booking.Status.COMPLETED)
    absent = make(session_type, NOW - timedelta(days=9), 5, status=Booking.Status.NO_SHOW)
    pending = make(session_type, NOW + timedelta(days=2), 6,
                   status=Booking.Status.PENDING_PAYMENT)
    just_cancelled = make(session_type, NOW + timedelta(days=5), 7,
                          status=Booking.Status.CANCELLED,
                          cancelled_at=NOW - timedelta(days=29), sequence=1)
    long_cancelled = make(session_type, NOW + timedelta(days=6), 8,
                          status=Booking.Status.CANCELLED,
                          cancelled_at=NOW - timedelta(days=32), sequence=1)
    other_coach = make(session_type, NOW + timedelta(days=7), 9, coach=CoachFactory())
    events = events_of(client.get(feed_url(coach)).content)
    shown = {booking_uid(b.uid) for b in (future, recent, done, absent, pending,
                                          just_cancelled)}
    assert set(events) == shown
    assert not {booking_uid(b.uid) for b in (old, long_cancelled, other_coach)} & set(events)
    assert str(events[booking_uid(just_cancelled.uid)]["STATUS"]) == "CANCELLED"
    assert str(events[booking_uid(pending.uid)]["STATUS"]) == "TENTATIVE"
    assert str(events[booking_uid(future.uid)]["STATUS"]) == "CONFIRMED"


def test_a_subscribed_calendar_shows_each_booking_once_at_its_instant(client, session_type):
    starts = [datetime(2027, 3, 2, 9, tzinfo=PARIS), datetime(2027, 3, 26, 15, tzinfo=PARIS),
              # Paris moves to summer time on 28 March: 10:00 is 08:00 UTC from then on.
              datetime(2027, 3, 29, 10, tzinfo=PARIS)]
    bookings = [book(session_type, start, email=f"p{i}@example.org")
                for i, start in enumerate(starts)]
    moved = booking_reschedule(booking=bookings[0], start=datetime(2027, 3, 2, 11, tzinfo=PARIS),
                               by=Booking.CancelledBy.INVITEE)
    calendar = Calendar.from_ical(client.get(feed_url(session_type.coach)).content)
    occurrences = recurring_ical_events.of(calendar).between(NOW, NOW + timedelta(days=60))
    seen = sorted((str(event["UID"]), event.decoded("DTSTART")) for event in occurrences)
    expected = sorted((booking_uid(b.uid), b.start) for b in (moved, *bookings[1:]))
    assert seen == expected
    assert datetime(2027, 3, 29, 8, tzinfo=UTC) in [start for _, start in seen]
    [event] = [e for e in occurrences if str(e["UID"]) == booking_uid(moved.uid)]
    assert int(event["SEQUENCE"]) == 1


def test_changes_show_at_once_with_the_invites_uid_and_sequence(client, session_type, clock):
    coach = session_type.coach
    booking = book(session_type, datetime(2027, 3, 3, 10, tzinfo=PARIS))
    client.get(feed_url(coach))  # fills the caches
    clock.shift(timedelta(seconds=1))  # the ETag sees changes through `updated_at`
    booking = booking_reschedule(booking=booking, start=datetime(2027, 3, 4, 14, tzinfo=PARIS),
                                 by=Booking.CancelledBy.COACH)
    event = events_of(client.get(feed_url(coach)).content)[booking_uid(booking.uid)]
    assert event["DTSTART"].to_ical() == b"20270304T130000Z"
    assert int(event["SEQUENCE"]) == 1
    clock.shift(timedelta(seconds=1))
    booking = booking_cancel(booking=booking, by=Booking.CancelledBy.INVITEE)
    event = events_of(client.get(feed_url(coach)).content)[booking_uid(booking.uid)]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 2


def test_the_feed_is_the_bytes_icalendar_writes_for_the_invites_vevents(session_type):
    bookings = varied_bookings(session_type)
    coach = session_type.coach
    served = feed.feed_ics(coach=coach, now=NOW, state=feed.feed_state(coach=coach, now=NOW))
    expected = Calendar.from_ical(served)
    expected.subcomponents = [invites.vevent(invite_facts(booking)) for booking in bookings]
    assert len(expected.subcomponents) == 7
    assert served == expected.to_ical()


def test_stored_events_are_served_without_icalendar_writing_them_again(session_type,
                                                                        monkeypatch):
    make(session_type, NOW + timedelta(days=1), 1)  # save() stored its event

    def refuse(*args, **kwargs):
        raise AssertionError("the feed wrote an event again")

    monkeypatch.setattr(invites, "vevent", refuse)
    monkeypatch.setattr(Event, "to_ical", refuse)
    body = feed.render_feed(coach=session_type.coach, now=NOW)
    assert body.count(b"BEGIN:VEVENT") == 1


def test_a_changed_booking_is_served_as_a_cold_render_would_serve_it(session_type, clock):
    coach = session_type.coach
    bookings = [make(session_type, NOW + timedelta(days=i, hours=1), i) for i in range(5)]
    first = feed.feed_ics(coach=coach, now=NOW, state=feed.feed_state(coach=coach, now=NOW))
    clock.shift(timedelta(seconds=1))
    booking_cancel(booking=bookings[2], by=Booking.CancelledBy.COACH)
    warm = feed.feed_ics(coach=coach, now=NOW, state=feed.feed_state(coach=coach, now=NOW))
    cache.clear()
    cold = feed.feed_ics(coach=coach, now=NOW, state=feed.feed_state(coach=coach, now=NOW))
    assert warm == cold != first
    assert str(events_of(warm)[booking_uid(bookings[2].uid)]["STATUS"]) == "CANCELLED"


def test_the_body_is_served_from_the_cache_while_the_etag_holds(session_type, monkeypatch):
    coach = session_type.coach
    make(session_type, NOW + timedelta(days=1), 1)
    state = feed.feed_state(coach=coach, now=NOW)
    body = feed.feed_ics(coach=coach, now=NOW, state=state)
    monkeypatch.setattr(feed, "render_feed", lambda **kwargs: b"rendered again")
    assert feed.feed_ics(coach=coach, now=NOW, state=state) == body
    moved = feed.FeedState(etag="other", last_modified=state.last_modified)
    assert feed.feed_ics(coach=coach, now=NOW, state=moved) == b"rendered again"


def test_a_conditional_get_answers_304_until_something_changes(client, session_type, clock):
    coach = session_type.coach
    booking = book(session_type, datetime(2027, 3, 3, 10, tzinfo=PARIS))
    first = client.get(feed_url(coach))
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and last_modified == http_date(booking.updated_at.timestamp())
    again = client.get(feed_url(coach), headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and "private" in again["Cache-Control"]
    since = client.get(feed_url(coach), headers={"if-modified-since": last_modified})
    assert since.status_code == 304
    clock.shift(timedelta(minutes=5))
    booking_cancel(booking=booking, by=Booking.CancelledBy.INVITEE)
    changed = client.get(feed_url(coach), headers={"if-none-match": etag,
                                                   "if-modified-since": last_modified})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert client.get(feed_url(coach), headers={"if-modified-since": last_modified}
                      ).status_code == 200


def test_the_window_moves_at_midnight_utc_with_a_new_etag(client, session_type, clock):
    coach = session_type.coach
    leaving = make(session_type, NOW - timedelta(days=90, hours=1), 1)
    staying = make(session_type, NOW + timedelta(days=3), 2)
    first = client.get(feed_url(coach))
    assert booking_uid(leaving.uid) in events_of(first.content)
    clock.move_to(datetime(2027, 3, 1, 23, 59, tzinfo=UTC))
    assert client.get(feed_url(coach), headers={"if-none-match": first["ETag"]}
                      ).status_code == 304
    clock.move_to(datetime(2027, 3, 2, 0, 1, tzinfo=UTC))  # `leaving` leaves at midnight
    later = client.get(feed_url(coach), headers={"if-none-match": first["ETag"],
                                                 "if-modified-since": first["Last-Modified"]})
    assert later.status_code == 200
    assert set(events_of(later.content)) == {booking_uid(staying.uid)}
    assert later["Last-Modified"] == "Tue, 02 Mar 2027 00:00:00 GMT"


def test_rotating_the_secret_retires_the_old_url_at_once(client, coach):
    old_url = feed_url(coach)
    old_etag = client.get(old_url)["ETag"]
    coach_rotate_feed_token(coach=coach)
    assert client.get(old_url).status_code == 404
    response = client.get(feed_url(coach), headers={"if-none-match": old_etag})
    assert response.status_code == 200 and response["ETag"] != old_etag


def test_the_admin_action_rotates_the_feed_url(client, coach):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    old_url = feed_url(coach)
    assert client.get(old_url).status_code == 200
    response = client.post("/admin/accounts/coach/", {
        "action": "rotate_feed_token", "_selected_action": [coach.pk]})
    assert response.status_code == 302
    coach.refresh_from_db()
    assert client.get(old_url).status_code == 404
    assert client.get(feed_url(coach)).status_code == 200


def test_the_feed_accepts_only_safe_methods(client, coach):
    assert client.head(feed_url(coach)).status_code == 200
    assert client.post(feed_url(coach)).status_code == 405


def queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code in (200, 304)
    return len(captured)


def test_query_count_does_not_grow_with_bookings(client, session_type,
                                                 django_assert_max_num_queries):
    coach = session_type.coach
    counts = []
    for n in (5, 60):
        Booking.objects.all().delete()
        cache.clear()
        for i in range(n):
            make(session_type, NOW + timedelta(days=1, minutes=30 * i), i)
        with django_assert_max_num_queries(5):
            cold = queries(client, feed_url(coach))
        with django_assert_max_num_queries(3):
            cached = queries(client, feed_url(coach))
        etag = client.get(feed_url(coach))["ETag"]
        with django_assert_max_num_queries(2):
            not_modified = queries(client, feed_url(coach), if_none_match=etag)
        counts.append((cold, cached, not_modified))
    assert counts[0] == counts[1]
    assert counts[0][1] < counts[0][0]  # the cached body spares the rows


def test_the_feed_passes_ical_check(client, session_type, tmp_path):
    book(session_type, datetime(2027, 3, 3, 10, tzinfo=PARIS), name="Zoë \"Z\" O'Brien; Jr",
         message="Ligne 1\nLigne 2, avec; des: signes\\ et é")
    cancelled = book(session_type, datetime(2027, 3, 4, 10, tzinfo=PARIS),
                     email="b@example.org")
    booking_cancel(booking=cancelled, by=Booking.CancelledBy.COACH, reason="Malade")
    make(session_type, NOW - timedelta(days=20), 9, status=Booking.Status.COMPLETED)
    make(session_type, NOW + timedelta(days=9), 10, status=Booking.Status.PENDING_PAYMENT)
    body = client.get(feed_url(session_type.coach)).content
    assert len(events_of(body)) == 4
    assert_ical_check_passes(body, tmp_path, "feed")
