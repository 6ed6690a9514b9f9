"""Sending the booking form twice: the second answer is the first booking's confirmation."""

from datetime import UTC, datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from booking.models import Booking
from tests.support.outbox import notify_args
from tests.support.pages import booking_form
from tests.support.races import race

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
TUESDAY_9 = datetime(2027, 3, 2, 9, tzinfo=PARIS)
BOOK = "/demo/discovery/book/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


form_data = partial(booking_form, TUESDAY_9)


def confirmation_of(booking: Booking) -> str:
    return f"/demo/discovery/confirmed/{booking.manage_token}/"


@pytest.mark.django_db
def test_sending_the_form_again_leads_to_the_same_confirmation(client, session_type):
    first = client.post(BOOK, form_data())
    again = client.post(BOOK, form_data(email="ADA@example.org"))
    booking = Booking.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == confirmation_of(booking)
    assert client.get(again["Location"]).status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.serial
def test_two_identical_posts_at_once_book_once_and_both_lead_to_its_confirmation(
        session_type):
    def post() -> str:
        response = Client().post(BOOK, form_data())
        return f"{response.status_code} {response.get('Location')}"

    outcomes = race([post, post])
    booking = Booking.objects.get()
    assert outcomes == {f"302 {confirmation_of(booking)}": 2}
    assert notify_args() == [[booking.pk, 0]]
