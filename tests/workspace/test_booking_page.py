"""A booking's page and its actions: each a GET that says what happens, then a POST."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from booking.models import Booking, BookingEvent
from booking.tasks import notify_booking_changed
from tests.workspace.conftest import THURSDAY_15, WEDNESDAY_10, book

pytestmark = pytest.mark.django_db


def url(booking: Booking, page: str = "") -> str:
    return f"/coach/bookings/{booking.uid}/{page}"


def send_emails(booking: Booking) -> None:
    booking.refresh_from_db()
    notify_booking_changed.call(booking.pk, booking.sequence)


def post_with_csrf(client: Client, page_url: str, data: dict, form_url: str | None = None):
    page = client.get(form_url or page_url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return client.post(page_url, {"csrfmiddlewaretoken": token, **data})


@pytest.fixture
def csrf_client(coach) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(coach.user)
    return client


def test_page_shows_who_when_in_both_zones_type_message_language(signed_in, booking):
    send_emails(booking)
    page = signed_in.get(url(booking)).text
    assert "Ada Lovelace" in page and "ada@example.org" in page
    assert "10:00–10:30" in page and "Europe/Paris" in page  # hers
    assert "04:00–04:30" in page and "America/New_York" in page  # theirs
    assert "Bonjour, parlons de ma prise de parole." in page
    history = page[page.index('id="history"'):]
    assert str(BookingEvent.Kind.CREATED.label) in history or "Réserv" in history
    assert history.count("<li") == 3  # booked, the invitee's email, hers


def test_get_changes_nothing(signed_in, booking, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        for page in ("", "cancel/", "reschedule/", "outcome/?status=completed"):
            assert signed_in.get(url(booking, page)).status_code == 200
    assert callbacks == []
    booking.refresh_from_db()
    assert booking.status == "confirmed" and booking.sequence == 0


@pytest.mark.parametrize(("page", "data"), [("cancel/", {"message": "x"}),
                                            ("notes/", {"text": "x"}),
                                            ("outcome/", {"status": "completed"})])
def test_posts_without_csrf_are_refused(csrf_client, booking, page, data):
    assert csrf_client.post(url(booking, page), data).status_code == 403


def test_coach_cancels_with_a_message_that_reaches_the_invitee(csrf_client, booking):
    confirm = csrf_client.get(url(booking, "cancel/")).text
    assert 'id="what-happens"' in confirm
    response = post_with_csrf(csrf_client, url(booking, "cancel/"),
                              {"message": "Je suis malade, désolée. Reprenons vite !"})
    assert response.status_code == 302 and response["Location"] == url(booking)
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.cancelled_by == "coach"
    mail.outbox.clear()
    send_emails(booking)
    to_invitee = next(m for m in mail.outbox if "ada@example.org" in m.to[0])
    assert "Je suis malade, désolée. Reprenons vite !" in to_invitee.body
    assert "Je suis malade" in to_invitee.alternatives[0][0]
    manage = Client().get(booking.get_absolute_url()).text
    assert "Je suis malade, désolée. Reprenons vite !" in manage
    event = booking.events.get(kind="cancelled")
    assert event.actor == "coach" and event.message.startswith("Je suis malade")
    assert "Je suis malade" in csrf_client.get(url(booking)).text


def test_coach_reschedules_with_a_message_in_the_invitees_email(csrf_client, booking):
    picker = csrf_client.get(url(booking, "reschedule/")).text
    new_start = THURSDAY_15.astimezone(booking.start.tzinfo)
    iso = "2027-03-04T14:00:00Z"
    assert f'value="{iso}"' in picker
    send_emails(booking)
    mail.outbox.clear()
    response = post_with_csrf(csrf_client, url(booking, "reschedule/"),
                              {"start": iso, "message": "Mercredi m'est impossible."})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.start == new_start and booking.sequence == 1
    send_emails(booking)
    to_invitee = next(m for m in mail.outbox if "ada@example.org" in m.to[0])
    assert "Mercredi m'est impossible." in to_invitee.body
    event = booking.events.get(kind="rescheduled")
    assert event.old_start == WEDNESDAY_10 and event.new_start == THURSDAY_15
    assert event.actor == "coach"


def test_a_taken_slot_is_a_409_with_the_message(csrf_client, session_type, booking):
    book(session_type, THURSDAY_15, name="Grace", email="grace@example.org")
    response = post_with_csrf(csrf_client, url(booking, "reschedule/"),
                              {"start": "2027-03-04T14:00:00Z"})
    assert response.status_code == 409
    assert 'id="action-error"' in response.text


def test_an_off_grid_time_is_a_400(csrf_client, booking):
    response = post_with_csrf(csrf_client, url(booking, "reschedule/"),
                              {"start": "2027-03-04T14:07:00Z"})
    assert response.status_code == 400


def test_outcome_only_after_the_start(csrf_client, booking, clock):
    page = csrf_client.get(url(booking)).text
    assert "outcome/?status=completed" not in page
    response = post_with_csrf(csrf_client, url(booking, "outcome/"), {"status": "no_show"},
                              form_url=url(booking))
    assert response.status_code == 409
    clock.move_to(WEDNESDAY_10 + timedelta(minutes=45))
    page = csrf_client.get(url(booking)).text
    assert "outcome/?status=no_show" in page
    assert "cancel/" not in page  # over: nothing left to cancel
    response = post_with_csrf(csrf_client, url(booking, "outcome/"), {"status": "no_show"},
                              form_url=url(booking, "outcome/?status=no_show"))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "no_show"
    assert booking.events.filter(kind="no_show", actor="coach").count() == 1


def test_the_coach_may_cancel_after_the_invitees_cutoff(csrf_client, booking, clock):
    clock.move_to(WEDNESDAY_10 - timedelta(minutes=10))
    assert 'id="confirm-cancel"' in csrf_client.get(url(booking, "cancel/")).text
    clock.move_to(WEDNESDAY_10 + timedelta(minutes=31))
    page = csrf_client.get(url(booking, "cancel/"))
    assert 'id="refusal"' in page.text
    response = post_with_csrf(csrf_client, url(booking, "cancel/"), {"message": ""},
                              form_url=url(booking))
    assert response.status_code == 409


def test_private_notes(csrf_client, booking):
    response = post_with_csrf(csrf_client, url(booking, "notes/"),
                              {"text": "A lu l'article sur le trac."}, form_url=url(booking))
    assert response.status_code == 302
    assert "A lu l&#x27;article sur le trac." in csrf_client.get(url(booking)).text
    manage = Client().get(booking.get_absolute_url()).text
    assert "trac" not in manage
    empty = post_with_csrf(csrf_client, url(booking, "notes/"), {"text": "   "},
                           form_url=url(booking))
    assert empty.status_code == 400
    bad = post_with_csrf(csrf_client, url(booking, "notes/"), {"text": "x\x00"},
                         form_url=url(booking))
    assert bad.status_code == 400


def test_coach_emails_link_to_the_workspace_page(booking):
    send_emails(booking)
    to_coach = next(m for m in mail.outbox if "ada@example.org" not in m.to[0])
    link = f"https://creneau.test/coach/bookings/{booking.uid}/"
    assert link in to_coach.body and link in to_coach.alternatives[0][0]
    to_invitee = next(m for m in mail.outbox if "ada@example.org" in m.to[0])
    assert "/coach/" not in to_invitee.body
