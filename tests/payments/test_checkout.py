"""checkout_start against the local Stripe server: the session, and Stripe failing."""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from booking.models import Booking
from booking.selectors import free_slots_for
from payments.errors import PAYMENT_UNAVAILABLE, PaymentUnavailable
from payments.models import Payment
from payments.services import checkout_start
from tests.payments.conftest import CANCEL_URL, NOW, SUCCESS_URL, TUESDAY_9, hold, invitee, later

pytestmark = pytest.mark.django_db


def slot_is_free(session_type) -> bool:
    slots = free_slots_for(session_type=session_type, start=TUESDAY_9,
                           end=TUESDAY_9 + later(30))
    return [slot.start for slot in slots] == [TUESDAY_9]


def test_checkout_session_carries_the_booking_the_price_and_the_language(stripe_server,
                                                                         paid_type):
    booking = hold(paid_type, who=invitee(1, language="en"))
    url = checkout_start(booking=booking, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    session = next(iter(stripe_server.sessions.values()))
    assert url == session["url"]
    assert session["client_reference_id"] == str(booking.uid)
    assert session["customer_email"] == "invitee1@example.org"
    assert (session["locale"], session["amount_total"], session["currency"]) == ("en", 9000,
                                                                                 "eur")
    assert 30 * 60 <= session["expires_at"] - NOW.timestamp() <= 32 * 60
    _, _, params = stripe_server.requests[0]
    assert params["line_items"][0]["price_data"]["product_data"]["name"] == "Séance coaching"
    payment = Payment.objects.get(booking=booking)
    assert (payment.status, payment.checkout_session_id, payment.amount) == (
        Payment.Status.OPEN, session["id"], 9000)
    assert DBTaskResult.objects.filter(
        task_path="payments.tasks.release_expired_holds").count() == 1


def test_asking_again_gives_the_same_session(stripe_server, paid_type):
    booking = hold(paid_type)
    first = checkout_start(booking=booking, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    assert checkout_start(booking=booking, success_url=SUCCESS_URL,
                          cancel_url=CANCEL_URL) == first
    assert len(stripe_server.sessions) == 1


@pytest.mark.parametrize("fault", ["down", "declines", "slow"])
def test_stripe_failing_at_checkout_releases_the_hold(stripe_server, paid_type, fault):
    booking = hold(paid_type)
    assert not slot_is_free(paid_type)
    if fault == "down":
        stripe_server.fail_next(status=500)
    elif fault == "declines":
        stripe_server.fail_next(status=400)
    else:
        stripe_server.slow(2)  # the client gives up after STRIPE_TIMEOUT_SECONDS = 1
    with pytest.raises(PaymentUnavailable) as refused:
        checkout_start(booking=booking, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    assert refused.value.code == "payment_unavailable"
    assert refused.value.message == PAYMENT_UNAVAILABLE
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == (Booking.Status.CANCELLED, "system")
    assert Payment.objects.get(booking=booking).status == Payment.Status.FAILED
    assert slot_is_free(paid_type)
    assert mail.outbox == []


def test_a_free_type_has_no_checkout(stripe_server, session_type):
    booking = hold(session_type)
    with pytest.raises(ValueError, match="paid session type"):
        checkout_start(booking=booking, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)


def test_a_released_hold_gets_no_checkout(stripe_server, paid_type):
    from payments.services import hold_released

    booking = hold(paid_type)
    hold_released(booking=booking)
    with pytest.raises(PaymentUnavailable):
        checkout_start(booking=booking, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    assert stripe_server.sessions == {}
