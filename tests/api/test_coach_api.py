"""The coach API: a key names the coach, and everything she reaches is hers."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from accounts.models import ApiKey
from accounts.services import api_key_revoke
from booking.emails import booking_message
from booking.models import Booking
from booking.services import Invitee, booking_cancel, booking_create
from tests.api.conftest import NOW, add_bookings
from tests.support.outbox import notify_args

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MONDAY_9 = datetime(2027, 3, 1, 9, tzinfo=PARIS)  # 08:00 UTC
UNKNOWN_UID = "7d3c8f1e-0000-4000-8000-000000000000"
READS = ["/me", "/me/bookings", f"/me/bookings/{UNKNOWN_UID}"]
WRITES = ["/me/feed/rotate", f"/me/bookings/{UNKNOWN_UID}/cancel",
          f"/me/bookings/{UNKNOWN_UID}/reschedule", f"/me/bookings/{UNKNOWN_UID}/outcome"]


def book(session_type, start=MONDAY_9, email="zoe@example.com") -> Booking:
    return booking_create(session_type=session_type, start=start, invitee=Invitee(
        name="Zoé Durand", email=email, timezone=ZoneInfo("America/New_York"),
        language="en", message="Bonjour"))


def call(client, method: str, path: str, **headers):
    if method == "get":
        return client.get(f"/api/v1{path}", headers=headers)
    return client.post(f"/api/v1{path}", {}, content_type="application/json", headers=headers)


def bad_keys(key: str) -> dict[str, dict]:
    return {
        "missing": {},
        "not bearer": {"Authorization": f"Token {key}"},
        "malformed": {"Authorization": "Bearer nope"},
        "wrong secret": {"Authorization": f"Bearer {key[:-1]}{'A' if key[-1] != 'A' else 'B'}"},
        "nul byte": {"Authorization": f"Bearer {key[:10]}\x00{key[11:]}"},
    }


@pytest.mark.parametrize("method,path", [("get", p) for p in READS]
                         + [("post", p) for p in WRITES])
def test_every_endpoint_answers_401_json_without_a_valid_key(client, key, method, path):
    for label, headers in bad_keys(key).items():
        response = call(client, method, path, **headers)
        assert response.status_code == 401, label
        assert response.json()["error"] == "unauthorized"
        assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_key_answers_401_at_once(client, coach, key):
    headers = {"Authorization": f"Bearer {key}"}
    assert call(client, "get", "/me", **headers).status_code == 200
    api_key_revoke(key=ApiKey.objects.get(coach=coach))
    assert call(client, "get", "/me", **headers).status_code == 401


def test_a_key_of_a_deactivated_user_answers_401(client, coach, key):
    coach.user.is_active = False
    coach.user.save()
    assert call(client, "get", "/me", Authorization=f"Bearer {key}").status_code == 401


def test_me_names_the_coach_of_the_key(api, coach):
    assert api.get("/me").json() == {"slug": "demo", "name": "Claire Martin",
                                     "zone": "Europe/Paris", "language": "fr",
                                     "feed_url": coach.feed_url}


def test_last_use_is_recorded_at_most_once_a_minute(api, coach, clock):
    api.get("/me")
    first = ApiKey.objects.get(coach=coach).last_used_at
    assert first == NOW
    clock.shift(timedelta(seconds=30))
    api.get("/me")
    assert ApiKey.objects.get(coach=coach).last_used_at == first
    clock.shift(timedelta(seconds=31))
    api.get("/me")
    assert ApiKey.objects.get(coach=coach).last_used_at == NOW + timedelta(seconds=61)


def test_rotating_the_feed_retires_the_old_url_at_once(api, client, coach):
    old = coach.feed_url
    assert client.get(old.removeprefix("https://creneau.test")).status_code == 200
    response = api.post("/me/feed/rotate")
    assert response.status_code == 200
    new = response.json()["feed_url"]
    assert new != old
    assert client.get(old.removeprefix("https://creneau.test")).status_code == 404
    assert client.get(new.removeprefix("https://creneau.test")).status_code == 200
    assert api.get("/me").json()["feed_url"] == new


def test_bookings_list_every_status_by_start_in_the_coachs_zone(api, session_type):
    late = book(session_type, MONDAY_9 + timedelta(days=1))
    early = book(session_type, MONDAY_9, email="ann@example.com")
    booking_cancel(booking=late, by=Booking.CancelledBy.INVITEE)
    held = add_bookings(session_type, 1, first=datetime(2027, 3, 3, 13, tzinfo=UTC),
                        status=Booking.Status.PENDING_PAYMENT)[0]
    items = api.get("/me/bookings").json()["items"]
    assert [i["uid"] for i in items] == [str(early.uid), str(late.uid), str(held.uid)]
    assert [i["status"] for i in items] == ["confirmed", "cancelled", "pending_payment"]
    assert items[0] == {
        "uid": str(early.uid), "status": "confirmed", "type": "discovery",
        "start": "2027-03-01T09:00:00+01:00", "end": "2027-03-01T09:30:00+01:00",
        "name": "Zoé Durand", "email": "ann@example.com", "tz": "America/New_York",
        "language": "en", "message": "Bonjour", "created_at": "2027-02-25T09:00:00+01:00",
        "phone": "", "meeting_url": ""}


def test_start_and_end_are_the_coachs_local_days(api, session_type):
    # 00:30 on 2 March in Paris is still 1 March in UTC.
    night = add_bookings(session_type, 1, first=datetime(2027, 3, 1, 23, 30, tzinfo=UTC))[0]
    add_bookings(session_type, 1, first=datetime(2027, 3, 2, 23, 30, tzinfo=UTC), name="Bob")
    items = api.get("/me/bookings", start="2027-03-02", end="2027-03-02").json()["items"]
    assert [i["uid"] for i in items] == [str(night.uid)]
    assert items[0]["start"] == "2027-03-02T00:30:00+01:00"


def test_status_and_q_narrow_the_list(api, session_type):
    add_bookings(session_type, 3, first=datetime(2027, 3, 1, 8, tzinfo=UTC), name="Ann")
    add_bookings(session_type, 2, first=datetime(2027, 3, 2, 8, tzinfo=UTC), name="Bob",
                 status=Booking.Status.CANCELLED)
    assert len(api.get("/me/bookings", status="cancelled").json()["items"]) == 2
    assert len(api.get("/me/bookings", q="ann").json()["items"]) == 3
    assert len(api.get("/me/bookings", q="BOB1@EXAMPLE").json()["items"]) == 1
    assert api.get("/me/bookings", q="nobody").json() == {"items": [], "next": None}


@pytest.mark.parametrize("params,field", [
    ({"status": "done"}, "status"),
    ({"start": "2027-02-30"}, "start"),
    ({"start": "tomorrow"}, "start"),
    ({"end": "2027-03-01", "start": "2027-03-02"}, "end"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"cursor": "MjAyNy0wMy0wMXww"}, "cursor"),  # "2027-03-01|0": naive, id 0
    ({"q": "x" * 101}, "q"),
    ({"q": "a\x00b"}, "q"),
])
def test_bad_list_parameters_answer_400_with_a_message(api, params, field):
    response = api.get("/me/bookings", **params)
    assert response.status_code == 400
    assert response.json()["errors"][field][0]


def test_the_cursor_walks_every_booking_exactly_once(api, session_type):
    made = add_bookings(session_type, 120, first=datetime(2027, 3, 1, 8, tzinfo=UTC),
                        every=timedelta(minutes=30))
    seen, cursor, pages = [], None, 0
    while True:
        params = {"cursor": cursor} if cursor else {}
        page = api.get("/me/bookings", **params).json()
        seen += [item["uid"] for item in page["items"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [str(b.uid) for b in sorted(made, key=lambda b: b.start)]


@pytest.mark.parametrize("count", [10, 200])
def test_listing_costs_the_same_queries_however_many_bookings(
        api, session_type, count, django_assert_max_num_queries):
    add_bookings(session_type, count, first=datetime(2027, 3, 1, 8, tzinfo=UTC),
                 every=timedelta(minutes=30))
    with django_assert_max_num_queries(3):  # the key, its last use, one page
        response = api.get("/me/bookings")
    assert response.status_code == 200
    assert len(response.json()["items"]) == min(count, 50)


def test_one_booking_by_uid(api, session_type):
    booking = book(session_type)
    response = api.get(f"/me/bookings/{booking.uid}")
    assert response.status_code == 200
    assert response.json()["start"] == "2027-03-01T09:00:00+01:00"


def test_another_coachs_booking_is_a_404_on_every_endpoint(api, other_coach):
    theirs = book(other_coach.session_types.get(), datetime(2027, 3, 1, 10,
                                                             tzinfo=ZoneInfo("America/New_York")))
    before = Booking.objects.get(pk=theirs.pk).status
    for path, body in [("", None), ("/cancel", {}), ("/outcome", {"status": "no_show"}),
                       ("/reschedule", {"start": "2027-03-02T10:00:00-05:00"})]:
        response = (api.get(f"/me/bookings/{theirs.uid}{path}") if body is None
                    else api.post(f"/me/bookings/{theirs.uid}{path}", body))
        assert response.status_code == 404, path
        assert response.json()["error"] == "not_found"
    assert str(theirs.uid) not in api.get("/me/bookings").content.decode()
    assert Booking.objects.get(pk=theirs.pk).status == before


@pytest.mark.parametrize("uid", ["nope", "1" * 36, "7d3c8f1e-0000-4000-8000-00000000000g",
                                 "%00", "é"])
def test_a_malformed_uid_is_a_404_without_a_booking_query(api, uid,
                                                          django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the key and its last use only
        response = api.get(f"/me/bookings/{uid}")
    assert response.status_code == 404


def test_cancel_tells_the_invitee_the_coachs_message(api, session_type):
    booking = book(session_type)
    response = api.post(f"/me/bookings/{booking.uid}/cancel",
                        {"message": "Je suis souffrante, désolée."})
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert notify_args(booking) == [[booking.pk, 0], [booking.pk, 1]]
    booking.refresh_from_db()
    assert booking.cancelled_by == Booking.CancelledBy.COACH
    email = booking_message(booking, role="invitee", kind="cancelled", now=NOW)
    assert "Message from Claire Martin: Je suis souffrante, désolée." in email.body
    html = email.alternatives[0].content
    assert "Message from Claire Martin:</strong> Je suis souffrante, désolée." in html


def test_cancel_twice_is_a_409(api, session_type):
    booking = book(session_type)
    assert api.post(f"/me/bookings/{booking.uid}/cancel").status_code == 200
    response = api.post(f"/me/bookings/{booking.uid}/cancel")
    assert response.status_code == 409
    assert response.json()["error"] == "change_not_allowed"
    assert response.json()["message"]


@pytest.mark.parametrize("body", [{"message": "x" * 2001}, {"message": "bell\x07"},
                                  {"message": 3}, {"reason": "typo"}])
def test_a_bad_cancel_message_is_a_400_and_cancels_nothing(api, session_type, body):
    booking = book(session_type)
    response = api.post(f"/me/bookings/{booking.uid}/cancel", body)
    assert response.status_code == 400
    assert response.json()["errors"]
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


def test_reschedule_moves_and_tells_the_invitee(api, session_type):
    booking = book(session_type)
    response = api.post(f"/me/bookings/{booking.uid}/reschedule",
                        {"start": "2027-03-02T14:00:00+01:00", "message": "Un imprévu."})
    assert response.status_code == 200
    assert response.json()["start"] == "2027-03-02T14:00:00+01:00"
    booking.refresh_from_db()
    assert booking.start == datetime(2027, 3, 2, 13, tzinfo=UTC) and booking.sequence == 1
    moved = booking.events.get(kind="rescheduled")
    assert (moved.actor, moved.message) == ("coach", "Un imprévu.")
    email = booking_message(booking, role="invitee", kind="rescheduled", now=NOW,
                            coach_message=moved.message)
    assert "Message from Claire Martin: Un imprévu." in email.body


@pytest.mark.parametrize("start,status", [
    ("2027-03-01T09:10:00+01:00", 400),  # off the grid
    ("2027-03-06T09:00:00+01:00", 400),  # a Saturday
    ("2027-03-01T09:00:00", 400),  # naive
    ("soon", 400),
])
def test_reschedule_to_an_unbookable_start_is_refused(api, session_type, start, status):
    booking = book(session_type)
    response = api.post(f"/me/bookings/{booking.uid}/reschedule", {"start": start})
    assert response.status_code == status
    assert response.json()["errors"]


def test_reschedule_onto_a_taken_slot_is_a_409(api, session_type):
    booking = book(session_type)
    book(session_type, MONDAY_9 + timedelta(hours=1), email="ann@example.com")
    response = api.post(f"/me/bookings/{booking.uid}/reschedule",
                        {"start": "2027-03-01T10:00:00+01:00"})
    assert response.status_code in {400, 409}
    assert Booking.objects.get(pk=booking.pk).start == MONDAY_9


def test_outcome_after_the_session(api, session_type, clock):
    booking = book(session_type)
    early = api.post(f"/me/bookings/{booking.uid}/outcome", {"status": "no_show"})
    assert early.status_code == 409
    clock.move_to(datetime(2027, 3, 1, 9, tzinfo=UTC))
    assert api.post(f"/me/bookings/{booking.uid}/outcome",
                    {"status": "no_show"}).json()["status"] == "no_show"
    assert api.post(f"/me/bookings/{booking.uid}/outcome",
                    {"status": "completed"}).json()["status"] == "completed"
    bad = api.post(f"/me/bookings/{booking.uid}/outcome", {"status": "cancelled"})
    assert bad.status_code == 400 and bad.json()["errors"]["status"]


def test_bodies_that_are_not_json_objects_are_400(api, client, key, session_type):
    booking = book(session_type)
    for body in ["[]", "nope", "\"x\""]:
        response = client.post(f"/api/v1/me/bookings/{booking.uid}/outcome", body,
                               content_type="application/json",
                               headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 400
    assert not mail.outbox
