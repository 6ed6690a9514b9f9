"""Money follows the booking (DESIGN invariant 10): checkout, confirmation, release, refunds.

Each write locks the Payment row first and then the booking (booking's services lock it),
always in that order, so a webhook and the expiry sweep for one booking serialise and give
one outcome. On SQLite every write transaction already holds the database's write lock.

Refunds and their notices are tasks whose rows are written in the same transaction as the
decision (an outbox): they run only once it commits and are never lost once it has.
"""

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from availability.models import SessionType
from booking import errors as booking_errors
from booking import privacy
from booking.models import Booking
from booking.selectors import change_deadline
from booking.services import booking_cancel, booking_confirm_payment, booking_release_hold
from payments import gateway
from payments.errors import PaymentUnavailable
from payments.models import Payment, StripeEvent
from payments.tasks import (
    expire_checkout,
    notify_refund,
    refund_payment,
    release_expired_holds,
)

logger = logging.getLogger(__name__)

# Stripe takes 30 min to 24 h after creation; a minute more survives clock skew and latency.
CHECKOUT_LIFETIME = timedelta(minutes=31)
# How long after a session's expiry the sweep waits for Stripe's own `expired` event.
SWEEP_MARGIN = timedelta(minutes=10)

Status = Payment.Status
RefundStatus = Payment.RefundStatus


def _locked_payment(booking: Booking) -> Payment:
    """The booking's Payment (created if missing), locked until the transaction ends."""
    session_type = booking.session_type
    Payment.objects.get_or_create(booking=booking, defaults={
        "amount": session_type.price_amount or 0, "currency": session_type.price_currency})
    return Payment.objects.select_for_update().get(booking=booking)


def _locked_payment_if_any(booking: Booking) -> Payment | None:
    return Payment.objects.select_for_update().filter(booking=booking).first()


def checkout_start(*, booking: Booking, success_url: str, cancel_url: str,
                   now: datetime | None = None) -> str:
    """The Checkout URL for a held paid booking; call once the hold has committed.

    `success_url` may carry `{CHECKOUT_SESSION_ID}`. Calling again while the session is open
    returns the same URL. If Stripe fails or times out, the hold is released (cancelled by
    SYSTEM, nobody emailed) and PaymentUnavailable is raised; so it is if the hold is gone.
    """
    now = now or timezone.now()
    session_type: SessionType = booking.session_type
    if not session_type.is_paid:
        raise ValueError("checkout_start needs a booking of a paid session type.")
    with transaction.atomic():
        payment = _locked_payment(booking)
        booking.refresh_from_db(fields=["status"])
        if payment.status == Status.OPEN and payment.checkout_url:
            return payment.checkout_url
        if booking.status != Booking.Status.PENDING_PAYMENT or payment.status != Status.CREATED:
            raise PaymentUnavailable()
    try:
        session = gateway.create_checkout_session(
            idempotency_key=f"checkout-{booking.uid}", reference=str(booking.uid),
            email=booking.invitee_email, name=session_type.name, amount=payment.amount,
            currency=payment.currency, locale=booking.invitee_language,
            expires_at=now + CHECKOUT_LIFETIME, success_url=success_url,
            cancel_url=cancel_url, metadata={"booking": str(booking.uid)})
    except gateway.GatewayError as exc:
        logger.warning("Checkout unavailable for booking %s: %s", booking.uid, exc)
        _release_after_failure(booking)
        raise PaymentUnavailable() from exc
    return _record_session(booking, session)


def _release_after_failure(booking: Booking) -> None:
    with transaction.atomic():
        payment = _locked_payment(booking)
        booking_release_hold(booking=booking)
        if payment.status in (Status.CREATED, Status.OPEN):
            payment.status = Status.FAILED
            payment.save(update_fields=["status", "updated_at"])


def _record_session(booking: Booking, session: gateway.CheckoutSession) -> str:
    with transaction.atomic():
        payment = _locked_payment(booking)
        payment.checkout_session_id = payment.checkout_session_id or session.id
        payment.checkout_url, payment.expires_at = session.url, session.expires_at
        if payment.status == Status.CREATED:  # a fast webhook may already have said "paid"
            payment.status = Status.OPEN
        payment.save()
        # The hold's own sweep, due when Stripe should have told us the session expired.
        release_expired_holds.using(run_after=session.expires_at + SWEEP_MARGIN).enqueue()
    return session.url


def _booking_of(session: Mapping) -> Booking | None:
    reference = session.get("client_reference_id") or (session.get("metadata") or {}).get(
        "booking")
    try:
        return (Booking.objects.select_related("session_type", "coach")
                .filter(uid=reference).first()) if reference else None
    except (ValueError, ValidationError):  # not a UUID: not one of ours
        return None


def payment_confirmed(session: Mapping, *, now: datetime | None = None) -> Payment | None:
    """A paid Checkout Session: confirm its booking, or refund it in full if it cannot be.

    Cannot be: the hold was released and its slot taken since (or no longer offered), or a
    person cancelled the booking meanwhile; both sides are then told of the refund. A session
    already applied changes nothing. None when the session names no booking of ours.
    """
    now = now or timezone.now()
    booking = _booking_of(session)
    if booking is None:
        logger.warning("Paid Checkout Session %s names no booking", session.get("id"))
        return None
    with transaction.atomic():
        payment = _locked_payment(booking)
        if payment.status == Status.PAID:
            return payment
        payment.status, payment.paid_at = Status.PAID, now
        payment.payment_intent = session.get("payment_intent") or ""
        payment.checkout_session_id = payment.checkout_session_id or session.get("id")
        payment.amount = session.get("amount_total") or payment.amount
        payment.currency = session.get("currency") or payment.currency
        try:
            booking_confirm_payment(booking=booking, now=now)
        except booking_errors.BookingError as exc:
            logger.info("Booking %s paid but not confirmable (%s): refunding", booking.uid,
                        exc.code)
            _schedule_refund(payment, amount=payment.amount,
                             reason=Payment.RefundReason.UNAVAILABLE, now=now)
        payment.save()
    return payment


def hold_released(*, booking: Booking, now: datetime | None = None,
                  close_checkout: bool = False) -> bool:
    """Checkout expired or was abandoned: cancel the unpaid hold (SYSTEM), free the slot.

    Does nothing to a paid booking or one no longer pending. True when this call released it.
    `close_checkout` (the invitee gave up before Stripe's expiry) also expires the Checkout
    Session at Stripe, after commit, so that the freed slot cannot be paid for later.
    """
    now = now or timezone.now()
    with transaction.atomic():
        payment = _locked_payment_if_any(booking)
        if payment is not None and payment.status == Status.PAID:
            return False
        booking = booking_release_hold(booking=booking, now=now)
        if payment is not None and payment.status in (Status.CREATED, Status.OPEN):
            was_open = payment.status == Status.OPEN
            payment.status = Status.EXPIRED
            payment.save(update_fields=["status", "updated_at"])
            if close_checkout and was_open:
                expire_checkout.enqueue(payment.pk)  # an outbox row: runs once this commits
    return booking.cancelled_by == Booking.CancelledBy.SYSTEM and booking.cancelled_at == now


def refund_amount_for(booking: Booking, payment: Payment, *, by: str, now: datetime) -> int:
    """What the coach's policy gives back when `by` cancels at `now` (minor units)."""
    if by != Booking.CancelledBy.INVITEE:
        return payment.amount  # the coach (or the system) cancelled: always in full
    policy = booking.session_type.refund_policy
    if policy == SessionType.RefundPolicy.ALWAYS:
        return payment.amount
    if policy == SessionType.RefundPolicy.BEFORE_CUTOFF and now <= change_deadline(booking):
        return payment.amount
    return 0


def refund_for_cancellation(*, booking: Booking, by: str,
                            now: datetime | None = None) -> Payment | None:
    """Refund a cancelled paid booking by the type's policy; None when nothing is due.

    Coach → full; invitee → `always` full, `before_cutoff` full until the cut-off, `never`
    none. Call in the cancelling transaction (or use `booking_cancel_with_refund`).
    """
    now = now or timezone.now()
    with transaction.atomic():
        payment = _locked_payment_if_any(booking)
        if (payment is None or payment.status != Status.PAID
                or payment.refund_status != RefundStatus.NONE):
            return None
        amount = refund_amount_for(booking, payment, by=by, now=now)
        if amount == 0:
            return None
        _schedule_refund(payment, amount=amount, reason=Payment.RefundReason.CANCELLED, now=now)
        payment.save()
    return payment


def booking_cancel_with_refund(*, booking: Booking, by: str, reason: str = "",
                               now: datetime | None = None, cutoff: bool = True) -> Booking:
    """`booking_cancel` plus the refund its policy gives, in one transaction.

    What every cancel door (manage page, workspace, API) should call; for a free booking it
    is booking_cancel. Raises what booking_cancel raises.
    """
    now = now or timezone.now()
    with transaction.atomic():
        _locked_payment_if_any(booking)  # payment before booking, as everywhere here
        booking = booking_cancel(booking=booking, by=by, reason=reason, now=now, cutoff=cutoff)
        refund_for_cancellation(booking=booking, by=by, now=now)
    return booking


def _schedule_refund(payment: Payment, *, amount: int, reason: str, now: datetime) -> None:
    """Record the refund as pending and enqueue it and its notice. Caller saves `payment`."""
    payment.refund_status, payment.refund_amount = RefundStatus.PENDING, amount
    payment.refund_reason, payment.refund_requested_at = reason, now
    # Written in the caller's transaction: the tasks exist if and only if it commits.
    refund_payment.enqueue(payment.pk)
    notify_refund.enqueue(payment.pk)


def _refund_event(refund: Mapping, *, now: datetime) -> str:
    """`refund.created/updated/failed`: Stripe's word on a refund's state."""
    with transaction.atomic():
        payment = (Payment.objects.select_for_update()
                   .filter(payment_intent=refund.get("payment_intent") or "-").first())
        if payment is None or payment.refund_status == RefundStatus.NONE:
            return "unknown refund"
        payment.apply_refund(refund_id=refund.get("id") or "",
                             stripe_status=refund.get("status") or "", now=now)
        payment.save()
    return payment.refund_status


def _charge_refunded(charge: Mapping, *, now: datetime) -> str:
    refunds = (charge.get("refunds") or {}).get("data") or []
    latest = refunds[0] if refunds else {}
    return _refund_event({"payment_intent": charge.get("payment_intent"),
                          "id": latest.get("id"), "status": "succeeded"}, now=now)


def _session_completed(session: Mapping, *, now: datetime) -> str:
    # Delayed methods (bank debits) complete unpaid and succeed in a later event.
    if session.get("payment_status") != "paid":
        return "not paid yet"
    payment = payment_confirmed(session, now=now)
    return "unknown booking" if payment is None else payment.booking.status


def _session_expired(session: Mapping, *, now: datetime) -> str:
    booking = _booking_of(session)
    if booking is None:
        return "unknown booking"
    return "released" if hold_released(booking=booking, now=now) else "nothing to release"


_HANDLERS = {
    "checkout.session.completed": _session_completed,
    "checkout.session.async_payment_succeeded": _session_completed,
    "checkout.session.expired": _session_expired,
    "charge.refunded": _charge_refunded,
    "refund.created": _refund_event,
    "refund.updated": _refund_event,
    "refund.failed": _refund_event,
}


def handle_event(event: Mapping, *, now: datetime | None = None) -> str:
    """Apply one verified Stripe event, once; returns what happened (for logs and tests).

    The event id is recorded in the same transaction as its effect, under a unique key: a
    second delivery (even a simultaneous one) finds it and changes nothing; an effect that
    fails rolls the record back too, so Stripe's retry applies it later.
    """
    now = now or timezone.now()
    handler = _HANDLERS.get(event.get("type", ""))
    with transaction.atomic():
        try:
            with transaction.atomic():
                StripeEvent.objects.create(event_id=event["id"], type=event.get("type", ""))
        except IntegrityError:
            return "duplicate"
        if handler is None:
            return "ignored"
        return handler(event["data"]["object"], now=now)


def person_erase_with_refund(*, booking: Booking, by: str,
                             now: datetime | None = None) -> privacy.Erasure:
    """`privacy.person_erase` whose cancellations refund by policy, as every cancel door's do."""
    return privacy.person_erase(booking=booking, by=by, now=now,
                                cancel=booking_cancel_with_refund)
