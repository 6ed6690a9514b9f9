"""Webhooks and the sweep under real concurrency: real threads, real transactions.

As in tests/booking/test_races.py, every thread waits at a barrier, then all act at once;
each closes its own database connection. Runs on SQLite (IMMEDIATE transactions) and on
PostgreSQL (row locks on the payment, then the booking; the event id's unique key).
"""

from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from booking.models import Booking
from payments.models import Payment, StripeEvent
from payments.services import checkout_start
from payments.tasks import release_expired_holds
from tests.payments.conftest import CANCEL_URL, SUCCESS_URL, WEBHOOK, hold, later, run_worker
from tests.support.races import race

# Serial: with the booking races on the other worker, 50 threads each would pass
# PostgreSQL's 100 connections.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.serial]


def paid_event(stripe_server, paid_type) -> tuple[Booking, bytes, dict[str, str]]:
    """A held booking, its session paid at Stripe, and the signed webhook not yet sent."""
    booking = hold(paid_type)
    checkout_start(booking=booking, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    session_id = Payment.objects.get(booking=booking).checkout_session_id
    paid = stripe_server.complete(session_id, send_webhook=False)
    body, headers = stripe_server.signed(stripe_server.event("checkout.session.completed", paid))
    return booking, body, headers


def deliver(body: bytes, headers: dict[str, str]) -> Callable[[], object]:
    def post() -> object:
        answer = Client().post(WEBHOOK, body, content_type=headers["Content-Type"],
                               headers={"Stripe-Signature": headers["Stripe-Signature"]})
        return answer.status_code, answer.json()["outcome"]
    return post


def assert_confirmed_once(booking: Booking, stripe_server) -> None:
    booking.refresh_from_db()
    payment = Payment.objects.get(booking=booking)
    assert (booking.status, payment.status, payment.refund_status) == (
        Booking.Status.CONFIRMED, Payment.Status.PAID, Payment.RefundStatus.NONE)
    assert stripe_server.refunds == {}
    run_worker()
    assert len(mail.outbox) == 2  # one invitation each, however the race went
    assert all("method=REQUEST" in str(m.alternatives) for m in mail.outbox)


@pytest.mark.parametrize("round_", range(3))
def test_payment_and_expiry_sweep_at_once_give_one_outcome(stripe_server, paid_type, round_):
    booking, body, headers = paid_event(stripe_server, paid_type)
    # The session looks expired to the sweep, yet Stripe's `completed` is on its way.
    Payment.objects.filter(booking=booking).update(expires_at=timezone.now() - later(60))
    outcomes = race([deliver(body, headers), release_expired_holds.call])
    assert outcomes[str((200, "confirmed"))] == 1
    assert sum(outcomes.values()) == 2
    assert set(outcomes) <= {str((200, "confirmed")), "0", "1"}
    assert_confirmed_once(booking, stripe_server)


def test_simultaneous_deliveries_of_one_event_confirm_once(stripe_server, paid_type):
    booking, body, headers = paid_event(stripe_server, paid_type)
    outcomes = race([deliver(body, headers) for _ in range(8)])
    assert outcomes == {str((200, "confirmed")): 1, str((200, "duplicate")): 7}
    assert StripeEvent.objects.count() == 1
    booking.refresh_from_db()
    assert booking.sequence == 1
    assert_confirmed_once(booking, stripe_server)
