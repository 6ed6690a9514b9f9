"""One battery of bad values, sent to every door that takes such a value.

Each door (a page form field; a public, manage or coach API field or query parameter) says
which kind of value it takes — an instant, a date, a zone or free text — and receives every
bad value of that kind.
Each answer must be a 4xx that says why (JSON `errors` on the API, an alert on pages), and
nothing may change: no Booking row, no task row, nothing queued to run after a commit.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import time_machine
from django.test import Client
from django_tasks_db.models import DBTaskResult

from accounts.services import api_key_create
from booking.models import Booking
from booking.services import Invitee, booking_create

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 2, 25, 8, tzinfo=UTC)  # a Thursday
FREE = "2027-03-02T09:00:00+01:00"  # a free slot of the demo coach
VALID_BOOKING = {"type": "discovery", "start": FREE, "name": "Zoé Durand",
                 "email": "zoe@example.com", "consent": True}
VALID_FORM = {"start": "2027-03-02T08:00:00Z", "tz": "Europe/Paris", "name": "Zoé Durand",
              "email": "zoe@example.com", "message": "", "consent": "on"}

BAD = {
    "instant": {
        "year 9999 west of UTC": "9999-12-31T23:00:00-05:00",
        "year 1 east of UTC": "0001-01-01T00:30:00+14:00",
        "year 1999": "1999-12-31T09:00:00+01:00",
        "naive": "2027-03-02T09:00:00",
        "off-grid seconds": "2027-03-02T09:00:30+01:00",
        "month 13": "2027-13-02T09:00:00+01:00",
        "NUL byte": "2027-03-02T09:00:00+01:00\x00",
        "overlong": "2027-03-02T09:00:00+01:00" + "0" * 5000,
        "words": "tomorrow at nine",
        "empty": "",
    },
    "date": {
        "February 30": "2027-02-30",
        "five-digit year": "20270-01-01",
        "year 0": "0000-01-01",
        "unpadded": "2027-3-2",
        "NUL byte": "2027-03-02\x00",
        "overlong": "2027-03-02" * 500,
        "year 9999": "9999-12-31",
    },
    "zone": {
        "unknown": "Mars/Olympus_Mons",
        "NUL byte": "Europe/Paris\x00",
        "path": "../../../etc/passwd",
        "overlong": "Europe/" + "x" * 500,
        "fixed offset": "UTC+01:00",
        "lower case": "europe/paris",
    },
    "line": {  # a name or an address: one line, which may end up in a mail header
        "NUL byte": "Zoé\x00",
        "overlong": "z" * 100_000,
        "escape code": "\x1b[31mEve",
        "line break": "Zoé\r\nBcc: x@example.com",
    },
    "search": {  # words to look for: any printable text is a search
        "NUL byte": "Zoé\x00",
        "overlong": "z" * 100_000,
        "escape code": "\x1b[31mEve",
    },
    "token": {  # a manage link's token, in the path
        "NUL byte": "Qz7fK2mWx9Abc4Ns8Tq1Lr6Vy3Jd0Hp5Ge\x00",
        "overlong": "Q" * 5000,
        "dots": "..",
        "lone surrogate": "Qz7fK2mWx9Abc4Ns8Tq1Lr6Vy3Jd0Hp5G\udc80",
        "unknown": "Qz7fK2mWx9Abc4Ns8Tq1Lr6Vy3Jd0Hp5Ge",
    },
    "message": {  # free text over several lines
        "NUL byte": "Bonjour\x00",
        "overlong": "z" * 3000,
        "escape code": "\x1b[31mBonjour",
    },
}
# Wrong JSON types, for API fields only (a form field is always a string).
WRONG_TYPES = {"number": 20270302, "list": ["2027-03-02"], "object": {"value": "x"},
               "true": True}


@dataclass(frozen=True)
class Door:
    """One field of one entry point; `send(client, tokens, value)` makes the request."""

    kind: str
    send: Callable
    json: bool


def _json(client: Client, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json")


def _booking_form(field: str) -> Callable:
    return lambda client, tokens, value: client.post(
        "/demo/discovery/book/", {**VALID_FORM, field: value})


def _api_booking(field: str) -> Callable:
    return lambda client, tokens, value: _json(
        client, "/api/v1/coaches/demo/bookings", {**VALID_BOOKING, field: value})


def _manage_token(method: str, action: str) -> Callable:
    """A manage API door whose only input is the token in its path."""
    def send(client, tokens, value):
        url = f"/api/v1/manage/{quote(str(value), safe='', errors='surrogatepass')}/{action}"
        return getattr(client, method)(url)
    return send


def _coach_api(method: str, path: str, field: str) -> Callable:
    """A door of the coach API, with the coach's key; `path` may name the booking's {uid}."""
    def send(client, tokens, value):
        headers = {"Authorization": f"Bearer {tokens['key']}"}
        url = "/api/v1/me" + path.format(**tokens)
        if method == "get":
            shown = value if isinstance(value, str) else json.dumps(value)
            return client.get(url, {field: shown}, headers=headers)
        return client.post(url, json.dumps({field: value}), content_type="application/json",
                           headers=headers)
    return send


def _api_slots(param: str) -> Callable:
    def send(client, tokens, value):
        if not isinstance(value, str):
            return client.get("/api/v1/coaches/demo/slots", {param: json.dumps(value)})
        return client.get("/api/v1/coaches/demo/slots", {param: value})
    return send


DOORS = {
    "booking form: start": Door("instant", _booking_form("start"), json=False),
    "booking form: tz": Door("zone", _booking_form("tz"), json=False),
    "booking form: name": Door("line", _booking_form("name"), json=False),
    "booking form: email": Door("line", _booking_form("email"), json=False),
    "booking form: message": Door("message", _booking_form("message"), json=False),
    "manage page: reschedule start": Door("instant", lambda client, tokens, value: client.post(
        f"/b/{tokens['ann']}/reschedule/", {"start": value}), json=False),
    "manage page: cancel reason": Door("message", lambda client, tokens, value: client.post(
        f"/b/{tokens['ann']}/cancel/", {"reason": value}), json=False),
    "API slots: start": Door("date", _api_slots("start"), json=True),
    "API slots: end": Door("date", _api_slots("end"), json=True),
    "API slots: tz": Door("zone", _api_slots("tz"), json=True),
    "API booking: start": Door("instant", _api_booking("start"), json=True),
    "API booking: tz": Door("zone", _api_booking("tz"), json=True),
    "API booking: name": Door("line", _api_booking("name"), json=True),
    "API booking: email": Door("line", _api_booking("email"), json=True),
    "API booking: message": Door("message", _api_booking("message"), json=True),
    "API manage: cancel reason": Door("message", lambda client, tokens, value: _json(
        client, f"/api/v1/manage/{tokens['ann']}/cancel", {"reason": value}), json=True),
    "API manage: reschedule start": Door("instant", lambda client, tokens, value: _json(
        client, f"/api/v1/manage/{tokens['ann']}/reschedule", {"start": value}), json=True),
    "API manage: my data token": Door("token", _manage_token("get", "data"), json=True),
    "API manage: erase token": Door("token", _manage_token("post", "erase"), json=True),
    "coach API: bookings start": Door("date", _coach_api("get", "/bookings", "start"),
                                      json=True),
    "coach API: bookings end": Door("date", _coach_api("get", "/bookings", "end"), json=True),
    "coach API: bookings q": Door("search", _coach_api("get", "/bookings", "q"), json=True),
    "coach API: reschedule start": Door(
        "instant", _coach_api("post", "/bookings/{uid}/reschedule", "start"), json=True),
    "coach API: cancel message": Door(
        "message", _coach_api("post", "/bookings/{uid}/cancel", "message"), json=True),
}


def _cases() -> list:
    cases = []
    for door_name, door in DOORS.items():
        values = dict(BAD[door.kind])
        if door.json and door.kind != "search":  # a query string's words have no type
            values.update(WRONG_TYPES)
        for value_name, value in values.items():
            cases.append(pytest.param(door_name, value, id=f"{door_name} <- {value_name}"))
    return cases


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tokens(session_type, settings) -> dict[str, str]:
    settings.BOOKING_RATE_LIMITS = "off"
    ann = booking_create(
        session_type=session_type, start=datetime(2027, 3, 1, 8, tzinfo=UTC),
        invitee=Invitee(name="Ann", email="ann@example.com", timezone=session_type.coach.zone))
    key = api_key_create(coach=session_type.coach, name="battery")[1]
    return {"ann": ann.manage_token, "uid": str(ann.uid), "key": key}


def _state() -> tuple:
    return (list(Booking.objects.order_by("pk").values()),
            list(DBTaskResult.objects.order_by("pk").values_list("pk", "status")))


def test_every_door_accepts_its_valid_value(client, tokens):
    """The battery's baseline: each door's valid request succeeds, so refusals mean something."""
    assert _json(client, "/api/v1/coaches/demo/bookings", VALID_BOOKING).status_code == 201
    assert client.get("/api/v1/coaches/demo/slots",
                      {"start": "2027-03-01", "end": "2027-03-05", "tz": "Asia/Calcutta"}
                      ).json()["tz"] == "Asia/Kolkata"
    form = client.post("/demo/discovery/book/", {**VALID_FORM, "email": "zed@example.com",
                                                  "start": "2027-03-03T08:00:00Z"})
    assert form.status_code == 302
    moved = client.post(f"/b/{tokens['ann']}/reschedule/", {"start": "2027-03-04T08:00:00Z"})
    assert moved.status_code == 302
    assert client.get(f"/api/v1/manage/{tokens['ann']}/data").status_code == 200
    assert client.post(f"/api/v1/manage/{tokens['ann']}/erase").status_code == 200


@pytest.mark.parametrize(("door_name", "value"), _cases())
def test_a_bad_value_gets_a_4xx_with_a_message_and_changes_nothing(
        door_name, value, client, tokens, django_capture_on_commit_callbacks):
    door = DOORS[door_name]
    before = _state()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = door.send(client, tokens, value)

    assert 400 <= response.status_code < 500, response.content[:500]
    if door.json:
        answer = response.json()
        messages = [m for ms in answer.get("errors", {}).values() for m in ms]
        messages += [answer["message"]] if "message" in answer else []
        assert messages and all(isinstance(m, str) and m.strip() for m in messages), answer
    else:
        assert b'role="alert"' in response.content or b"field__errors" in response.content
    assert callbacks == []
    assert _state() == before
