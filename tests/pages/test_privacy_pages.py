"""The privacy notice, and the invitee's data from the manage link: download and erase."""

import json
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.forms.models import model_to_dict
from django.test import Client
from django_tasks_db.models import DBTaskResult

from booking.models import Booking
from tests.factories import BookingFactory, book
from tests.support.html import fr, iso

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)  # Monday 09:00 in Paris
WEDNESDAY_10 = datetime(2027, 3, 3, 10, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def booking(session_type) -> Booking:
    return book(session_type, WEDNESDAY_10, name="Zoé Durand", email="zoe@example.com",
                message="Bonjour")


def url(booking: Booking, page: str = "") -> str:
    return f"/b/{booking.manage_token}/{page}"


def post_with_csrf(client: Client, page_url: str, data: dict | None = None):
    page = client.get(page_url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return client.post(page_url, {"csrfmiddlewaretoken": token, **(data or {})})


def snapshot() -> tuple:
    return ([model_to_dict(b) | {"updated_at": b.updated_at} for b in Booking.objects.all()],
            DBTaskResult.objects.count())


def test_the_privacy_notice_says_what_why_how_long_and_how_in_french_and_english(
        client, settings):
    settings.PRIVACY_NOTICE_VERSION = "2027-01-15"
    french = client.get("/privacy/")
    assert french.status_code == 200
    assert '<html lang="fr">' in french.text
    assert fr("Privacy notice") in french.text and "2027-01-15" in french.text
    for section in ('id="what"', 'id="why"', 'id="how-long"', 'id="rights"'):
        assert section in french.text
    assert "365" in french.text
    assert fr("“Erase my data” cancels your upcoming sessions with that coach (you both get "
              "the usual cancellation email) and erases your name, email, phone number, "
              "messages and the coach's notes from all your bookings with her.") in french.text

    client.post("/i18n/setlang/", {"language": "en", "next": "/privacy/"})
    english = client.get("/privacy/").text
    assert '<html lang="en">' in english and "How long" in english
    assert "365 days after your session" in english


def test_the_booking_form_links_the_notice_and_its_version(client, session_type, settings):
    settings.PRIVACY_NOTICE_VERSION = "2027-01-15"
    html = client.get("/demo/discovery/book/", {"start": iso(WEDNESDAY_10)}).text
    assert 'href="/privacy/" id="privacy-link"' in html and "2027-01-15" in html


def test_the_manage_page_offers_the_data_and_its_erasure(client, booking):
    html = client.get(url(booking)).text
    assert f'href="{url(booking, "my-data.json")}"' in html
    assert f'href="{url(booking, "erase/")}"' in html
    assert fr("My data (JSON)") in html and fr("Erase my data") in html


def test_my_data_downloads_everything_held_as_json_and_changes_nothing(client, booking,
                                                                      session_type):
    earlier = BookingFactory(session_type=session_type, invitee_email="zoe@example.com",
                             start=datetime(2026, 6, 1, 8, tzinfo=UTC))
    before = snapshot()

    response = client.get(url(booking, "my-data.json"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(response.content)
    assert [b["uid"] for b in data["bookings"]] == [str(earlier.uid), str(booking.uid)]
    assert data["bookings"][1]["name"] == "Zoé Durand"
    assert data["bookings"][1]["message"] == "Bonjour"
    assert snapshot() == before


def test_the_erase_page_says_what_happens_and_its_get_changes_nothing(client, booking):
    before = snapshot()
    html = client.get(url(booking, "erase/")).text
    assert 'id="what-happens"' in html and "Claire Martin" in html
    assert f'action="{url(booking, "erase/")}"' in html
    assert snapshot() == before


def test_erasing_cancels_the_upcoming_session_and_says_so(booking):
    client = Client(enforce_csrf_checks=True)
    response = post_with_csrf(client, url(booking, "erase/"))

    assert response.status_code == 302 and response["Location"] == url(booking)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.erasure_requested_at == NOW
    html = client.get(url(booking)).text
    assert fr("Your data is erased. Any upcoming session is cancelled and the coach has been "
              "told.") in html


def test_an_erased_booking_shows_no_personal_data_and_no_more_links(client, session_type):
    past = BookingFactory(session_type=session_type, invitee_name="Zoé Durand",
                          invitee_email="zoe@example.com",
                          start=datetime(2027, 2, 1, 9, tzinfo=UTC))
    assert post_with_csrf(client, url(past, "erase/")).status_code == 302

    html = client.get(url(past)).text
    assert "Zoé" not in html and "zoe@example.com" not in html
    assert 'id="erased"' in html and "my-data.json" not in html
    assert 'id="erased"' in client.get(url(past, "erase/")).text


def test_a_wrong_token_is_a_404_on_both_pages(client, booking):
    wrong = booking.manage_token[:-1] + ("A" if booking.manage_token[-1] != "A" else "B")
    assert client.get(f"/b/{wrong}/my-data.json").status_code == 404
    assert client.post(f"/b/{wrong}/erase/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
