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
from urllib.parse import quote, urlencode

import pytest
import time_machine
from django.test import Client
from django_tasks_db.models import DBTaskResult
from schedule.models import Event

from accounts.models import Coach
from accounts.services import api_key_create
from availability.models import ExternalCalendar
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
    "web address": {  # a link shown on her page: http or https only
        "javascript": "javascript:alert(1)",
        "ftp": "ftp://claire.example/",
        "no scheme": "claire.example",
        "NUL byte": "https://claire.example/\x00",
        "line break": "https://claire.example/\r\nx",
        "overlong": "https://claire.example/" + "a" * 600,
    },
    "calendar url": {  # an address the worker downloads (invariant 11)
        "ftp": "ftp://calendar.example/a.ics",
        "javascript": "javascript:alert(1)",
        "file": "file:///etc/passwd",
        "no host": "webcal://",
        "metadata address": "http://169.254.169.254/latest/meta-data/",
        "private address": "https://10.1.2.3/a.ics",
        "loopback name": "http://localhost:8000/a.ics",
        "IPv6 loopback": "http://[::1]/a.ics",
        "NUL byte": "https://calendar.example/a.ics\x00",
        "overlong": "https://calendar.example/" + "a" * 2000,
        "empty": "",
    },
    "time": {  # a wall-clock time of her hours, HH:MM
        "hour 25": "25:00",
        "unpadded": "9:00",
        "with seconds": "09:00:00",
        "24:00": "24:00",
        "NUL byte": "09:00\x00",
        "overlong": "09:00" * 500,
        "words": "noon",
        "empty": "",
    },
    "weekday": {  # 0 = Monday … 6 = Sunday, as a JSON number
        "negative": -1,
        "eight days a week": 7,
        "a string": "1",
        "a fraction": 1.5,
        "null": None,
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


def _json_with_key(client: Client, tokens: dict, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json",
                       headers={"Authorization": f"Bearer {tokens['key']}"})


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


VALID_SETTINGS = {"display_name": "Claire Martin", "bio": "", "bio_en": "", "website": "",
                  "zone": "Europe/Paris", "zone_hours": "", "language": "fr",
                  "notification_email": ""}


def _workspace(path: str, field: str, base: dict) -> Callable:
    """A form of the coach's workspace, posted signed in as her."""
    def send(client, tokens, value):
        client.force_login(tokens["user"])
        return client.post(path, {**base, field: value})
    return send


# Valid bodies of the coach API's availability doors; the battery spoils one field at a time.
VALID_WEEKLY = {"weekday": 5, "start": "10:00", "end": "12:00"}
VALID_PERIOD = {"start": "2027-03-06T10:00:00+01:00", "end": "2027-03-06T12:00:00+01:00"}


def _coach_api_body(path: str, valid: dict, field: str) -> Callable:
    def send(client, tokens, value):
        return client.post(f"/api/v1/me{path}", json.dumps({**valid, field: value}),
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {tokens['key']}"})
    return send


def _hours_page(path: str, valid: dict, field: str) -> Callable:
    """A form of her hours page (/coach/availability/…), signed in as the coach."""
    def send(client, tokens, value):
        client.force_login(tokens["user"])
        return client.post(f"/coach/availability/{path}", {**valid, field: value})
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
    "coach API: calendar url": Door("calendar url", _coach_api("post", "/calendars", "url"),
                                    json=True),
    "coach API: calendar name": Door("line", lambda client, tokens, value: client.post(
        "/api/v1/me/calendars", json.dumps({"url": "https://calendar.example/a.ics",
                                            "name": value}),
        content_type="application/json", headers={"Authorization": f"Bearer {tokens['key']}"}),
        json=True),
    "workspace calendars: url": Door("calendar url", _workspace(
        "/coach/calendars/", "url", {"name": ""}), json=False),
    "workspace calendars: name": Door("line", _workspace(
        "/coach/calendars/", "name", {"url": "https://calendar.example/a.ics"}), json=False),
    "workspace settings: name": Door("line", _workspace(
        "/coach/settings/", "display_name", VALID_SETTINGS), json=False),
    "workspace settings: notification email": Door("line", _workspace(
        "/coach/settings/", "notification_email", VALID_SETTINGS), json=False),
    "workspace settings: website": Door("web address", _workspace(
        "/coach/settings/", "website", VALID_SETTINGS), json=False),
    "workspace settings: zone": Door("zone", _workspace(
        "/coach/settings/", "zone", {**VALID_SETTINGS, "zone_hours": "wall"}), json=False),
    "hours page: week start": Door("time", _hours_page(
        "week/", {"d5_on": "on", "d5_end_0": "12:00"}, "d5_start_0"), json=False),
    "hours page: time off first day": Door("date", _hours_page(
        "time-off/", {}, "off_first"), json=False),
    "hours page: week end": Door("time", _hours_page(
        "week/", {"d5_on": "on", "d5_start_0": "10:00"}, "d5_end_0"), json=False),
    "hours page: date override": Door("date", _hours_page(
        "dates/", {"mode": "closed"}, "date_1"), json=False),
    "hours page: time off message": Door("message", _hours_page(
        "time-off/", {"off_first": "2027-03-01", "decision": "cancel"}, "message"),
        json=False),
    **{f"coach API: weekly {field}": Door(
        "weekday" if field == "weekday" else "time",
        _coach_api_body("/availability/weekly", VALID_WEEKLY, field), json=True)
       for field in ("weekday", "start", "end")},
    **{f"coach API: {path} {field}": Door(
        "instant", _coach_api_body(f"/availability/{path}", VALID_PERIOD, field), json=True)
       for path in ("time-off", "extra") for field in ("start", "end")},
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
def tokens(session_type, settings) -> dict:
    settings.BOOKING_RATE_LIMITS = "off"
    ann = booking_create(
        session_type=session_type, start=datetime(2027, 3, 1, 8, tzinfo=UTC),
        invitee=Invitee(name="Ann", email="ann@example.com", timezone=session_type.coach.zone))
    key = api_key_create(coach=session_type.coach, name="battery")[1]
    return {"ann": ann.manage_token, "uid": str(ann.uid), "key": key,
            "user": session_type.coach.user}


def _state() -> tuple:
    return (list(Booking.objects.order_by("pk").values()),
            list(DBTaskResult.objects.order_by("pk").values_list("pk", "status")),
            list(Coach.objects.order_by("pk").values()),
            list(ExternalCalendar.objects.order_by("pk").values()),
            list(Event.objects.order_by("pk").values_list("pk", "start", "end", "rule_id")))


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
    hours_page = _hours_page("time-off/", {}, "off_first")(client, tokens, "2027-03-20")
    assert hours_page.status_code == 302
    for path, body in (("weekly", VALID_WEEKLY), ("time-off", VALID_PERIOD),
                       ("extra", VALID_PERIOD)):
        response = _coach_api_body(f"/availability/{path}", body, "start")(
            client, tokens, body["start"])
        assert response.status_code == 201, response.content
    added = _json_with_key(client, tokens, "/api/v1/me/calendars",
                           {"url": "webcal://calendar.example/a.ics", "name": "Perso"})
    assert added.status_code == 201
    client.force_login(tokens["user"])
    assert client.post("/coach/calendars/", {"url": "https://calendar.example/b.ics",
                                             "name": "Pro"}).status_code == 302
    saved = client.post("/coach/settings/", {
        **VALID_SETTINGS, "website": "https://claire.example/", "zone": "America/New_York",
        "zone_hours": "wall", "notification_email": "agenda@claire.example"})
    assert saved.status_code == 302
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


# Malformed requests rather than malformed values: bodies nested 60,000 deep, lone
# surrogates, numbers no column holds, odd content types and charsets, proxy headers that do
# not fit the proxies we run. Sent to every door that takes a body (page forms, the manage
# forms, the workspace's forms, the sign-in forms, the public, manage and coach APIs, Stripe's
# webhook); each answer is below 500 and a refusal changes nothing.

DEEP = 60_000
DATA_CAP = 64 * 1024  # DATA_UPLOAD_MAX_MEMORY_SIZE
SURROGATE = "\ud800@example.org"
HUGE_JSON_NUMBERS = {"1e400": "1e400", "-1e400": "-1e400", "10**4000": "1" + "0" * 4000,
                     "5000 digits": "9" * 5000, "tiny": "1e-400"}
HUGE_FORM_NUMBERS = {"1e400": "1e400", "10**4000": "1" + "0" * 4000, "-50 nines": "-" + "9" * 50,
                     "NaN": "NaN", "Infinity": "Infinity"}
BAD_FORWARDED_FOR = {"one entry": "203.0.113.1", "garbage": "garbage, more garbage",
                     "empty": "", "commas": ",,,", "one bad of two": "198.51.100.1, not-an-ip",
                     "out of range": "300.1.1.1, 10.0.0.1", "NUL": "198.51.100.1\x00, 10.0.0.1",
                     "too many": ", ".join(["10.0.0.1"] * 50)}
TYPE_FORM = {"name": "Bilan de carrière", "name_en": "", "slug": "", "description": "",
             "description_en": "", "duration_minutes": "60", "step_minutes": "30",
             "notice_hours": "24", "horizon_days": "30", "buffer_before_minutes": "0",
             "buffer_after_minutes": "15", "cancel_cutoff_hours": "12", "reminders": "24h",
             "daily_cap": "", "limit_policy": "unlimited", "limit_period_days": "",
             "location_kind": "phone", "location_details": "", "price": "", "currency": "eur",
             "refund_policy": "before_cutoff", "is_active": "on"}
MOVE = "2027-03-04T08:00:00Z"


@dataclass(frozen=True)
class BodyDoor:
    """An entry point that takes a body: `kind` is "form", "json" or "webhook"."""

    method: str
    path: str  # may name {ann} (a manage token), {uid}, {key_pk}
    kind: str
    valid: dict
    auth: str = ""  # "session" (the coach signed in) or "key" (her API key)
    keep: tuple[str, ...] = ()  # fields left valid (a new slug would move the door away)


BODY_DOORS = {
    "booking form": BodyDoor("post", "/demo/discovery/book/", "form", VALID_FORM),
    "manage page: reschedule": BodyDoor("post", "/b/{ann}/reschedule/", "form", {"start": MOVE}),
    "manage page: cancel": BodyDoor("post", "/b/{ann}/cancel/", "form", {"reason": "Oups"}),
    "language switch": BodyDoor("post", "/i18n/setlang/", "form", {"language": "en",
                                                                  "next": "/"}),
    "coach sign-in": BodyDoor("post", "/accounts/login/", "form",
                              {"login": "nobody@example.com", "password": "wrong"}),
    "coach sign-in by code": BodyDoor("post", "/accounts/login/code/", "form",
                                      {"email": "nobody@example.com"}),
    "admin sign-in": BodyDoor("post", "/admin/login/", "form",
                              {"username": "nobody@example.com", "password": "wrong"}),
    "workspace: cancel": BodyDoor("post", "/coach/bookings/{uid}/cancel/", "form",
                                  {"message": "Désolée"}, "session"),
    "workspace: reschedule": BodyDoor("post", "/coach/bookings/{uid}/reschedule/", "form",
                                      {"start": MOVE, "message": ""}, "session"),
    "workspace: outcome": BodyDoor("post", "/coach/bookings/{uid}/outcome/", "form",
                                   {"status": "completed"}, "session"),
    "workspace: note": BodyDoor("post", "/coach/bookings/{uid}/notes/", "form",
                                {"text": "À rappeler"}, "session"),
    "workspace: new type": BodyDoor("post", "/coach/types/new/", "form", TYPE_FORM, "session"),
    "workspace: edit type": BodyDoor("post", "/coach/types/discovery/", "form",
                                     {**TYPE_FORM, "slug": "discovery"}, "session",
                                     keep=("slug",)),
    "workspace: new key": BodyDoor("post", "/coach/keys/new/", "form", {"name": "n8n"},
                                   "session"),
    "workspace: revoke key": BodyDoor("post", "/coach/keys/{key_pk}/revoke/", "form", {},
                                      "session"),
    "API booking": BodyDoor("post", "/api/v1/coaches/demo/bookings", "json", VALID_BOOKING),
    "API manage: cancel": BodyDoor("post", "/api/v1/manage/{ann}/cancel", "json",
                                   {"reason": "Oups"}),
    "API manage: reschedule": BodyDoor("post", "/api/v1/manage/{ann}/reschedule", "json",
                                       {"start": MOVE}),
    "coach API: cancel": BodyDoor("post", "/api/v1/me/bookings/{uid}/cancel", "json",
                                  {"message": "Désolée"}, "key"),
    "coach API: reschedule": BodyDoor("post", "/api/v1/me/bookings/{uid}/reschedule", "json",
                                      {"start": MOVE, "message": ""}, "key"),
    "coach API: outcome": BodyDoor("post", "/api/v1/me/bookings/{uid}/outcome", "json",
                                   {"status": "completed"}, "key"),
    "coach API: new type": BodyDoor("post", "/api/v1/me/session-types", "json",
                                    {"name": "Bilan", "duration_minutes": 60,
                                     "daily_cap": 3, "limit_period_days": 30}, "key"),
    "coach API: edit type": BodyDoor("patch", "/api/v1/me/session-types/discovery", "json",
                                     {"duration_minutes": 45, "horizon_days": 30,
                                      "reminder_minutes": [60]}, "key"),
    "Stripe webhook": BodyDoor("post", "/payments/stripe/webhook/", "webhook", {
        "id": "evt_1", "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_1", "client_reference_id": "{uid}"}}}),
}


def _deep_json() -> dict[str, bytes]:
    """60,000 levels (over the 64 KiB body cap: 413), and as deep as fits under the cap."""
    fits = (DATA_CAP - 100) // 2
    return {"nested lists": b"[" * DEEP + b"]" * DEEP,
            "nested objects": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
            "nested lists under the cap": b"[" * fits + b"]" * fits,
            "nested objects under the cap": b'{"a":' * (fits // 3) + b"1" + b"}" * (fits // 3),
            "nested in a field": b'{"name": ' + b"[" * fits + b"]" * fits + b"}"}


def _json_with(valid: dict, field: str, raw: str) -> bytes:
    """`valid` as JSON with `field`'s value replaced by the raw JSON text `raw`."""
    marker = "\x00MARKER\x00"
    return json.dumps({**valid, field: marker}).replace(json.dumps(marker), raw).encode()


def _json_variants(family: str, valid: dict, fields: list[str]) -> dict[str, tuple[str, bytes]]:
    """name → (content type, body) of one family of malformed JSON requests."""
    as_json = "application/json"
    if family == "deep":
        return {name: (as_json, body) for name, body in _deep_json().items()}
    if family == "surrogates":
        found = {f"escaped in {f}": (as_json, _json_with(valid, f, json.dumps(SURROGATE)))
                 for f in fields}
        found["raw bytes"] = (as_json, b'{"name": "\xed\xa0\x80", "email": "\xed\xa0\x80"}')
        return found
    if family == "numbers":
        return {f"{f} = {label}": (as_json, _json_with(valid, f, raw))
                for f in fields for label, raw in HUGE_JSON_NUMBERS.items()}
    latin = json.dumps({**valid, "name": "Zoé"}, ensure_ascii=False).encode("latin-1")
    return {
        "text/plain": ("text/plain", json.dumps(valid).encode()),
        "latin-1 bytes": ("application/json; charset=latin-1", latin),
        "utf-16 bytes": ("application/json; charset=utf-16", json.dumps(valid).encode("utf-16")),
        "unknown charset": ("application/json; charset=no-such-thing", json.dumps(valid).encode()),
        "multipart": ("multipart/form-data; boundary=BoUnDaRy",
                      b"--BoUnDaRy\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n"
                      b"Zo\r\n--BoUnDaRy--\r\n"),
        "form-encoded": ("application/x-www-form-urlencoded", urlencode(valid).encode()),
        "no content type": ("", json.dumps(valid).encode()),
        "empty body": (as_json, b""),
        "garbage": (as_json, b"\xff\xfe\x00garbage{"),
    }


def _form_variants(family: str, valid: dict, fields: list[str]) -> dict[str, tuple[str, bytes]]:
    as_form = "application/x-www-form-urlencoded"
    encoded = urlencode(valid).encode()
    if family == "deep":
        found = {f"nested in {f}": (as_form, urlencode({**valid, f: "[" * 20_000}).encode())
                 for f in fields}
        found.update({f"JSON {name}": ("application/json", body)
                      for name, body in _deep_json().items()})
        return found
    if family == "surrogates":
        return {f"in {f}": (as_form, (urlencode({**valid, f: "x"}) + "&" + f + "=%ED%A0%80")
                            .encode()) for f in fields}
    if family == "numbers":
        return {f"{f} = {label}": (as_form, urlencode({**valid, f: raw}).encode())
                for f in fields for label, raw in HUGE_FORM_NUMBERS.items()}
    latin = urlencode({**valid, "name": "Zoé"}, encoding="latin-1").encode()
    return {
        "text/plain": ("text/plain", encoded),
        "latin-1 charset": (f"{as_form}; charset=latin-1", latin),
        "unknown charset": (f"{as_form}; charset=no-such-thing", encoded),
        "JSON": ("application/json", json.dumps(valid).encode()),
        "multipart, no boundary": ("multipart/form-data", encoded),
        "multipart, bad boundary": ("multipart/form-data; boundary=\x00", b"--\x00\r\n" + encoded),
        "multipart, truncated": ("multipart/form-data; boundary=B",
                                 b"--B\r\nContent-Disposition: form-data; name=\"start\"\r\n"),
        "no content type": ("", encoded),
        "garbage": (as_form, b"\xff\xfe%%%&&&=\x00"),
    }


FAMILIES = ("deep", "surrogates", "numbers", "content types", "proxy headers")


@pytest.fixture
def wide_tokens(tokens, session_type) -> dict[str, str]:
    from accounts.models import ApiKey

    return {**tokens, "key_pk": str(ApiKey.objects.filter(coach=session_type.coach)
                                     .values_list("pk", flat=True).first())}


def _wide_state() -> tuple:
    from accounts.models import ApiKey, Coach
    from availability.models import SessionType
    from booking.models import BookingEvent, BookingNote

    return (_state(), list(SessionType.objects.order_by("pk").values()),
            # last_used_at moves with every request the key signs, refused or not
            list(ApiKey.objects.order_by("pk").values("pk", "name", "revoked_at")),
            list(Coach.objects.order_by("pk").values()),
            list(BookingEvent.objects.order_by("pk").values_list("pk")),
            list(BookingNote.objects.order_by("pk").values_list("pk")))


def _fill(value, tokens: dict) -> object:
    if isinstance(value, str):
        return value.format(**tokens) if "{" in value and "}" in value else value
    if isinstance(value, dict):
        return {k: _fill(v, tokens) for k, v in value.items()}
    return value


def _requests(door: BodyDoor, family: str, tokens: dict) -> dict:
    """name → (content type, body, extra headers) for one door and one family."""
    valid = _fill(door.valid, tokens)
    if family == "proxy headers":
        body = (json.dumps(valid).encode() if door.kind != "form"
                else urlencode(valid).encode())
        kind = "application/x-www-form-urlencoded" if door.kind == "form" else "application/json"
        return {name: (kind, body, {"X-Forwarded-For": header})
                for name, header in BAD_FORWARDED_FOR.items()}
    fields = [name for name in valid if name not in door.keep] or ["name"]
    variants = (_form_variants if door.kind == "form" else _json_variants)(family, valid, fields)
    return {name: (kind, body, {}) for name, (kind, body) in variants.items()}


def _client_for(door: BodyDoor, session_type) -> Client:
    client = Client(REMOTE_ADDR="192.0.2.10")
    if door.auth == "session":
        client.force_login(session_type.coach.user)
    return client


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("door_name", BODY_DOORS)
def test_a_malformed_request_never_gets_a_500_and_a_refusal_changes_nothing(
        door_name, family, wide_tokens, session_type, settings,
        django_capture_on_commit_callbacks):
    door = BODY_DOORS[door_name]
    settings.STRIPE_WEBHOOK_SECRET = "whsec_battery"
    if family == "proxy headers":
        settings.TRUSTED_PROXY_COUNT = 2
        settings.BOOKING_RATE_LIMITS = "100/m/ip,100/h/key"  # on, through the proxy path
    client = _client_for(door, session_type)
    path = door.path.format(**wide_tokens)
    failures = []
    for name, (content_type, body, headers) in _requests(door, family, wide_tokens).items():
        if door.auth == "key":
            headers = {**headers, "Authorization": f"Bearer {wide_tokens['key']}"}
        before = _wide_state()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.generic(door.method.upper(), path, body,
                                      content_type=content_type, headers=headers)
        status = response.status_code
        if status >= 500 or (door.kind == "webhook" and status != 400):
            failures.append(f"{name}: {status} {response.content[:200]!r}")
        elif status >= 400 and (callbacks or _wide_state() != before):
            failures.append(f"{name}: refused with {status} but changed something")
    assert not failures, "\n".join(failures)
