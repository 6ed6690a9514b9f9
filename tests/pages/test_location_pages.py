"""Where the session happens, on the prospect's pages and through the public API."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from booking.location import MEETING_BASE
from booking.models import Booking
from tests.support.html import iso

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
TUESDAY_9 = datetime(2027, 3, 2, 9, tzinfo=PARIS)
PICKER = "/demo/discovery/"
BOOK = "/demo/discovery/book/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _where(session_type, kind, details="", room=False):
    session_type.location_kind = kind
    session_type.location_details = details
    session_type.location_room_per_booking = room
    session_type.save()


def form_data(**changes) -> dict:
    return {"start": iso(TUESDAY_9), "tz": "Europe/Paris", "name": "Ada Lovelace",
            "email": "ada@example.org", "message": "", "consent": "on", "website": "",
            **changes}


def test_the_picker_says_where_but_never_gives_a_video_link(client, session_type):
    _where(session_type, "video", "https://zoom.example/j/private")
    html = client.get(PICKER).content.decode()
    assert "Visioconférence" in html and "zoom.example" not in html
    html = client.get(f"{BOOK}?start={iso(TUESDAY_9)}").content.decode()
    assert "Visioconférence" in html and "zoom.example" not in html


def test_the_picker_gives_the_address(client, session_type):
    _where(session_type, "in_person", "12 rue de la Paix, Paris")
    assert "12 rue de la Paix, Paris" in client.get(PICKER).content.decode()


def test_the_room_is_on_the_confirmation_and_manage_pages_only(client, session_type):
    _where(session_type, "video", room=True)
    response = client.post(BOOK, form_data())
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.meeting_url.startswith(MEETING_BASE)
    assert booking.meeting_url in client.get(response.url).content.decode()
    assert booking.meeting_url in client.get(booking.get_absolute_url()).content.decode()
    invite = client.get(booking.get_absolute_url() + "invite.ics").content
    event = Calendar.from_ical(invite).walk("VEVENT")[0]
    assert str(event["CONFERENCE"]) == booking.meeting_url
    assert booking.meeting_url in str(event["DESCRIPTION"])
    assert booking.meeting_url not in client.get(PICKER).content.decode()


def test_a_phone_call_asks_for_the_number(client, session_type):
    _where(session_type, "phone")
    assert 'name="phone"' in client.get(f"{BOOK}?start={iso(TUESDAY_9)}").content.decode()
    response = client.post(BOOK, form_data())
    assert response.status_code == 400
    assert "Indiquez le numéro auquel vous appeler." in response.content.decode()
    response = client.post(BOOK, form_data(phone="12"))
    assert response.status_code == 400
    assert client.post(BOOK, form_data(phone="+33 6 12 34 56 78")).status_code == 302
    assert Booking.objects.get().invitee_phone == "+33 6 12 34 56 78"


def test_no_phone_field_when_the_session_is_not_a_call(client, session_type):
    assert 'name="phone"' not in client.get(f"{BOOK}?start={iso(TUESDAY_9)}").content.decode()


def test_the_api_takes_the_phone_and_refuses_a_bad_one(client, session_type):
    _where(session_type, "phone")
    body = {"type": "discovery", "start": iso(TUESDAY_9), "name": "Zoé", "consent": True,
            "email": "zoe@example.com"}
    response = client.post("/api/v1/coaches/demo/bookings", body,
                           content_type="application/json")
    assert response.status_code == 400
    assert "phone" in response.json()["errors"]
    response = client.post("/api/v1/coaches/demo/bookings", {**body, "phone": "abc"},
                           content_type="application/json")
    assert response.status_code == 400 and "phone" in response.json()["errors"]
    response = client.post("/api/v1/coaches/demo/bookings", {**body, "phone": "06 12 34 56 78"},
                           content_type="application/json")
    assert response.status_code == 201
    assert Booking.objects.get().invitee_phone == "06 12 34 56 78"
