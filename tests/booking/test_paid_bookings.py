"""The booking side of paid sessions: a hold is confirmed by payment or released unannounced."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from booking import errors
from booking.models import Booking
from booking.services import (
    Invitee,
    booking_cancel,
    booking_confirm_payment,
    booking_create,
    booking_release_hold,
)
from booking.tasks import notify_booking_changed

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
START = datetime(2027, 3, 2, 9, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


def person(n: int) -> Invitee:
    return Invitee(name=f"P{n}", email=f"p{n}@example.org", timezone=PARIS)


def hold(session_type, n: int = 1) -> Booking:
    return booking_create(session_type=session_type, start=START, invitee=person(n), now=NOW,
                          status=Booking.Status.PENDING_PAYMENT)


def notify(booking: Booking) -> str:
    booking.refresh_from_db()
    return notify_booking_changed.call(booking.pk, booking.sequence)


def test_a_hold_sends_nothing_until_paid_then_invites_both_sides(session_type):
    booking = hold(session_type)
    assert notify(booking) == "nothing to send"
    confirmed = booking_confirm_payment(booking=booking, now=NOW)
    assert (confirmed.status, confirmed.sequence) == (Booking.Status.CONFIRMED, 1)
    assert notify(booking) == "done"
    assert len(mail.outbox) == 2
    assert all("text/calendar; method=REQUEST" in str(m.alternatives) for m in mail.outbox)


def test_confirming_twice_changes_nothing(session_type):
    booking = booking_confirm_payment(booking=hold(session_type), now=NOW)
    again = booking_confirm_payment(booking=booking, now=NOW)
    assert again.sequence == booking.sequence == 1


def test_a_released_hold_frees_the_slot_and_tells_nobody(session_type):
    released = booking_release_hold(booking=hold(session_type), now=NOW)
    assert released.status == Booking.Status.CANCELLED
    assert released.cancelled_by == Booking.CancelledBy.SYSTEM
    assert notify(released) == "nothing to send"
    assert mail.outbox == []
    hold(session_type, 2)  # the slot is free again
    assert booking_release_hold(booking=released, now=NOW).sequence == released.sequence


def test_a_released_hold_paid_late_comes_back_if_its_slot_is_still_free(session_type):
    released = booking_release_hold(booking=hold(session_type), now=NOW)
    confirmed = booking_confirm_payment(booking=released, now=NOW)
    assert (confirmed.status, confirmed.cancelled_by, confirmed.sequence) == (
        Booking.Status.CONFIRMED, "", 2)


def test_a_released_hold_whose_slot_was_taken_cannot_be_confirmed(session_type):
    released = booking_release_hold(booking=hold(session_type), now=NOW)
    hold(session_type, 2)
    with pytest.raises(errors.SlotTaken):
        booking_confirm_payment(booking=released, now=NOW)
    released.refresh_from_db()
    assert released.status == Booking.Status.CANCELLED


def test_a_hold_the_invitee_cancelled_cannot_be_confirmed(session_type):
    booking = booking_cancel(booking=hold(session_type), by="invitee", now=NOW)
    with pytest.raises(errors.ChangeNotAllowed):
        booking_confirm_payment(booking=booking, now=NOW)


def test_a_confirmed_booking_cancelled_by_a_person_is_still_told(session_type):
    booking = booking_create(session_type=session_type, start=START, invitee=person(1), now=NOW)
    booking_cancel(booking=booking, by="coach", now=NOW)
    assert notify(booking) == "done"  # its invitation never went out, the CANCEL does
    assert len(mail.outbox) == 2
