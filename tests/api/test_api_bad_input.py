"""Invariant 6 on the JSON API: every bad input gets a 4xx with a message, and changes nothing.

One table, one request per row. Each row checks the status, that the answer names the field
at fault (400) or the error (404/409/413/429) with words for people, that no Booking row and
no task row changed, and that nothing was queued to run after a commit.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from booking.models import Booking
from booking.services import Invitee, booking_cancel, booking_create
from tests.factories import CoachFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 2, 25, 8, tzinfo=UTC)  # a Thursday
BOOKINGS = "/api/v1/coaches/demo/bookings"
SLOTS = "/api/v1/coaches/demo/slots"
DROP = object()
VALID = {"type": "discovery", "start": "2027-03-02T09:00:00+01:00", "name": "Zoé Durand",
         "email": "zoe@example.com", "consent": True}


def body(**changes) -> dict:
    """VALID with some fields changed; DROP removes one."""
    merged = {**VALID, **changes}
    return {key: value for key, value in merged.items() if value is not DROP}


@dataclass(frozen=True)
class Bad:
    path: str
    status: int
    blame: str  # the field named in `errors` (400), else the `error` code
    data: dict | list | str | bytes | None = None  # None: a GET
    content_type: str = "application/json"
    settings: dict = field(default_factory=dict)


def post(path: str, data, status: int, blame: str, **kwargs) -> Bad:
    return Bad(path=path, data=data, status=status, blame=blame, **kwargs)


def get(path: str, status: int, blame: str) -> Bad:
    return Bad(path=path, status=status, blame=blame)


CASES = {
    # Shape of the body
    "missing type": post(BOOKINGS, body(type=DROP), 400, "type"),
    "missing start": post(BOOKINGS, body(start=DROP), 400, "start"),
    "missing name": post(BOOKINGS, body(name=DROP), 400, "name"),
    "missing email": post(BOOKINGS, body(email=DROP), 400, "email"),
    "missing consent": post(BOOKINGS, body(consent=DROP), 400, "consent"),
    "unknown extra field": post(BOOKINGS, body(admin=True), 400, "admin"),
    "name is a number": post(BOOKINGS, body(name=42), 400, "name"),
    "name is null": post(BOOKINGS, body(name=None), 400, "name"),
    "type is a number": post(BOOKINGS, body(type=1), 400, "type"),
    "message is a list": post(BOOKINGS, body(message=["hi"]), 400, "message"),
    "consent is a string": post(BOOKINGS, body(consent="true"), 400, "consent"),
    "consent is 1": post(BOOKINGS, body(consent=1), 400, "consent"),
    "consent is false": post(BOOKINGS, body(consent=False), 400, "consent"),
    "malformed JSON": post(BOOKINGS, '{"type": "discovery",', 400, "body"),
    "JSON array": post(BOOKINGS, "[]", 400, "body"),
    "JSON string": post(BOOKINGS, '"book me"', 400, "body"),
    "empty body": post(BOOKINGS, "", 400, "body"),
    "not UTF-8": post(BOOKINGS, b'{"name": "\xff\xfe"}', 400, "body"),
    "form-encoded": post(BOOKINGS, "type=discovery&name=Zoe", 400, "body",
                         content_type="application/x-www-form-urlencoded"),
    "multipart form": post(BOOKINGS, b"--b\r\nContent-Disposition: form-data; name=x\r\n\r\n1"
                           b"\r\n--b--\r\n", 400, "body",
                           content_type="multipart/form-data; boundary=b"),
    "JSON sent as text/plain": post(BOOKINGS, json.dumps(VALID), 400, "body",
                                    content_type="text/plain"),
    "huge body": post(BOOKINGS, json.dumps(body(message="x" * 70_000)), 413, "too_large"),
    # Start
    "start is a number": post(BOOKINGS, body(start=1803964800), 400, "start"),
    "naive start": post(BOOKINGS, body(start="2027-03-02T09:00:00"), 400, "start"),
    "date without time": post(BOOKINGS, body(start="2027-03-02"), 400, "start"),
    "start is words": post(BOOKINGS, body(start="tomorrow at nine"), 400, "start"),
    "start out of range": post(BOOKINGS, body(start="9999-12-31T23:59:59-14:00"), 400,
                               "start"),
    "start in the past": post(BOOKINGS, body(start="2027-02-22T09:00:00+01:00"), 400, "start"),
    "start too soon": post(BOOKINGS, body(start="2027-02-25T14:00:00+01:00"), 400, "start"),
    "start far in the future": post(BOOKINGS, body(start="2031-01-06T09:00:00+01:00"), 400,
                                    "start"),
    "start off the grid": post(BOOKINGS, body(start="2027-03-02T09:10:00+01:00"), 400, "start"),
    "start outside windows": post(BOOKINGS, body(start="2027-03-02T12:30:00+01:00"), 400,
                                  "start"),
    "start on a Saturday": post(BOOKINGS, body(start="2027-03-06T09:00:00+01:00"), 400,
                                "start"),
    # Session type
    "unknown type": post(BOOKINGS, body(type="nope"), 400, "type"),
    "inactive type": post(BOOKINGS, body(type="retired"), 400, "type"),
    "another coach's type": post(BOOKINGS, body(type="elsewhere"), 400, "type"),
    "type with a NUL": post(BOOKINGS, body(type="disc\x00overy"), 400, "type"),
    # Person
    "CRLF in the name": post(BOOKINGS, body(name="Eve\r\nBcc: all@evil.test"), 400, "name"),
    "NUL in the name": post(BOOKINGS, body(name="Eve\x00"), 400, "name"),
    "escape code in the name": post(BOOKINGS, body(name="\x1b[31mEve"), 400, "name"),
    "lone surrogate in the name": post(BOOKINGS, body(name="Eve \ud800"), 400, "name"),
    "blank name": post(BOOKINGS, body(name="   "), 400, "name"),
    "overlong name": post(BOOKINGS, body(name="E" * 121), 400, "name"),
    "invalid email": post(BOOKINGS, body(email="not-an-email"), 400, "email"),
    "email with a display name": post(BOOKINGS, body(email="Zoe <zoe@example.com>"), 400,
                                      "email"),
    "CRLF in the email": post(BOOKINGS, body(email="zoe@example.com\r\nBcc: x@evil.test"), 400,
                              "email"),
    "unknown zone": post(BOOKINGS, body(tz="Mars/Olympus_Mons"), 400, "tz"),
    "fixed-offset zone": post(BOOKINGS, body(tz="UTC+01:00"), 400, "tz"),
    "zone path traversal": post(BOOKINGS, body(tz="../../etc/passwd"), 400, "tz"),
    "unknown language": post(BOOKINGS, body(language="de"), 400, "language"),
    "overlong message": post(BOOKINGS, body(message="m" * 2001), 400, "message"),
    "control character in message": post(BOOKINGS, body(message="ding\x07"), 400, "message"),
    # Coach, conflicts, limits
    "unknown coach": post("/api/v1/coaches/nobody/bookings", body(), 404, "not_found"),
    "coach slug with a NUL": post("/api/v1/coaches/de%00mo/bookings", body(), 404,
                                  "not_found"),
    "slot taken": post(BOOKINGS, body(start="2027-03-01T09:00:00+01:00"), 409, "slot_taken"),
    "person's allowance used": post(BOOKINGS, body(email="ANN@example.com"), 409,
                                    "limit_reached"),
    "rate limited": post(BOOKINGS, body(), 429, "rate_limited",
                         settings={"BOOKING_RATE_LIMITS": "1/m/ip"}),
    # Slots
    "slots: reversed range": get(f"{SLOTS}?start=2027-03-10&end=2027-03-01", 400, "end"),
    "slots: 63 days": get(f"{SLOTS}?start=2027-03-01&end=2027-05-02", 400, "end"),
    "slots: no such day": get(f"{SLOTS}?start=2027-02-30", 400, "start"),
    "slots: French date": get(f"{SLOTS}?start=01/03/2027", 400, "start"),
    "slots: end is words": get(f"{SLOTS}?end=soon", 400, "end"),
    "slots: year 9999": get(f"{SLOTS}?start=9999-12-31", 400, "start"),
    "slots: unknown zone": get(f"{SLOTS}?tz=Europe/Atlantis", 400, "tz"),
    "slots: unknown type": get(f"{SLOTS}?type=nope", 404, "not_found"),
    "slots: inactive type": get(f"{SLOTS}?type=retired", 404, "not_found"),
    "slots: another coach's type": get(f"{SLOTS}?type=elsewhere", 404, "not_found"),
    "slots: unknown coach": get("/api/v1/coaches/nobody/slots", 404, "not_found"),
    "session types: unknown coach": get("/api/v1/coaches/nobody/session-types", 404,
                                        "not_found"),
    # Manage links
    "manage: unknown token": get("/api/v1/manage/" + "x" * 34, 404, "not_found"),
    "manage: wrong secret": get("/api/v1/manage/{ann_wrong}", 404, "not_found"),
    "manage: short token": get("/api/v1/manage/abc", 404, "not_found"),
    "manage: token with a NUL": get("/api/v1/manage/" + "x" * 33 + "%00", 404, "not_found"),
    "cancel: wrong secret": post("/api/v1/manage/{ann_wrong}/cancel", {}, 404, "not_found"),
    "cancel: reason is a number": post("/api/v1/manage/{ann}/cancel", {"reason": 5}, 400,
                                       "reason"),
    "cancel: control characters": post("/api/v1/manage/{ann}/cancel", {"reason": "\x00"},
                                       400, "reason"),
    "cancel: overlong reason": post("/api/v1/manage/{ann}/cancel", {"reason": "r" * 2001},
                                    400, "reason"),
    "cancel: unknown field": post("/api/v1/manage/{ann}/cancel", {"why": "x"}, 400, "why"),
    "cancel: already cancelled": post("/api/v1/manage/{carl}/cancel", {}, 409,
                                      "change_not_allowed"),
    "reschedule: wrong secret": post("/api/v1/manage/{ann_wrong}/reschedule",
                                     {"start": "2027-03-03T09:00:00+01:00"}, 404, "not_found"),
    "reschedule: missing start": post("/api/v1/manage/{ann}/reschedule", {}, 400, "start"),
    "reschedule: naive start": post("/api/v1/manage/{ann}/reschedule",
                                    {"start": "2027-03-03T09:00:00"}, 400, "start"),
    "reschedule: past": post("/api/v1/manage/{ann}/reschedule",
                             {"start": "2027-02-22T09:00:00+01:00"}, 400, "start"),
    "reschedule: off the grid": post("/api/v1/manage/{ann}/reschedule",
                                     {"start": "2027-03-03T09:15:00+01:00"}, 400, "start"),
    "reschedule: far future": post("/api/v1/manage/{ann}/reschedule",
                                   {"start": "2031-01-06T09:00:00+01:00"}, 400, "start"),
    "reschedule: taken": post("/api/v1/manage/{ann}/reschedule",
                              {"start": "2027-03-01T10:00:00+01:00"}, 409, "slot_taken"),
    "reschedule: cancelled booking": post("/api/v1/manage/{carl}/reschedule",
                                          {"start": "2027-03-03T09:00:00+01:00"}, 409,
                                          "change_not_allowed"),
}


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tokens(session_type) -> dict[str, str]:
    """Demo coach with an inactive type, another coach, and three bookings (one cancelled)."""
    SessionTypeFactory(coach=session_type.coach, slug="retired", is_active=False)
    SessionTypeFactory(coach=CoachFactory(), slug="elsewhere")

    def make(name: str, hour: int) -> Booking:
        invitee = Invitee(name=name, email=f"{name.lower()}@example.com",
                          timezone=session_type.coach.zone)
        return booking_create(session_type=session_type, invitee=invitee,
                              start=datetime(2027, 3, 1, hour, tzinfo=UTC))

    ann, _bob, carl = make("Ann", 8), make("Bob", 9), make("Carl", 10)
    booking_cancel(booking=carl, by=Booking.CancelledBy.INVITEE)
    wrong = ann.manage_token[:-1] + ("A" if ann.manage_token[-1] != "A" else "B")
    return {"ann": ann.manage_token, "carl": carl.manage_token, "ann_wrong": wrong}


def _state() -> tuple:
    return (list(Booking.objects.order_by("pk").values()),
            list(DBTaskResult.objects.order_by("pk").values_list("pk", "status")))


def _send(client, case: Bad, tokens: dict[str, str]):
    path = case.path.format(**tokens)
    if case.data is None:
        return client.get(path)
    data = case.data if isinstance(case.data, str | bytes) else json.dumps(case.data)
    return client.generic("POST", path, data, content_type=case.content_type)


def test_the_table_has_at_least_forty_rows_and_a_valid_base(client, tokens):
    assert len(CASES) >= 40
    response = client.post(BOOKINGS, VALID, content_type="application/json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
        name, client, tokens, django_capture_on_commit_callbacks):
    case = CASES[name]
    with override_settings(**case.settings):
        if case.settings:
            _send(client, post(BOOKINGS, "{}", 400, "type"), tokens)  # uses up the limit
        before = _state()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = _send(client, case, tokens)

    assert response.status_code == case.status, response.content
    assert response["Content-Type"].startswith("application/json")
    answer = response.json()
    if case.status == 400:
        messages = answer["errors"][case.blame]
        assert messages and all(isinstance(m, str) and m.strip() for m in messages)
    else:
        assert answer["error"] == case.blame
        assert answer["message"].strip()
    assert callbacks == []
    assert _state() == before
