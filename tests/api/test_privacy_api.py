"""The manage API's privacy doors: GET …/data (right of access) and POST …/erase."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.test import Client

from api.main import api
from booking import errors
from booking.models import Booking, BookingNote
from booking.privacy import booking_anonymise
from booking.services import booking_note_add
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/coaches/demo/bookings"
WRONG = "Qz7fK2mWx9Abc4Ns8Tq1Lr6Vy3Jd0Hp5Ge"


def book(client: Client, **fields) -> tuple[Booking, str]:
    body = {"type": "discovery", "start": "2027-03-01T09:00:00+01:00", "name": "Zoé Durand",
            "email": "Zoe.Durand@example.com", "message": "Bonjour !", "consent": True,
            **fields}
    answer = client.post(BOOKINGS, body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    token = answer.json()["manage_url"].rstrip("/").rsplit("/", 1)[1]
    return Booking.objects.get(uid=answer.json()["uid"]), token


def test_data_answers_everything_held_about_the_person(client, session_type, settings):
    settings.PRIVACY_NOTICE_VERSION = "2027-01-15"
    booking, token = book(client)
    booking_note_add(booking=booking, text="Zoé veut parler de son pitch.")
    earlier = BookingFactory(session_type=session_type, invitee_email="zoe.durand+old@example.com",
                             invitee_name="Zoé D.", start=datetime(2026, 5, 4, 8, tzinfo=UTC),
                             status=Booking.Status.COMPLETED)
    BookingFactory(session_type=session_type, start=datetime(2026, 5, 5, 8, tzinfo=UTC),
                   invitee_email="someone@example.com")

    answer = client.get(f"/api/v1/manage/{token}/data")

    assert answer.status_code == 200
    data = answer.json()
    assert [b["uid"] for b in data["bookings"]] == [str(earlier.uid), str(booking.uid)]
    mine = data["bookings"][1]
    assert (mine["name"], mine["email"], mine["message"]) == (
        "Zoé Durand", "zoe.durand@example.com", "Bonjour !")
    assert mine["consent_version"] == "2027-01-15"
    assert mine["coach_notes"][0]["text"] == "Zoé veut parler de son pitch."
    assert [event["kind"] for event in mine["history"]] == ["created"]
    assert data["coach"] == {"name": "Claire Martin", "slug": "demo",
                             "email": session_type.coach.email}
    assert "someone@example.com" not in answer.text


def test_erase_cancels_the_upcoming_booking_and_answers_what_it_did(client, session_type):
    booking, token = book(client)
    past = BookingFactory(session_type=session_type, invitee_email="zoe.durand@example.com",
                          start=datetime(2026, 5, 4, 8, tzinfo=UTC))

    answer = client.post(f"/api/v1/manage/{token}/erase")

    assert answer.status_code == 200
    body = answer.json()
    assert body["cancelled"] == [str(booking.uid)]
    assert body["anonymised"] == [str(past.uid)]
    assert body["erased_after"] == "2027-02-26T08:00:00+00:00"
    booking.refresh_from_db()
    past.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.cancelled_by == "invitee"
    assert past.invitee_email == "" and past.is_anonymised
    assert mail.outbox == []  # the emails are the worker's job, as for any cancellation

    again = client.post(f"/api/v1/manage/{token}/erase")  # twice: nothing more to do
    assert again.status_code == 200
    assert again.json()["cancelled"] == []


def test_a_wrong_token_is_the_usual_404_and_erases_nothing(client, session_type):
    booking, _ = book(client)
    for answer in (client.get(f"/api/v1/manage/{WRONG}/data"),
                   client.post(f"/api/v1/manage/{WRONG}/erase")):
        assert answer.status_code == 404
        assert answer.json()["error"] == "not_found"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_data_of_an_erased_person_holds_nothing(client, session_type):
    booking, token = book(client)
    booking_note_add(booking=booking, text="Note")
    client.post(f"/api/v1/manage/{token}/erase")
    Booking.objects.filter(pk=booking.pk).update(erasure_requested_at=None)
    booking_anonymise(booking=booking)

    data = client.get(f"/api/v1/manage/{token}/data").json()

    assert data["bookings"] == []
    assert not BookingNote.objects.exists()


def test_the_openapi_document_describes_both_doors():
    paths = api.get_openapi_schema()["paths"]
    assert "get" in paths["/api/v1/manage/{token}/data"]
    assert "post" in paths["/api/v1/manage/{token}/erase"]
    consent = api.get_openapi_schema()["components"]["schemas"]["BookingIn"]["properties"][
        "consent"]
    assert "/privacy/" in consent["description"]


def test_an_erasure_that_meets_a_changed_booking_is_a_409_and_erases_nothing(
        client, session_type, monkeypatch):
    _, token = book(client)
    past = BookingFactory(session_type=session_type, invitee_email="zoe.durand@example.com",
                          start=datetime(2026, 5, 4, 8, tzinfo=UTC))

    def changed_meanwhile(**kwargs):
        raise errors.ChangeNotAllowed(errors.NOT_ACTIVE)

    monkeypatch.setattr("payments.services.booking_cancel_with_refund", changed_meanwhile)
    answer = client.post(f"/api/v1/manage/{token}/erase")

    assert answer.status_code == 409
    assert answer.json()["error"] == "change_not_allowed"
    past.refresh_from_db()
    assert not past.is_anonymised and past.invitee_email == "zoe.durand@example.com"
