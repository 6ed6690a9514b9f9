"""The coach API for her hours (DESIGN.md): list, add weekly ranges, time off and extra
hours, delete them; refusals are 400s with a message, another coach's id a 404."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from schedule.models import Event

from availability import hours
from tests.factories import book

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
BASE = "/api/v1/me/availability"


def delete(client, key, path):
    return client.delete(f"{BASE}{path}", headers={"Authorization": f"Bearer {key}"})


def test_her_availability_in_her_zone(api, coach):
    hours.time_off_create(coach=coach, start=datetime(2027, 3, 8, tzinfo=PARIS),
                          end=datetime(2027, 3, 9, tzinfo=PARIS))
    hours.extra_create(coach=coach, start=datetime(2027, 3, 6, 10, tzinfo=PARIS),
                       end=datetime(2027, 3, 6, 12, tzinfo=PARIS))
    body = api.get("/me/availability").json()
    assert body["zone"] == "Europe/Paris"
    assert len(body["weekly"]) == 10
    assert body["weekly"][0] | {"id": 0} == {"id": 0, "weekday": 0, "start": "09:00",
                                             "end": "12:00"}
    assert [w["weekday"] for w in body["weekly"]] == sorted(w["weekday"] for w in body["weekly"])
    assert body["time_off"][0]["start"] == "2027-03-08T00:00:00+01:00"
    assert body["time_off"][0]["end"] == "2027-03-09T00:00:00+01:00"
    assert body["extra"][0]["start"] == "2027-03-06T10:00:00+01:00"


def test_adding_a_weekly_range(api, coach):
    response = api.post("/me/availability/weekly", {"weekday": 5, "start": "10:00",
                                                    "end": "12:00"})
    assert response.status_code == 201
    item = response.json()
    assert item | {"id": 0} == {"id": 0, "weekday": 5, "start": "10:00", "end": "12:00"}
    assert hours.coach_event(coach=coach, kind="weekly", pk=item["id"]) is not None


@pytest.mark.parametrize(("body", "message"), [
    ({"weekday": 2, "start": "11:00", "end": "15:00"},
     "Mercredi : 09:00–12:00 et 11:00–15:00 se chevauchent"),
    ({"weekday": 5, "start": "12:00", "end": "10:00"}, "La fin doit être postérieure au début."),
    ({"weekday": 5, "start": "10:00", "end": "10:00"}, "La fin doit être postérieure au début."),
])
def test_inverted_empty_or_overlapping_weekly_ranges_are_refused(api, coach, body, message):
    before = Event.objects.count()
    response = api.post("/me/availability/weekly", body)
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"]["__all__"])
    assert Event.objects.count() == before


def test_the_refusal_speaks_english_when_asked(api, coach, client, key):
    response = client.post(f"{BASE}/weekly", {"weekday": 2, "start": "11:00", "end": "15:00"},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="en",
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 400
    assert response.json()["errors"]["__all__"][0] == (
        "Wednesday: 09:00–12:00 and 11:00–15:00 overlap: change one or remove it.")


def test_time_off_lists_the_bookings_it_covers_and_keeps_them(api, coach, session_type):
    covered = book(session_type, datetime(2027, 3, 9, 10, tzinfo=PARIS))
    response = api.post("/me/availability/time-off", {"start": "2027-03-08T00:00:00+01:00",
                                                      "end": "2027-03-13T00:00:00+01:00"})
    assert response.status_code == 201
    body = response.json()
    assert body["conflicts"] == [str(covered.uid)]
    assert body["start"] == "2027-03-08T00:00:00+01:00"
    covered.refresh_from_db()
    assert covered.is_active


def test_overlapping_or_inverted_time_off_is_refused(api, coach):
    first = api.post("/me/availability/time-off", {"start": "2027-03-08T00:00:00+01:00",
                                                   "end": "2027-03-09T00:00:00+01:00"})
    assert first.status_code == 201 and first.json()["conflicts"] == []
    for start, end in (("2027-03-08T12:00:00+01:00", "2027-03-10T00:00:00+01:00"),
                       ("2027-03-12T00:00:00+01:00", "2027-03-11T00:00:00+01:00")):
        response = api.post("/me/availability/time-off", {"start": start, "end": end})
        assert response.status_code == 400 and response.json()["errors"]["__all__"]
    assert len(api.get("/me/availability").json()["time_off"]) == 1


def test_extra_hours(api, coach, session_type):
    body = {"start": "2027-03-06T10:00:00+01:00", "end": "2027-03-06T12:00:00+01:00"}
    created = api.post("/me/availability/extra", body)
    assert created.status_code == 201
    assert created.json()["end"] == "2027-03-06T12:00:00+01:00"
    assert api.post("/me/availability/extra", body).status_code == 400
    slots = api.get("/coaches/demo/slots", start="2027-03-06", end="2027-03-06").json()
    assert "slots" in slots, slots
    assert [s["start"][11:16] for s in slots["slots"]] == ["10:00", "10:30", "11:00", "11:30"]


def test_deleting_her_items(api, coach, client, key):
    weekly = api.post("/me/availability/weekly", {"weekday": 6, "start": "10:00",
                                                  "end": "11:00"}).json()["id"]
    off = api.post("/me/availability/time-off", {"start": "2027-03-08T00:00:00+01:00",
                                                 "end": "2027-03-09T00:00:00+01:00"}).json()["id"]
    extra = api.post("/me/availability/extra", {"start": "2027-03-06T10:00:00+01:00",
                                                "end": "2027-03-06T12:00:00+01:00"}).json()["id"]
    # The wrong kind for an id is a 404 too.
    assert delete(client, key, f"/extra/{weekly}").status_code == 404
    assert delete(client, key, f"/weekly/{off}").status_code == 404
    for path in (f"/weekly/{weekly}", f"/time-off/{off}", f"/extra/{extra}"):
        assert delete(client, key, path).status_code == 204
        assert delete(client, key, path).status_code == 404
    body = api.get("/me/availability").json()
    assert weekly not in [w["id"] for w in body["weekly"]]
    assert body["time_off"] == body["extra"] == []


def test_another_coachs_items_are_404(api, client, other_coach):
    theirs = hours.weekly_ranges(coach=other_coach, now=datetime.now(PARIS))[0][0].id
    before = Event.objects.count()
    for path in (f"/weekly/{theirs}", f"/time-off/{theirs}", "/weekly/99999999",
                 f"/holidays/{theirs}", "/weekly/99999999999999999999999"):
        response = client.delete(f"{BASE}{path}", headers=api.headers)
        assert response.status_code in (400, 404), path
    assert Event.objects.count() == before


def test_a_key_is_required(client, coach):
    assert client.get(BASE).status_code == 401
    assert client.post(f"{BASE}/weekly", {"weekday": 1, "start": "09:00", "end": "10:00"},
                       content_type="application/json").status_code == 401
