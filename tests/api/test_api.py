"""The JSON API's contracts (DESIGN.md "HTTP API"): what a client sees when things go right."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from api.main import api
from api.schemas import SlotsOut
from booking.models import Booking
from tests.factories import BookingFactory, SessionTypeFactory
from tests.support.caches import clear_caches

pytestmark = pytest.mark.django_db

# A Thursday; 2027-03-01 is the Monday after. New York moves to summer time on 14 March,
# Paris on 28 March, so Paris 09:00 is 03:00, then 04:00, then 03:00 again in New York.
NOW = datetime(2027, 2, 25, 8, tzinfo=UTC)
BOOKINGS = "/api/v1/coaches/demo/bookings"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def book(client: Client, headers: dict | None = None, **fields):
    body = {"type": "discovery", "start": "2027-03-01T09:00:00+01:00", "name": "Zoé Durand",
            "email": "zoe@example.com", "consent": True, **fields}
    return client.post(BOOKINGS, body, content_type="application/json", headers=headers)


def token_of(response) -> str:
    return response.json()["manage_url"].rstrip("/").rsplit("/", 1)[1]


def slot_starts(client: Client, day: str, tz: str = "Europe/Paris") -> list[str]:
    response = client.get(f"/api/v1/coaches/demo/slots?start={day}&end={day}&tz={tz}")
    assert response.status_code == 200
    return [slot["start"] for slot in response.json()["slots"]]


def test_session_types_lists_the_active_ones_in_the_coach_s_order(client, session_type):
    SessionTypeFactory(coach=session_type.coach, slug="deep-dive", name="Deep dive",
                       duration=timedelta(hours=1), position=1, price_amount=9000,
                       price_currency="eur", location_kind="in_person",
                       location_details="12 rue des Lilas, Lyon")
    SessionTypeFactory(coach=session_type.coach, slug="retired", is_active=False)
    SessionTypeFactory(slug="elsewhere")  # another coach's

    response = client.get("/api/v1/coaches/demo/session-types")

    assert response.status_code == 200
    assert response.json() == [
        {"slug": "discovery", "name": session_type.name, "description": "",
         "duration_minutes": 30, "price": None, "location": None},
        {"slug": "deep-dive", "name": "Deep dive", "description": "", "duration_minutes": 60,
         "price": {"amount": 9000, "currency": "eur"},
         "location": {"kind": "in_person", "details": "12 rue des Lilas, Lyon"}},
    ]


def test_session_types_never_show_a_video_link_before_booking(client, session_type):
    session_type.location_kind, session_type.location_details = "video", "https://meet.example/x"
    session_type.save()
    (item,) = client.get("/api/v1/coaches/demo/session-types").json()
    assert item["location"] == {"kind": "video", "details": ""}


def test_slots_show_paris_nine_o_clock_as_three_in_new_york(client, session_type):
    response = client.get("/api/v1/coaches/demo/slots?type=discovery&start=2027-03-01"
                          "&end=2027-03-01&tz=America/New_York")

    assert response.status_code == 200
    body = response.json()
    assert body["tz"] == "America/New_York"
    assert body["slots"][0] == {"start": "2027-03-01T03:00:00-05:00",
                                "end": "2027-03-01T03:30:00-05:00"}
    assert len(body["slots"]) == 14  # 09:00-12:00 and 14:00-18:00 in Paris, every 30 min
    assert body["slots"][-1]["start"] == "2027-03-01T11:30:00-05:00"


def test_slots_answer_is_what_ninja_would_render_after_validating_it(client, session_type):
    """The endpoint renders its JSON itself (no per-slot pydantic pass): same bytes, same type."""
    response = client.get("/api/v1/coaches/demo/slots?start=2027-03-01&end=2027-03-31"
                          "&tz=America/New_York")

    validated = SlotsOut.model_validate(response.json()).model_dump()
    assert response.content == api.renderer.render(None, validated,
                                                    response_status=200).encode()
    assert response["Content-Type"] == api.get_content_type()


def test_slots_follow_both_zones_across_daylight_saving_changes(client, session_type):
    assert slot_starts(client, "2027-03-15", "America/New_York")[0] == "2027-03-15T04:00:00-04:00"
    assert slot_starts(client, "2027-03-29", "America/New_York")[0] == "2027-03-29T03:00:00-04:00"
    assert slot_starts(client, "2027-03-29")[0] == "2027-03-29T09:00:00+02:00"


def test_slots_defaults_are_today_plus_thirty_days_in_the_coach_s_zone(client, session_type):
    default = client.get("/api/v1/coaches/demo/slots")
    explicit = client.get("/api/v1/coaches/demo/slots?type=discovery&start=2027-02-25"
                          "&end=2027-03-27&tz=Europe/Paris")

    assert default.status_code == explicit.status_code == 200
    assert default.json() == explicit.json()
    slots = default.json()["slots"]
    assert default.json()["tz"] == "Europe/Paris"
    # 12 h notice from Thursday 09:00 in Paris: Friday morning is the first slot.
    assert slots[0]["start"] == "2027-02-26T09:00:00+01:00"
    assert slots[-1]["start"] == "2027-03-26T17:30:00+01:00"


def test_slots_count_both_ends_of_a_62_day_range(client, session_type):
    response = client.get("/api/v1/coaches/demo/slots?start=2027-03-01&end=2027-05-01")

    assert response.status_code == 200
    # The 60-day horizon ends on 26 April at 10:00 in Paris, the last start it allows.
    assert response.json()["slots"][-1]["start"] == "2027-04-26T10:00:00+02:00"


def test_slots_default_to_the_first_active_session_type(client, session_type):
    SessionTypeFactory(coach=session_type.coach, slug="deep-dive", duration=timedelta(hours=1),
                       step=timedelta(hours=1), position=1)
    assert len(slot_starts(client, "2027-03-01")) == 14

    session_type.is_active = False
    session_type.save()

    starts = slot_starts(client, "2027-03-01")
    assert starts == [f"2027-03-01T{hour:02}:00:00+01:00" for hour in (9, 10, 11, 14, 15, 16, 17)]


def test_booking_answers_201_and_its_slot_disappears_at_once(client, session_type):
    assert "2027-03-01T09:00:00+01:00" in slot_starts(client, "2027-03-01")

    response = book(client, email="  Zoe@Example.COM ")

    assert response.status_code == 201
    body = response.json()
    booking = Booking.objects.get()
    assert body == {"uid": str(booking.uid), "status": "confirmed",
                    "start": "2027-03-01T09:00:00+01:00", "end": "2027-03-01T09:30:00+01:00",
                    "manage_url": f"https://creneau.test/b/{booking.manage_token}/"}
    assert booking.start == datetime(2027, 3, 1, 8, tzinfo=UTC)
    assert booking.invitee_email == "zoe@example.com"
    assert booking.consent_at == NOW
    assert "2027-03-01T09:00:00+01:00" not in slot_starts(client, "2027-03-01")
    assert "2027-03-01T09:30:00+01:00" in slot_starts(client, "2027-03-01")


def test_booking_accepts_any_offset_and_answers_in_the_invitee_s_zone(client, session_type):
    response = book(client, start="2027-03-01T08:00:00Z", tz="America/New_York",
                    message="Bonjour,\r\nà lundi.")

    assert response.status_code == 201
    assert response.json()["start"] == "2027-03-01T03:00:00-05:00"
    booking = Booking.objects.get()
    assert str(booking.invitee_timezone) == "America/New_York"
    assert booking.message.splitlines() == ["Bonjour,", "à lundi."]


def test_booking_language_defaults_to_the_request_s(client, session_type):
    assert book(client).status_code == 201
    assert book(client, headers={"Accept-Language": "en"}, email="lea@example.com",
                start="2027-03-01T10:00:00+01:00").status_code == 201
    assert book(client, headers={"Accept-Language": "fr"}, email="max@example.com",
                start="2027-03-01T11:00:00+01:00", language="en").status_code == 201

    languages = dict(Booking.objects.values_list("invitee_email", "invitee_language"))
    assert languages == {"zoe@example.com": "fr", "lea@example.com": "en",
                         "max@example.com": "en"}


def test_a_taken_slot_is_a_409_slot_taken(client, session_type):
    assert book(client).status_code == 201

    response = book(client, email="other@example.com")

    assert response.status_code == 409
    assert response.json()["error"] == "slot_taken"
    assert response.json()["message"]
    assert Booking.objects.count() == 1


def test_an_identical_repeat_answers_201_with_the_same_body_and_books_once(client,
                                                                         session_type):
    first = book(client)
    again = book(client, email=" ZOE@example.com", name="Zoé D.")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Booking.objects.count() == 1


def test_the_free_session_is_once_per_person_until_cancelled(client, session_type):
    first = book(client)
    again = book(client, start="2027-03-02T09:00:00+01:00", email="ZOE@example.com")

    assert again.status_code == 409
    assert again.json()["error"] == "limit_reached"
    assert again.json()["message"]

    client.post(f"/api/v1/manage/{token_of(first)}/cancel", {}, content_type="application/json")
    assert book(client, start="2027-03-02T09:00:00+01:00").status_code == 201


def test_the_api_needs_no_csrf_token_and_sets_no_cookie(session_type):
    strict = Client(enforce_csrf_checks=True)

    response = book(strict)
    cancel = strict.post(f"/api/v1/manage/{token_of(response)}/cancel", {"reason": "Oups"},
                         content_type="application/json")

    assert response.status_code == 201
    assert cancel.status_code == 200
    assert not response.cookies and not cancel.cookies


def test_too_many_attempts_from_one_address_are_refused_with_429(client, session_type):
    for n, hour in enumerate((9, 10, 11, 14, 15)):  # the default 5/m/ip
        assert book(client, email=f"p{n}@example.com",
                    start=f"2027-03-01T{hour:02}:00:00+01:00").status_code == 201

    response = book(client, email="p5@example.com", start="2027-03-01T09:00:00+01:00")

    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited"
    assert Booking.objects.count() == 5


def test_refused_bookings_do_not_spend_the_email_allowance(session_type):
    statuses = [book(Client(REMOTE_ADDR=f"192.0.2.{n}"), email="zoe@example.com",
                     start=f"2027-03-01T{9 + n:02}:00:00+01:00").status_code for n in range(5)]

    assert statuses == [201, 409, 409, 409, 409]  # limit_reached, never the 3/h/key


def test_manage_shows_the_booking_and_changes_nothing(client, session_type):
    token = token_of(book(client, tz="America/New_York"))
    before = Booking.objects.values().get()

    response = client.get(f"/api/v1/manage/{token}")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "confirmed"
    assert body["start"] == "2027-03-01T03:00:00-05:00"
    assert body["tz"] == "America/New_York"
    assert body["coach"] == {"slug": "demo", "name": "Claire Martin"}
    assert body["session_type"]["slug"] == "discovery"
    assert body["can_change"] is True
    assert body["change_until"] == "2027-02-28T15:00:00-05:00"  # 12 h before
    assert body["manage_url"].endswith(f"/b/{token}/")
    assert Booking.objects.values().get() == before


def test_manage_cancel_frees_the_slot(client, session_type):
    token = token_of(book(client))

    response = client.post(f"/api/v1/manage/{token}/cancel", {"reason": "Un empêchement"},
                           content_type="application/json")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["can_change"] is False
    booking = Booking.objects.get()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancelled_by == Booking.CancelledBy.INVITEE
    assert booking.cancel_reason == "Un empêchement"
    assert booking.sequence == 1
    assert "2027-03-01T09:00:00+01:00" in slot_starts(client, "2027-03-01")


def test_manage_cancel_takes_an_empty_body(client, session_type):
    token = token_of(book(client))

    response = client.post(f"/api/v1/manage/{token}/cancel", b"",
                           content_type="application/json")

    assert response.status_code == 200
    assert Booking.objects.get().status == Booking.Status.CANCELLED


def test_manage_reschedule_moves_the_booking_and_keeps_its_uid(client, session_type):
    created = book(client)
    token = token_of(created)

    response = client.post(f"/api/v1/manage/{token}/reschedule",
                           {"start": "2027-03-02T14:30:00+01:00"},
                           content_type="application/json")

    assert response.status_code == 200
    assert response.json()["uid"] == created.json()["uid"]
    assert response.json()["start"] == "2027-03-02T14:30:00+01:00"
    booking = Booking.objects.get()
    assert booking.start == datetime(2027, 3, 2, 13, 30, tzinfo=UTC)
    assert booking.sequence == 1
    assert "2027-03-01T09:00:00+01:00" in slot_starts(client, "2027-03-01")
    assert "2027-03-02T14:30:00+01:00" not in slot_starts(client, "2027-03-02")


def test_manage_reschedule_onto_a_taken_slot_is_409(client, session_type):
    token = token_of(book(client))
    book(client, email="other@example.com", start="2027-03-01T10:00:00+01:00")

    response = client.post(f"/api/v1/manage/{token}/reschedule",
                           {"start": "2027-03-01T10:00:00+01:00"},
                           content_type="application/json")

    assert response.status_code == 409
    assert response.json()["error"] == "slot_taken"
    assert Booking.objects.get(invitee_email="zoe@example.com").sequence == 0


def test_changes_after_the_cut_off_are_409_change_not_allowed(client, session_type):
    token = token_of(book(client))

    # 12 h cut-off: Sunday 20:00 UTC for Monday 08:00 UTC.
    with time_machine.travel(datetime(2027, 2, 28, 20, 1, tzinfo=UTC), tick=False):
        shown = client.get(f"/api/v1/manage/{token}")
        cancel = client.post(f"/api/v1/manage/{token}/cancel", {},
                             content_type="application/json")
        move = client.post(f"/api/v1/manage/{token}/reschedule",
                           {"start": "2027-03-03T09:00:00+01:00"},
                           content_type="application/json")

    assert shown.json()["can_change"] is False
    for response in (cancel, move):
        assert response.status_code == 409
        assert response.json()["error"] == "change_not_allowed"
        assert response.json()["message"]
    assert Booking.objects.get().status == Booking.Status.CONFIRMED


def test_a_wrong_token_looks_exactly_like_an_unknown_one(client, session_type):
    token = token_of(book(client))
    wrong_secret = token[:-1] + ("A" if token[-1] != "A" else "B")

    wrong = client.get(f"/api/v1/manage/{wrong_secret}")
    unknown = client.get("/api/v1/manage/" + "x" * len(token))

    assert wrong.status_code == unknown.status_code == 404
    assert wrong.content == unknown.content


def _bookings(session_type, count: int, skip: int = 0) -> None:
    """`count` confirmed bookings on distinct weekday slots from 1 March, made in bulk."""
    starts = []
    day = date(2027, 3, 1)
    while len(starts) < skip + count:
        if day.weekday() < 5:
            nine = datetime.combine(day, time(9), tzinfo=PARIS)
            starts += [nine + timedelta(minutes=30 * i) for i in range(6)]
            starts += [nine + timedelta(hours=5, minutes=30 * i) for i in range(8)]
        day += timedelta(days=1)
    Booking.objects.bulk_create(
        BookingFactory.build(session_type=session_type, start=s, invitee_email=f"p{n}@example.com")
        for n, s in enumerate(starts[skip:skip + count], start=skip))


SIXTY_DAYS = "/api/v1/coaches/demo/slots?start=2027-03-01&end=2027-04-30&tz=America/New_York"


def test_the_slots_query_count_has_a_ceiling_that_bookings_do_not_raise(
        client, session_type, django_assert_max_num_queries):
    free = len(client.get(SIXTY_DAYS).json()["slots"])
    counts = []
    for added in (10, 490):
        _bookings(session_type, added, skip=sum(counts and [10]))
        clear_caches()  # cold: windows are expanded again, month by month
        with django_assert_max_num_queries(13) as queries:
            response = client.get(SIXTY_DAYS)
        counts.append(len(queries))
        assert response.status_code == 200

    assert counts[0] == counts[1]
    assert len(response.json()["slots"]) == free - 500
