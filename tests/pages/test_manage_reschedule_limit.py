"""The manage page and the manage API refuse a move past the type's `max_reschedules` with a
clear message, and answer a move to the booking's own time as a no-op."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from booking import errors
from booking.models import Booking
from tests.factories import book
from tests.support.html import fr, iso
from tests.support.outbox import notify_args

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
TUESDAY_9 = datetime(2027, 3, 2, 9, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def booking(session_type) -> Booking:
    session_type.max_reschedules = 2
    session_type.save()
    return book(session_type, TUESDAY_9)


def slot(n: int) -> datetime:
    return TUESDAY_9 + timedelta(minutes=30 * n)


def page_move(client: Client, booking: Booking, start: datetime):
    return client.post(f"/b/{booking.manage_token}/reschedule/", {"start": iso(start)},
                       follow=True)


def api_move(client: Client, booking: Booking, start: datetime):
    return client.post(f"/api/v1/manage/{booking.manage_token}/reschedule",
                       {"start": start.isoformat()}, content_type="application/json")


def test_the_page_refuses_a_third_move_with_a_message(client, booking):
    assert [page_move(client, booking, slot(n)).status_code for n in (1, 2)] == [200, 200]

    response = client.post(f"/b/{booking.manage_token}/reschedule/", {"start": iso(slot(3))})

    assert response.status_code == 409
    assert fr(errors.RESCHEDULE_LIMIT) in response.text
    booking.refresh_from_db()
    assert (booking.start, booking.sequence) == (slot(2), 2)


def test_the_page_refuses_in_english_too(client, booking):
    for n in (1, 2):
        page_move(client, booking, slot(n))
    response = client.post(f"/b/{booking.manage_token}/reschedule/", {"start": iso(slot(3))},
                           headers={"accept-language": "en"})
    assert response.status_code == 409
    assert str(errors.RESCHEDULE_LIMIT) in response.text


def test_the_api_refuses_a_third_move_with_409_reschedule_limit(client, booking):
    assert [api_move(client, booking, slot(n)).status_code for n in (1, 2)] == [200, 200]

    response = api_move(client, booking, slot(3))

    assert response.status_code == 409
    assert response.json()["error"] == "reschedule_limit"
    assert response.json()["message"]
    booking.refresh_from_db()
    assert booking.start == slot(2)


def test_a_page_move_to_the_same_time_says_nothing_changed(client, booking):
    response = page_move(client, booking, TUESDAY_9)

    assert response.status_code == 200
    assert "Votre réservation est déjà à cet horaire" in response.text
    booking.refresh_from_db()
    assert booking.sequence == 0
    assert notify_args(booking) == [[booking.pk, 0]]


def test_an_api_move_to_the_same_time_is_a_200_no_op(client, booking):
    response = api_move(client, booking, TUESDAY_9)

    assert response.status_code == 200
    assert response.json()["message"]
    booking.refresh_from_db()
    assert booking.sequence == 0
    assert notify_args(booking) == [[booking.pk, 0]]
    assert "message" not in api_move(client, booking, slot(1)).json()


def test_once_the_moves_are_used_the_page_says_so_instead_of_listing_times(client, booking):
    page = f"/b/{booking.manage_token}/reschedule/"
    assert 'name="start"' in client.get(page).text
    for n in (1, 2):
        page_move(client, booking, slot(n))

    html = client.get(page).text

    assert fr(errors.RESCHEDULE_LIMIT) in html
    assert 'name="start"' not in html


def test_the_api_counts_the_moves_left(client, booking):
    manage = f"/api/v1/manage/{booking.manage_token}"
    assert client.get(manage).json()["moves_left"] == 2
    assert api_move(client, booking, slot(1)).json()["moves_left"] == 1
    api_move(client, booking, slot(2))
    assert client.get(manage).json()["moves_left"] == 0
