"""Background jobs of payments: refunds, refund notices, the sweep of expired holds.

Each is safe to run twice: a refund carries an idempotency key and is skipped once Stripe
has an id for it; a notice is claimed on the Payment row before it is sent.
"""

import logging

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from booking.models import Booking
from booking.tasks import TRANSIENT_ERRORS, retry_at
from payments import gateway
from payments.emails import refund_messages
from payments.models import Payment

logger = logging.getLogger(__name__)

RefundStatus = Payment.RefundStatus


def _give_up_refund(payment_pk: int, exc: Exception) -> str:
    Payment.objects.filter(pk=payment_pk, refund_status=RefundStatus.PENDING).update(
        refund_status=RefundStatus.FAILED, updated_at=timezone.now())
    logger.error("Refund of payment %s failed for good: %s", payment_pk, exc)
    return "failed"


@task()
def refund_payment(payment_pk: int, attempt: int = 0) -> str:
    """Ask Stripe for the pending refund; transient failures retry with backoff."""
    payment = Payment.objects.select_related("booking").filter(pk=payment_pk).first()
    if payment is None or payment.refund_status != RefundStatus.PENDING or payment.refund_id:
        return "nothing to do"
    if not payment.payment_intent:
        return _give_up_refund(payment_pk, ValueError("no PaymentIntent to refund"))
    try:
        # One refund per payment: the key makes a repeated or concurrent run get the same one.
        refund = gateway.create_refund(
            payment_intent=payment.payment_intent, amount=payment.refund_amount,
            idempotency_key=f"refund-{payment.booking.uid}",
            metadata={"booking": str(payment.booking.uid)})
    except gateway.GatewayError as exc:
        when = retry_at(attempt, timezone.now()) if exc.transient else None
        if when is None:
            return _give_up_refund(payment_pk, exc)
        logger.warning("Refund of payment %s failed (%s); retrying at %s", payment_pk, exc,
                       when.isoformat())
        refund_payment.using(run_after=when).enqueue(payment_pk, attempt=attempt + 1)
        return "retry scheduled"
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_pk)
        payment.apply_refund(refund_id=refund.id, stripe_status=refund.status,
                             now=timezone.now())
        payment.save()
    return refund.status


@task()
def notify_refund(payment_pk: int, attempt: int = 0) -> str:
    """Tell the invitee and the coach that a refund is on its way (once)."""
    now = timezone.now()
    claimed = Payment.objects.filter(pk=payment_pk, refund_notified_at__isnull=True).update(
        refund_notified_at=now)
    if not claimed:
        return "already sent"
    payment = Payment.objects.select_related(
        "booking__coach__user", "booking__session_type").get(pk=payment_pk)
    try:
        get_connection().send_messages(refund_messages(payment))
    except TRANSIENT_ERRORS as exc:
        Payment.objects.filter(pk=payment_pk).update(refund_notified_at=None)
        when = retry_at(attempt, now)
        if when is None:
            # The class only: a mail server's message may quote the address.
            logger.error("Giving up the refund notice of payment %s: %s", payment_pk,
                         type(exc).__name__)
            raise
        notify_refund.using(run_after=when).enqueue(payment_pk, attempt=attempt + 1)
        return "retry scheduled"
    return "sent"


@task()
def expire_checkout(payment_pk: int, attempt: int = 0) -> str:
    """Close the Checkout Session of a hold released before it expired, so it cannot be paid.

    A session Stripe no longer holds open (paid or expired meanwhile) is left to its webhook:
    a payment that arrives after the release is refunded by `payment_confirmed`.
    """
    payment = Payment.objects.filter(pk=payment_pk).first()
    closable = payment is not None and payment.status == Payment.Status.EXPIRED
    if not closable or not payment.checkout_session_id:
        return "nothing to do"
    try:
        gateway.expire_checkout_session(payment.checkout_session_id)
    except gateway.GatewayError as exc:
        when = retry_at(attempt, timezone.now()) if exc.transient else None
        if when is None:
            logger.info("Checkout Session of payment %s not expired: %s", payment_pk, exc.code)
            return "not open"
        expire_checkout.using(run_after=when).enqueue(payment_pk, attempt=attempt + 1)
        return "retry scheduled"
    return "expired"


@task()
def release_expired_holds() -> int:
    """Release holds whose Checkout expired without Stripe's event; returns how many.

    Each hold enqueues this sweep for its own expiry (plus a margin); it can also run on a
    schedule. A hold whose session never got created is released once it would have expired.
    """
    # services enqueues this task, so it is imported here rather than at the top.
    from payments.services import CHECKOUT_LIFETIME, SWEEP_MARGIN, hold_released

    now = timezone.now()
    late = now - SWEEP_MARGIN
    stale = (Booking.objects.filter(status=Booking.Status.PENDING_PAYMENT)
             .filter(Q(payment__expires_at__lt=late)
                     | Q(payment__expires_at__isnull=True,
                         created_at__lt=late - CHECKOUT_LIFETIME))
             .select_related("session_type", "coach"))
    return sum(hold_released(booking=booking, now=now) for booking in stale)
