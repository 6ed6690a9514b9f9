"""Refunds by the coach's policy, and the refund task against Stripe failing."""

from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from availability.models import SessionType
from booking import errors
from booking.tasks import RETRY_BACKOFF
from payments.models import Payment
from payments.services import booking_cancel_with_refund, checkout_start, refund_for_cancellation
from payments.tasks import refund_payment
from tests.payments.conftest import CANCEL_URL, SUCCESS_URL, TUESDAY_9, hold, run_worker

pytestmark = pytest.mark.django_db(transaction=True)
Policy = SessionType.RefundPolicy
REFUND = "payments.tasks.refund_payment"


def paid_booking(stripe_server, session_type):
    booking = hold(session_type)
    checkout_start(booking=booking, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    stripe_server.complete(Payment.objects.get(booking=booking).checkout_session_id)
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    return booking


CUTOFF = timedelta(hours=12)  # the factory's cancel_cutoff


@pytest.mark.parametrize(("policy", "by", "before_start", "refunded"), [
    (Policy.BEFORE_CUTOFF, "coach", timedelta(hours=1), 9000),
    (Policy.NEVER, "coach", timedelta(hours=1), 9000),
    (Policy.BEFORE_CUTOFF, "invitee", CUTOFF + timedelta(minutes=1), 9000),
    (Policy.BEFORE_CUTOFF, "invitee", CUTOFF - timedelta(minutes=1), 0),
    (Policy.ALWAYS, "invitee", timedelta(hours=1), 9000),
    (Policy.NEVER, "invitee", timedelta(days=1), 0),
])
def test_refund_follows_the_policy(stripe_server, paid_type, policy, by, before_start,
                                   refunded):
    SessionType.objects.filter(pk=paid_type.pk).update(refund_policy=policy)
    booking = paid_booking(stripe_server, paid_type)
    booking.refresh_from_db()
    # The policy is judged at the moment of cancelling (the service refuses late invitees,
    # so the rule is applied to the decision alone here).
    payment = refund_for_cancellation(booking=booking, by=by, now=TUESDAY_9 - before_start)
    assert (payment.refund_amount if payment else 0) == refunded
    run_worker()
    assert sum(r["amount"] for r in stripe_server.refunds.values()) == refunded


def test_cancelling_with_refund_cancels_and_refunds_once(stripe_server, paid_type):
    booking = paid_booking(stripe_server, paid_type)
    booking_cancel_with_refund(booking=booking, by="invitee", reason="Empêchée")
    with pytest.raises(errors.ChangeNotAllowed):
        booking_cancel_with_refund(booking=booking, by="coach")
    assert refund_for_cancellation(booking=booking, by="coach") is None
    run_worker()
    run_worker()
    payment = Payment.objects.get(booking=booking)
    assert (payment.refund_status, payment.refund_amount) == ("succeeded", 9000)
    assert len(stripe_server.refunds) == 1


def test_a_free_booking_cancels_without_refund(stripe_server, session_type):
    booking = hold(session_type)
    booking_cancel_with_refund(booking=booking, by="coach")
    assert not Payment.objects.exists() and not DBTaskResult.objects.filter(
        task_path=REFUND).exists()


def test_refund_retries_after_a_stripe_failure_then_succeeds(stripe_server, paid_type, clock):
    booking = paid_booking(stripe_server, paid_type)
    booking_cancel_with_refund(booking=booking, by="coach")
    stripe_server.fail_next(status=500)
    run_worker()
    payment = Payment.objects.get(booking=booking)
    assert (payment.refund_status, stripe_server.refunds) == ("pending", {})
    retry = DBTaskResult.objects.get(task_path=REFUND, status="READY")
    assert retry.args_kwargs["kwargs"] == {"attempt": 1}
    clock.shift(RETRY_BACKOFF[0] + timedelta(seconds=1))
    run_worker()
    payment.refresh_from_db()
    assert payment.refund_status == "succeeded"
    assert payment.refund_id in stripe_server.refunds
    keys = {params.get("metadata", {}).get("booking") for method, path, params
            in stripe_server.requests if path == "/v1/refunds"}
    assert keys == {str(booking.uid)}


def test_a_refund_stripe_refuses_is_marked_failed_without_retry(stripe_server, paid_type):
    booking = paid_booking(stripe_server, paid_type)
    booking_cancel_with_refund(booking=booking, by="coach")
    stripe_server.fail_next(status=400)
    run_worker()
    assert Payment.objects.get(booking=booking).refund_status == "failed"
    assert not DBTaskResult.objects.filter(task_path=REFUND, status="READY").exists()


def test_the_refund_task_run_twice_refunds_once(stripe_server, paid_type):
    booking = paid_booking(stripe_server, paid_type)
    booking_cancel_with_refund(booking=booking, by="coach")
    payment = Payment.objects.get(booking=booking)
    assert refund_payment.call(payment.pk) == "succeeded"
    assert refund_payment.call(payment.pk) == "nothing to do"
    assert len(stripe_server.refunds) == 1
