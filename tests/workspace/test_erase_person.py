"""The coach erases a person from her workspace; anonymised bookings still render everywhere."""

import re
from datetime import UTC, datetime

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from booking.models import Booking, BookingNote
from booking.privacy import booking_anonymise
from booking.services import booking_note_add
from tests.factories import BookingFactory
from tests.support.html import fr
from tests.workspace.conftest import NOW

pytestmark = pytest.mark.django_db

LAST_WEEK = datetime(2027, 2, 22, 9, tzinfo=UTC)  # Monday 10:00 in Paris


def url(booking: Booking, page: str = "") -> str:
    return f"/coach/bookings/{booking.uid}/{page}"


def post_with_csrf(client: Client, page_url: str):
    page = client.get(page_url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return client.post(page_url, {"csrfmiddlewaretoken": token})


@pytest.fixture
def csrf_client(coach) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(coach.user)
    return client


@pytest.fixture
def past(session_type) -> Booking:
    booking = BookingFactory(session_type=session_type, start=LAST_WEEK,
                             invitee_name="Ada Lovelace", invitee_email="ada@example.org",
                             message="Parlons de ma voix.", status=Booking.Status.COMPLETED)
    booking_note_add(booking=booking, text="Très motivée.")
    return booking


def test_the_booking_page_offers_the_erasure(signed_in, booking):
    html = signed_in.get(url(booking)).text
    assert f'href="{url(booking, "erase/")}"' in html
    assert "Effacer les données de cette personne" in html


def test_the_confirm_page_says_what_goes_and_changes_nothing(signed_in, booking, past):
    before = [model_to_dict(b) for b in Booking.objects.all()], BookingNote.objects.count()
    html = signed_in.get(url(past, "erase/")).text
    what = html[html.index('id="what-happens"'):]
    assert "ada@example.org" in what and " 2 " in what  # both of Ada's bookings
    assert 'id="upcoming"' in html  # the upcoming one is cancelled first
    assert ([model_to_dict(b) for b in Booking.objects.all()],
            BookingNote.objects.count()) == before


def test_erasing_cancels_the_upcoming_booking_and_anonymises_the_past_one(
        csrf_client, booking, past):
    response = post_with_csrf(csrf_client, url(past, "erase/"))

    assert response.status_code == 302 and response["Location"] == url(past)
    booking.refresh_from_db()
    past.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancelled_by == Booking.CancelledBy.COACH
    assert booking.erasure_requested_at == NOW
    assert past.is_anonymised and past.invitee_name == "" and past.message == ""
    assert not BookingNote.objects.filter(booking=past).exists()
    html = csrf_client.get(url(past)).text
    assert "Ada" not in html and "ada@example.org" not in html
    assert 'id="anonymised"' in html and 'id="erase-person"' not in html
    assert fr("Anonymised") in html


def test_anonymised_bookings_render_in_the_agenda_week_and_export(signed_in, past, session_type):
    booking_anonymise(booking=past)
    upcoming = BookingFactory(session_type=session_type,
                              start=datetime(2027, 3, 2, 9, tzinfo=UTC))
    booking_anonymise(booking=upcoming)

    agenda = signed_in.get("/coach/?tab=past")
    assert agenda.status_code == 200 and fr("Anonymised") in agenda.text
    week = signed_in.get("/coach/week/?week=2027-03-01")
    assert week.status_code == 200 and fr("Anonymised") in week.text
    export = signed_in.get("/coach/export.csv?start=2027-02-01&end=2027-03-31")
    assert export.status_code == 200
    rows = b"".join(export.streaming_content).decode()
    assert rows.count("\n") >= 3 and "Ada" not in rows


def test_another_coachs_booking_is_a_404_and_is_left_alone(signed_in, other_booking):
    assert signed_in.get(url(other_booking, "erase/")).status_code == 404
    assert signed_in.post(url(other_booking, "erase/")).status_code == 404
    other_booking.refresh_from_db()
    assert other_booking.status == Booking.Status.CONFIRMED
    assert other_booking.invitee_name == "Bob Other"
