"""Stripe's webhook, end to end: the server signs, the Django view verifies and applies."""

import time

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from booking.models import Booking
from booking.selectors import free_slots_for
from payments.models import Payment, StripeEvent
from payments.services import checkout_start
from tests.payments.conftest import (
    CANCEL_URL,
    SUCCESS_URL,
    TUESDAY_9,
    WEBHOOK,
    hold,
    invitee,
    later,
    run_worker,
)

pytestmark = pytest.mark.django_db(transaction=True)
NOTIFY = "booking.tasks.notify_booking_changed"


def checkout(paid_type, who=None) -> tuple[Booking, str]:
    booking = hold(paid_type, who=who)
    checkout_start(booking=booking, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    return booking, Payment.objects.get(booking=booking).checkout_session_id


def state(booking: Booking) -> tuple:
    booking.refresh_from_db()
    payment = Payment.objects.get(booking=booking)
    return booking.status, payment.status, payment.refund_status


def notify_tasks() -> list:
    return [row.args_kwargs["args"] for row in
            DBTaskResult.objects.filter(task_path=NOTIFY).order_by("enqueued_at", "pk")]


def subjects() -> list[tuple[str, str]]:
    return sorted((m.to[0].split("<")[-1].rstrip(">"), m.subject) for m in mail.outbox)


def test_completed_checkout_confirms_and_invites_both_sides(stripe_server, paid_type):
    booking, session_id = checkout(paid_type)
    stripe_server.complete(session_id)
    assert state(booking) == ("confirmed", "paid", "none")
    assert Payment.objects.get(booking=booking).payment_intent.startswith("pi_test_")
    run_worker()
    assert len(mail.outbox) == 2
    assert all("method=REQUEST" in str(m.alternatives) for m in mail.outbox)


def test_bad_or_stale_signatures_are_refused_and_change_nothing(stripe_server, paid_type,
                                                                client):
    booking, session_id = checkout(paid_type)
    stripe_server.complete(session_id, send_webhook=False)
    event = stripe_server.event("checkout.session.completed", stripe_server.session(session_id))
    body, headers = stripe_server.signed(event)
    forged = stripe_server.signed(event, secret="whsec_someone_else")[1]
    stale = stripe_server.signed(event, timestamp=int(time.time()) - 301)[1]
    for signature in (forged["Stripe-Signature"], stale["Stripe-Signature"], "t=1,v1=00", ""):
        answer = client.post(WEBHOOK, body, content_type="application/json",
                             headers={"Stripe-Signature": signature})
        assert answer.status_code == 400
    tampered = body.replace(b'"paid"', b'"PAID"')
    assert client.post(WEBHOOK, tampered, content_type="application/json",
                       headers=headers).status_code == 400
    assert state(booking) == ("pending_payment", "open", "none")
    assert not StripeEvent.objects.exists()
    assert client.get(WEBHOOK).status_code == 405


def test_a_duplicate_event_confirms_once_and_emails_once(stripe_server, paid_type, client):
    booking, session_id = checkout(paid_type)
    paid = stripe_server.complete(session_id, send_webhook=False)
    event = stripe_server.event("checkout.session.completed", paid)
    body, headers = stripe_server.signed(event)
    for _ in range(3):
        answer = client.post(WEBHOOK, body, content_type="application/json", headers=headers)
        assert answer.status_code == 200
    assert answer.json()["outcome"] == "duplicate"
    booking.refresh_from_db()
    assert booking.sequence == 1
    assert notify_tasks() == [[booking.pk, 0], [booking.pk, 1]]  # the hold's, the payment's
    run_worker()
    assert len(mail.outbox) == 2


def test_unpaid_completion_and_unknown_events_answer_200_and_change_nothing(stripe_server,
                                                                            paid_type):
    booking, session_id = checkout(paid_type)
    unpaid = dict(stripe_server.session(session_id), status="complete")
    assert stripe_server.send_event("checkout.session.completed", unpaid) == 200
    assert stripe_server.send_event("customer.created", {"id": "cus_1"}) == 200
    assert stripe_server.send_event("checkout.session.completed",
                                    dict(unpaid, payment_status="paid",
                                         client_reference_id="not-ours")) == 200
    assert state(booking) == ("pending_payment", "open", "none")


def test_expired_checkout_frees_the_slot_and_tells_nobody(stripe_server, paid_type):
    booking, session_id = checkout(paid_type)
    stripe_server.expire(session_id)
    assert state(booking) == ("cancelled", "expired", "none")
    slots = free_slots_for(session_type=paid_type, start=TUESDAY_9, end=TUESDAY_9 + later(30))
    assert [slot.start for slot in slots] == [TUESDAY_9]
    run_worker()
    assert mail.outbox == []


def test_paid_after_expiry_with_the_slot_free_again_is_confirmed(stripe_server, paid_type):
    booking, session_id = checkout(paid_type)
    paid = stripe_server.complete(session_id, send_webhook=False)
    stripe_server.send_event("checkout.session.expired", dict(paid, status="expired"))
    stripe_server.send_event("checkout.session.completed", paid)
    assert state(booking) == ("confirmed", "paid", "none")
    assert stripe_server.refunds == {}


def test_paid_after_expiry_with_the_slot_taken_is_refunded_and_both_sides_told(stripe_server,
                                                                                paid_type):
    booking, session_id = checkout(paid_type)
    stripe_server.expire(session_id)
    taker, _ = checkout(paid_type, who=invitee(2))
    paid = dict(stripe_server.session(session_id), status="complete", payment_status="paid",
                payment_intent="pi_test_late")
    stripe_server.sessions[session_id].update(paid)  # Stripe took the money all the same
    assert stripe_server.send_event("checkout.session.completed", paid) == 200
    assert state(booking) == ("cancelled", "paid", "pending")
    assert state(taker)[0] == "pending_payment"
    run_worker()
    refund = next(iter(stripe_server.refunds.values()))
    assert (refund["payment_intent"], refund["amount"]) == ("pi_test_late", 9000)
    assert state(booking) == ("cancelled", "paid", "succeeded")
    coach_email = paid_type.coach.user.email
    assert [to for to, _ in subjects()] == sorted(["invitee1@example.org", coach_email])
    invitee_mail = next(m for m in mail.outbox if m.to[0].endswith("<invitee1@example.org>"))
    assert "90,00\u00a0€" in invitee_mail.body  # the invitee writes French
    assert "n'est plus disponible" in invitee_mail.body
    run_worker()
    assert len(mail.outbox) == 2 and len(stripe_server.refunds) == 1


def test_refund_events_update_the_refund_state(stripe_server, paid_type):
    booking, session_id = checkout(paid_type)
    paid = stripe_server.complete(session_id)
    stripe_server.refund_status = "pending"
    from payments.services import booking_cancel_with_refund

    booking_cancel_with_refund(booking=booking, by="coach")
    run_worker()
    assert state(booking) == ("cancelled", "paid", "pending")
    refund = next(iter(stripe_server.refunds.values()))
    stripe_server.send_event("refund.updated", dict(refund, status="succeeded"))
    assert state(booking)[2] == "succeeded"
    assert Payment.objects.get(booking=booking).refund_id == refund["id"]
    stripe_server.send_event("charge.refunded", {
        "id": "ch_1", "object": "charge", "payment_intent": paid["payment_intent"],
        "refunded": True, "refunds": {"data": [refund]}})
    assert state(booking)[2] == "succeeded"


def test_the_hosted_page_flow_reaches_a_live_server(stripe_server, paid_type, live_server):
    stripe_server.deliver = None  # the server posts over HTTP, as Stripe does
    stripe_server.webhook_url = live_server.url + WEBHOOK
    booking, session_id = checkout(paid_type)
    status, location = stripe_server.press_pay(session_id)
    assert (status, location) == (303, SUCCESS_URL.replace("{CHECKOUT_SESSION_ID}",
                                                          session_id))
    assert state(booking) == ("confirmed", "paid", "none")
    assert [event["type"] for event in stripe_server.events] == ["checkout.session.completed"]
