"""Booking a paid type by page and by API, the return pages, and refunds from cancel doors."""

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils.html import escape

from accounts.services import api_key_create
from booking.models import Booking
from booking.selectors import free_slots_for
from payments.errors import PAYMENT_UNAVAILABLE
from payments.models import Payment
from tests.payments.conftest import TUESDAY_9, later, run_worker
from tests.support.html import fr, iso

pytestmark = pytest.mark.django_db(transaction=True)
BOOK = "/demo/paid/book/"
API_BOOK = "/api/v1/coaches/demo/bookings"


def form_data(**changes) -> dict:
    return {"start": iso(TUESDAY_9), "tz": "Europe/Paris", "name": "Ada Lovelace",
            "email": "ada@example.org", "message": "", "consent": "on", "website": ""} | changes


def api_body(**changes) -> dict:
    return {"type": "paid", "start": TUESDAY_9.isoformat(), "name": "Zoé Durand",
            "email": "zoe@example.com", "language": "en", "consent": True} | changes


def slot_is_free(session_type) -> bool:
    slots = free_slots_for(session_type=session_type, start=TUESDAY_9,
                           end=TUESDAY_9 + later(30))
    return [slot.start for slot in slots] == [TUESDAY_9]


def only_session(stripe_server) -> dict:
    (session,) = stripe_server.sessions.values()
    return session


def book_by_page(client, stripe_server) -> tuple[Booking, dict]:
    response = client.post(BOOK, form_data())
    assert response.status_code == 302
    session = only_session(stripe_server)
    assert response["Location"] == session["url"]
    return Booking.objects.get(), session


def booking_status(booking: Booking) -> str:
    booking.refresh_from_db()
    return booking.status


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_page_booking_of_a_paid_type_holds_the_slot_and_goes_to_checkout(client, stripe_server,
                                                                         paid_type):
    booking, session = book_by_page(client, stripe_server)
    assert booking.status == Booking.Status.PENDING_PAYMENT and not slot_is_free(paid_type)
    assert session["client_reference_id"] == str(booking.uid)
    assert (session["customer_email"], session["locale"]) == ("ada@example.org", "fr")
    token = booking.manage_token
    assert session["success_url"] == (
        f"http://testserver/demo/paid/paid/{token}/?session_id={{CHECKOUT_SESSION_ID}}")
    assert session["cancel_url"] == f"http://testserver/demo/paid/unpaid/{token}/"
    run_worker()
    assert mail.outbox == []  # nobody is invited before the payment is confirmed


def test_page_booking_when_stripe_fails_says_so_and_frees_the_slot(client, stripe_server,
                                                                   paid_type):
    stripe_server.fail_next(500)
    response = client.post(BOOK, form_data())
    assert response.status_code == 503
    assert escape(fr(PAYMENT_UNAVAILABLE)) in response.content.decode()
    assert 'name="consent"' in response.content.decode()  # the form, to try again
    assert slot_is_free(paid_type)
    assert Booking.objects.get().status == Booking.Status.CANCELLED


def test_api_booking_of_a_paid_type_answers_the_checkout_url(client, stripe_server, paid_type):
    response = client.post(API_BOOK, api_body(), content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    session = only_session(stripe_server)
    assert body["status"] == "pending_payment" and body["checkout_url"] == session["url"]
    assert set(body) == {"uid", "status", "start", "end", "manage_url", "checkout_url"}
    assert session["client_reference_id"] == body["uid"]
    assert (session["customer_email"], session["locale"]) == ("zoe@example.com", "en")
    assert session["success_url"].startswith("https://creneau.test/demo/paid/paid/")


def test_api_booking_when_stripe_fails_is_a_503_to_retry(client, stripe_server, paid_type):
    stripe_server.fail_next(500)
    response = client.post(API_BOOK, api_body(), content_type="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response.json() == {"error": "payment_unavailable",
                               "message": str(PAYMENT_UNAVAILABLE)}
    assert slot_is_free(paid_type)


@pytest.mark.parametrize("webhook_first", [False, True])
def test_success_page_waits_for_the_webhook_then_confirms(client, stripe_server, paid_type,
                                                          webhook_first):
    booking, session = book_by_page(client, stripe_server)
    paid_page = path_of(session["success_url"])
    if not webhook_first:
        waiting = client.get(paid_page, {"session_id": session["id"]})
        html = waiting.content.decode()
        assert waiting.status_code == 200 and 'id="awaiting-payment"' in html
        assert '<meta http-equiv="refresh" content="3">' in html
        assert Booking.objects.get().status == Booking.Status.PENDING_PAYMENT  # GET changes nothing
    stripe_server.complete(session["id"])
    done = client.get(paid_page, {"session_id": session["id"]})
    html = done.content.decode()
    assert done.status_code == 200 and escape(fr("Your session is booked")) in html
    assert 'http-equiv="refresh"' not in html and 'id="awaiting-payment"' not in html
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_unpaid_page_releases_the_hold_only_on_post(client, stripe_server, paid_type):
    booking, session = book_by_page(client, stripe_server)
    unpaid_page = path_of(session["cancel_url"])
    shown = client.get(unpaid_page)
    assert shown.status_code == 200 and 'id="release"' in shown.content.decode()
    assert not slot_is_free(paid_type)
    released = client.post(unpaid_page)
    assert released.status_code == 302 and released["Location"] == unpaid_page
    assert slot_is_free(paid_type)
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == (Booking.Status.CANCELLED, "system")
    after = client.get(unpaid_page).content.decode()
    assert 'id="released"' in after and 'href="/demo/paid/"' in after


def test_releasing_the_hold_closes_the_checkout_session_at_stripe(client, stripe_server,
                                                                  paid_type):
    _, session = book_by_page(client, stripe_server)
    client.post(path_of(session["cancel_url"]))
    assert stripe_server.session(session["id"])["status"] == "open"  # after commit, by the worker
    run_worker()
    assert stripe_server.session(session["id"])["status"] == "expired"
    assert Payment.objects.get().status == Payment.Status.EXPIRED


def test_a_session_paid_at_stripe_as_the_hold_is_released_still_books(client, stripe_server,
                                                                      paid_type):
    booking, session = book_by_page(client, stripe_server)
    stripe_server.complete(session["id"], send_webhook=False)  # paid; the event is late
    client.post(path_of(session["cancel_url"]))
    assert booking_status(booking) == Booking.Status.CANCELLED
    run_worker()  # Stripe refuses to expire a complete session: the task gives up quietly
    paid = stripe_server.session(session["id"])
    assert paid["status"] == "complete"
    stripe_server.send_event("checkout.session.completed", paid)
    # Paid for a slot still free: the hold comes back rather than a refund.
    assert booking_status(booking) == Booking.Status.CONFIRMED
    assert Payment.objects.get().refund_status == Payment.RefundStatus.NONE


def test_unpaid_page_of_a_paid_booking_releases_nothing(client, stripe_server, paid_type):
    booking, session = book_by_page(client, stripe_server)
    stripe_server.complete(session["id"])
    client.post(path_of(session["cancel_url"]))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_invitee_cancelling_before_the_cutoff_is_refunded(client, stripe_server, paid_type):
    booking, session = book_by_page(client, stripe_server)
    stripe_server.complete(session["id"])
    response = client.post(f"/b/{booking.manage_token}/cancel/", {"reason": ""})
    assert response.status_code == 302
    run_worker()
    (refund,) = stripe_server.refunds.values()
    assert (refund["amount"], refund["payment_intent"]) == (
        9000, stripe_server.session(session["id"])["payment_intent"])
    assert Payment.objects.get().refund_status == Payment.RefundStatus.SUCCEEDED


def test_api_cancel_of_a_paid_booking_refunds(client, stripe_server, paid_type):
    response = client.post(API_BOOK, api_body(), content_type="application/json")
    stripe_server.complete(only_session(stripe_server)["id"])
    token = response.json()["manage_url"].rstrip("/").rsplit("/", 1)[1]
    cancelled = client.post(f"/api/v1/manage/{token}/cancel", {},
                            content_type="application/json")
    assert cancelled.status_code == 200
    run_worker()
    assert [r["amount"] for r in stripe_server.refunds.values()] == [9000]


def test_free_booking_never_calls_stripe(client, stripe_server, session_type):
    response = client.post("/demo/discovery/book/", form_data())
    assert response.status_code == 302
    assert "/demo/discovery/confirmed/" in response["Location"]
    assert Booking.objects.get().status == Booking.Status.CONFIRMED
    api = client.post(API_BOOK, api_body(type="discovery", start=(TUESDAY_9 + later(60))
                                         .isoformat()), content_type="application/json")
    assert api.status_code == 201 and "checkout_url" not in api.json()
    assert stripe_server.requests == []


def test_only_the_paid_form_may_be_redirected_to_checkout(client, stripe_server, paid_type,
                                                          session_type):
    # CSP form-action also governs the redirect that answers a submission.
    paid = client.get(BOOK, {"start": iso(TUESDAY_9)})["Content-Security-Policy"]
    assert f"form-action 'self' {stripe_server.url}" in paid
    free = client.get("/demo/discovery/book/", {"start": iso(TUESDAY_9)})
    assert stripe_server.url not in free["Content-Security-Policy"]


def test_coach_api_cancel_of_a_paid_booking_refunds_in_full(client, stripe_server, paid_type):
    booking, session = book_by_page(client, stripe_server)
    stripe_server.complete(session["id"])
    key = api_key_create(coach=paid_type.coach, name="tests")[1]
    cancelled = client.post(f"/api/v1/me/bookings/{booking.uid}/cancel", {},
                            content_type="application/json",
                            headers={"Authorization": f"Bearer {key}"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    run_worker()
    assert [r["amount"] for r in stripe_server.refunds.values()] == [9000]
