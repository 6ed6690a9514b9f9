from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from availability.models import SessionType
from availability.services import time_off_add
from availability.slots import Refusal
from booking import errors, services
from booking.models import Booking, feed_changed
from booking.services import (
    Invitee,
    booking_cancel,
    booking_complete,
    booking_create,
    booking_mark_no_show,
    booking_reschedule,
)
from tests.factories import SessionTypeFactory, book
from tests.support.outbox import notify_args

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)  # Monday 09:00 in Paris
TUESDAY = datetime(2027, 3, 2, tzinfo=PARIS)  # the first day past the 12 h notice
Policy = SessionType.LimitPolicy
INVITEE = Booking.CancelledBy.INVITEE
COACH = Booking.CancelledBy.COACH

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(hour: int, minute: int = 0, day: datetime = TUESDAY) -> datetime:
    return day.replace(hour=hour, minute=minute)


def person(email: str = "ada@example.org", **changes) -> Invitee:
    values = {"name": "Ada Lovelace", "email": email, "timezone": PARIS, "language": "en"}
    return Invitee(**(values | changes))


class Recorder:
    """Stands in for the task: records what would have been enqueued."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def enqueue(self, *args) -> None:
        self.calls.append(args)


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple]:
    recorder = Recorder()
    monkeypatch.setattr(services, "notify_booking_changed", recorder)
    return recorder.calls


def test_booking_a_free_slot_confirms_it_with_its_blocked_range(session_type):
    booking = book(session_type, at(9), email="  Ada@Example.ORG ")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.start == at(9) and booking.end == at(9, 30)
    assert (booking.blocked_start, booking.blocked_end) == (at(9), at(9, 30))
    assert booking.invitee_email == "ada@example.org"
    assert booking.sequence == 0
    assert booking.consent_at == NOW


def test_second_booking_of_same_slot_is_refused(session_type):
    book(session_type, at(9), email="a@example.org")
    with pytest.raises(errors.SlotTaken) as caught:
        book(session_type, at(9), email="b@example.org")
    assert caught.value.message == errors.SLOT_TAKEN
    assert Booking.objects.count() == 1


def test_identical_second_request_returns_the_same_booking_and_notifies_once(session_type):
    first = book(session_type, at(9), email="ada.l+articles@example.org")
    again = book(session_type, at(9), email=" ADA.L@example.org", name="Ada L.",
                 message="Sent twice")
    assert again.pk == first.pk and again.manage_token == first.manage_token
    assert Booking.objects.count() == 1
    assert Booking.objects.get().invitee_name == "Ada Lovelace"  # the first answer stands
    assert notify_args() == [[first.pk, 0]]


def test_identical_request_after_a_cancellation_books_again(session_type):
    first = book(session_type, at(9))
    booking_cancel(booking=first, by=INVITEE)
    again = book(session_type, at(9))
    assert again.pk != first.pk and again.status == Booking.Status.CONFIRMED


def test_same_person_on_another_slot_or_type_is_not_a_repeat(coach, session_type):
    book(session_type, at(9))
    with pytest.raises(errors.LimitReached):
        book(session_type, at(10))
    other = SessionTypeFactory(coach=coach, slug="follow-up")
    with pytest.raises(errors.SlotTaken):  # the coach's 09:00 is taken, by this very person
        book(other, at(9))


def test_identical_request_for_a_held_paid_slot_returns_the_hold(coach):
    paid = SessionTypeFactory(coach=coach, slug="paid", price_amount=5000,
                              price_currency="eur")
    hold = book(paid, at(9), status=Booking.Status.PENDING_PAYMENT)
    again = book(paid, at(9), status=Booking.Status.PENDING_PAYMENT)
    assert again.pk == hold.pk and again.status == Booking.Status.PENDING_PAYMENT


def test_back_to_back_bookings_both_succeed(session_type):
    book(session_type, at(10), email="a@example.org")
    book(session_type, at(10, 30), email="b@example.org")
    assert Booking.objects.active().count() == 2


def test_cancelled_booking_frees_its_slot(session_type):
    first = book(session_type, at(9), email="a@example.org")
    booking_cancel(booking=first, by=INVITEE)
    second = book(session_type, at(9), email="b@example.org")
    assert second.status == Booking.Status.CONFIRMED


def test_buffer_after_blocks_the_next_slot(coach, session_type):
    buffered = SessionTypeFactory(coach=coach, slug="buffered", buffer_after=timedelta(minutes=15))
    booking = book(buffered, at(9), email="a@example.org")
    assert booking.blocked_end == at(9, 45)
    with pytest.raises(errors.SlotTaken):
        book(session_type, at(9, 30), email="b@example.org")
    book(session_type, at(10), email="b@example.org")


def test_buffer_before_blocks_the_slot_after_a_booking(coach, session_type):
    buffered = SessionTypeFactory(coach=coach, slug="buffered",
                                  buffer_before=timedelta(minutes=15))
    book(session_type, at(9), email="a@example.org")
    with pytest.raises(errors.SlotTaken):
        book(buffered, at(9, 30), email="b@example.org")
    assert book(buffered, at(10), email="b@example.org").blocked_start == at(9, 45)


@pytest.mark.parametrize(("start", "refusal"), [
    (datetime(2027, 2, 26, 9, tzinfo=PARIS), Refusal.PAST),
    (datetime(2027, 3, 1, 15, tzinfo=PARIS), Refusal.TOO_SOON),
    (datetime(2027, 5, 3, 9, tzinfo=PARIS), Refusal.TOO_FAR),
    (datetime(2027, 3, 2, 12, 30, tzinfo=PARIS), Refusal.OUTSIDE_WINDOWS),
    (datetime(2027, 3, 6, 10, tzinfo=PARIS), Refusal.OUTSIDE_WINDOWS),  # a Saturday
    (datetime(2027, 3, 2, 9, 10, tzinfo=PARIS), Refusal.OFF_GRID),
])
def test_start_breaking_a_rule_is_refused_with_its_message(session_type, start, refusal):
    with pytest.raises(errors.SlotUnavailable) as caught:
        book(session_type, start)
    assert caught.value.refusal is refusal
    assert caught.value.message == errors.REFUSAL_MESSAGES[refusal]
    assert not Booking.objects.exists()


def test_start_inside_time_off_is_refused(coach, session_type):
    time_off_add(coach=coach, start=at(0), end=at(23, 59))
    with pytest.raises(errors.SlotUnavailable) as caught:
        book(session_type, at(9))
    assert caught.value.refusal is Refusal.TIME_OFF
    assert caught.value.message == errors.REFUSAL_MESSAGES[Refusal.TIME_OFF]


def test_day_over_its_cap_is_refused(coach):
    capped = SessionTypeFactory(coach=coach, daily_cap=2, limit_policy=Policy.UNLIMITED)
    book(capped, at(9), email="a@example.org")
    book(capped, at(14), email="b@example.org")
    with pytest.raises(errors.SlotUnavailable) as caught:
        book(capped, at(16), email="c@example.org")
    assert caught.value.refusal is Refusal.DAILY_CAP
    assert caught.value.message == errors.REFUSAL_MESSAGES[Refusal.DAILY_CAP]
    next_day = book(capped, at(9, day=TUESDAY + timedelta(days=1)), email="c@example.org")
    assert next_day.status == Booking.Status.CONFIRMED
    assert Booking.objects.filter(invitee_email="c@example.org").count() == 1


def test_cancelled_booking_does_not_count_towards_the_daily_cap(coach):
    capped = SessionTypeFactory(coach=coach, daily_cap=1)
    booking_cancel(booking=book(capped, at(9), email="a@example.org"), by=COACH)
    taken_again = book(capped, at(10), email="b@example.org")
    assert Booking.objects.get(pk=taken_again.pk).status == Booking.Status.CONFIRMED
    # The cap still holds: the live booking fills the day.
    with pytest.raises(errors.SlotUnavailable) as caught:
        book(capped, at(11), email="c@example.org")
    assert caught.value.refusal is Refusal.DAILY_CAP
    assert list(Booking.objects.active().values_list("invitee_email", flat=True)) == [
        "b@example.org"]


def test_inactive_type_is_refused(session_type):
    SessionType.objects.filter(pk=session_type.pk).update(is_active=False)
    with pytest.raises(errors.BookingError) as caught:
        book(session_type, at(9))  # the caller's copy still says active: the service re-reads
    assert caught.value.code == "type_inactive"
    assert caught.value.message == errors.TYPE_INACTIVE
    assert not Booking.objects.exists()


def test_rules_are_read_at_write_time_not_from_the_callers_copy(session_type):
    SessionType.objects.filter(pk=session_type.pk).update(notice=timedelta(days=3))
    with pytest.raises(errors.SlotUnavailable) as caught:
        book(session_type, at(9))
    assert caught.value.refusal is Refusal.TOO_SOON


@pytest.mark.parametrize(("field", "changes"), [
    ("invitee_name", {"name": "Ada\r\nBcc: victim@example.com"}),
    ("invitee_name", {"name": "   "}),
    ("invitee_name", {"name": "A" * 121}),
    ("invitee_name", {"name": "Ada\x00"}),
    ("invitee_email", {"email": "ada@example.org\r\nBcc: victim@example.com"}),
    ("invitee_email", {"email": "not-an-email"}),
    ("message", {"message": "x" * 2001}),
    ("message", {"message": "hello\x1b[31m"}),
    ("invitee_language", {"language": "de"}),
])
def test_bad_invitee_data_is_refused_and_nothing_saved(session_type, field, changes):
    with pytest.raises(ValidationError) as caught:
        booking_create(session_type=session_type, start=at(9), invitee=person(**changes))
    assert field in caught.value.message_dict
    assert not Booking.objects.exists()


def test_message_keeps_its_lines_with_plain_newlines(session_type):
    booking = book(session_type, at(9), message=" Hello,\r\n\tI have a question. ")
    assert booking.message == "Hello,\n\tI have a question."


def test_naive_start_is_a_programming_error(session_type):
    with pytest.raises(ValueError, match="aware"):
        book(session_type, datetime(2027, 3, 2, 9))


def test_free_session_is_booked_once_per_person(session_type):
    book(session_type, at(9), email="ada@example.org")
    with pytest.raises(errors.LimitReached) as caught:
        book(session_type, at(11), email=" ADA@example.org")
    assert caught.value.code == "limit_reached"
    assert caught.value.message == errors.LIMIT_REACHED
    assert Booking.objects.count() == 1


def test_once_per_person_holds_even_after_the_session_took_place(session_type):
    booking = book(session_type, at(9))
    with time_machine.travel(at(10), tick=False):
        booking_complete(booking=booking)
        with pytest.raises(errors.LimitReached):
            book(session_type, at(9, day=TUESDAY + timedelta(days=7)))


def test_cancelled_booking_does_not_use_the_allowance(session_type):
    booking_cancel(booking=book(session_type, at(9)), by=INVITEE)
    assert book(session_type, at(11)).status == Booking.Status.CONFIRMED


def test_allowance_is_per_session_type(coach, session_type):
    other = SessionTypeFactory(coach=coach, slug="follow-up")
    book(session_type, at(9))
    book(other, at(11))
    assert sorted(Booking.objects.filter(status=Booking.Status.CONFIRMED)
                  .values_list("session_type__slug", flat=True)) == ["discovery", "follow-up"]
    with pytest.raises(errors.LimitReached) as caught:
        book(other, at(14))  # the follow-up's own allowance is now used
    assert caught.value.message == errors.LIMIT_REACHED


def test_once_per_period_refuses_within_the_period_only(coach):
    weekly = SessionTypeFactory(coach=coach, limit_policy=Policy.PER_PERIOD, limit_period_days=7)
    book(weekly, at(9))
    with pytest.raises(errors.LimitReached):
        book(weekly, at(9, day=TUESDAY + timedelta(days=6)))
    book(weekly, at(9, day=TUESDAY + timedelta(days=7)))


def test_unlimited_policy_allows_several_bookings(coach):
    open_type = SessionTypeFactory(coach=coach, limit_policy=Policy.UNLIMITED)
    for hour in (9, 10, 11):
        book(open_type, at(hour))
    assert Booking.objects.count() == 3


def test_future_bookings_per_person_are_capped(coach):
    capped = SessionTypeFactory(coach=coach, limit_policy=Policy.UNLIMITED,
                                max_future_bookings=2)
    book(capped, at(9))
    book(capped, at(10))
    with pytest.raises(errors.LimitReached) as caught:
        book(capped, at(11))
    assert caught.value.message == errors.FUTURE_LIMIT_REACHED
    book(capped, at(11), email="someone-else@example.org")


def test_past_bookings_do_not_count_as_future_ones(coach):
    capped = SessionTypeFactory(coach=coach, limit_policy=Policy.UNLIMITED,
                                max_future_bookings=1)
    book(capped, at(9))
    with time_machine.travel(at(10), tick=False):
        wednesday = book(capped, at(9, day=TUESDAY + timedelta(days=1)))
        assert Booking.objects.get(pk=wednesday.pk).status == Booking.Status.CONFIRMED
        # Wednesday's booking is in the future, so it uses the one allowed.
        with pytest.raises(errors.LimitReached) as caught:
            book(capped, at(9, day=TUESDAY + timedelta(days=2)))
        assert caught.value.message == errors.FUTURE_LIMIT_REACHED
    assert Booking.objects.filter(session_type=capped).count() == 2


def test_invitee_cancels_before_the_cutoff(session_type):
    booking = booking_cancel(booking=book(session_type, at(9)), by=INVITEE, reason=" Sick ")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancelled_by == INVITEE
    assert booking.cancelled_at == NOW
    assert booking.cancel_reason == "Sick"
    assert booking.sequence == 1


def test_invitee_cannot_cancel_after_the_cutoff_but_the_coach_can(session_type):
    booking = book(session_type, at(9))
    with time_machine.travel(at(9) - timedelta(hours=11), tick=False):
        with pytest.raises(errors.ChangeNotAllowed) as caught:
            booking_cancel(booking=booking, by=INVITEE)
        assert caught.value.message == errors.TOO_LATE_TO_CHANGE
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED
        cancelled = booking_cancel(booking=booking, by=COACH)
    assert cancelled.status == Booking.Status.CANCELLED
    assert cancelled.cancelled_by == COACH


def test_cancelled_or_past_booking_cannot_be_cancelled_again(session_type):
    booking = booking_cancel(booking=book(session_type, at(9)), by=INVITEE)
    with pytest.raises(errors.ChangeNotAllowed) as caught:
        booking_cancel(booking=booking, by=COACH)
    assert caught.value.message == errors.NOT_ACTIVE
    past = book(session_type, at(10), email="b@example.org")
    with time_machine.travel(at(11), tick=False), pytest.raises(errors.ChangeNotAllowed):
        booking_cancel(booking=past, by=COACH)


def test_cancel_reason_with_control_characters_is_refused(session_type):
    booking = book(session_type, at(9))
    with pytest.raises(ValidationError) as caught:
        booking_cancel(booking=booking, by=INVITEE, reason="bye\x07")
    assert "cancel_reason" in caught.value.message_dict
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_reschedule_moves_the_booking_and_keeps_its_uid(session_type):
    booking = book(session_type, at(9))
    moved = booking_reschedule(booking=booking, start=at(14), by=INVITEE)
    moved.refresh_from_db()
    assert moved.uid == booking.uid
    assert moved.sequence == 1
    assert (moved.start, moved.end) == (at(14), at(14, 30))
    assert (moved.blocked_start, moved.blocked_end) == (at(14), at(14, 30))
    book(session_type, at(9), email="b@example.org")  # the old slot is free again


def test_each_change_raises_the_sequence(session_type):
    booking = book(session_type, at(9))
    booking = booking_reschedule(booking=booking, start=at(10), by=INVITEE)
    booking = booking_reschedule(booking=booking, start=at(11), by=COACH)
    booking = booking_cancel(booking=booking, by=COACH)
    assert booking.sequence == 3


def test_reschedule_revalidates_the_new_start(session_type):
    booking = book(session_type, at(9))
    with pytest.raises(errors.SlotUnavailable) as caught:
        booking_reschedule(booking=booking, start=at(9, 10), by=INVITEE)
    assert caught.value.refusal is Refusal.OFF_GRID
    booking.refresh_from_db()
    assert (booking.start, booking.sequence) == (at(9), 0)


def test_reschedule_into_a_taken_slot_is_refused(session_type):
    booking = book(session_type, at(9), email="a@example.org")
    book(session_type, at(10), email="b@example.org")
    with pytest.raises(errors.SlotTaken):
        booking_reschedule(booking=booking, start=at(10), by=COACH)
    booking.refresh_from_db()
    assert booking.start == at(9)


def test_reschedule_onto_its_own_range_works(coach):
    hour = SessionTypeFactory(coach=coach, slug="hour", duration=timedelta(hours=1))
    booking = book(hour, at(9))
    moved = booking_reschedule(booking=booking, start=at(9, 30), by=INVITEE)
    assert (moved.start, moved.end) == (at(9, 30), at(10, 30))


def test_invitee_cannot_reschedule_after_the_cutoff_but_the_coach_can(session_type):
    booking = book(session_type, at(9))
    later = at(9, day=TUESDAY + timedelta(days=1))
    with time_machine.travel(at(8), tick=False):
        with pytest.raises(errors.ChangeNotAllowed) as caught:
            booking_reschedule(booking=booking, start=later, by=INVITEE)
        assert caught.value.message == errors.TOO_LATE_TO_CHANGE
        assert booking_reschedule(booking=booking, start=later, by=COACH).start == later


def test_invitee_reschedule_keeps_the_per_period_policy(coach):
    weekly = SessionTypeFactory(coach=coach, limit_policy=Policy.PER_PERIOD, limit_period_days=7)
    first = book(weekly, at(9))
    book(weekly, at(9, day=TUESDAY + timedelta(days=14)))
    with pytest.raises(errors.LimitReached):
        booking_reschedule(booking=first, start=at(9, day=TUESDAY + timedelta(days=10)),
                           by=INVITEE)
    booking_reschedule(booking=first, start=at(9, day=TUESDAY + timedelta(days=2)), by=INVITEE)


def test_no_show_and_completed_are_recorded_once_the_session_started(session_type):
    booking = book(session_type, at(9))
    with pytest.raises(errors.ChangeNotAllowed) as caught:
        booking_mark_no_show(booking=booking)
    assert caught.value.message == errors.NOT_STARTED
    with time_machine.travel(at(9, 45), tick=False):
        assert booking_mark_no_show(booking=booking).status == Booking.Status.NO_SHOW
        assert booking_complete(booking=booking).status == Booking.Status.COMPLETED
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED
    assert booking.sequence == 0


def test_cancelled_booking_cannot_be_marked_no_show(session_type):
    booking = booking_cancel(booking=book(session_type, at(9)), by=COACH)
    with time_machine.travel(at(10), tick=False), pytest.raises(errors.ChangeNotAllowed):
        booking_mark_no_show(booking=booking)


def test_create_writes_its_notification_in_its_own_transaction(
        session_type, enqueued, django_capture_on_commit_callbacks):
    # Inside, not on commit: a failed enqueue after the commit would lose the emails.
    with django_capture_on_commit_callbacks() as callbacks:
        booking = book(session_type, at(9))
        assert enqueued == [(booking.pk, 0)]
    # Only the feed's validators wait for the commit (booking.models.feed_changed).
    assert {getattr(callback, "func", callback) for callback in callbacks} == {feed_changed}


@pytest.mark.parametrize("change", ["cancel", "reschedule"])
def test_changes_enqueue_the_notification_with_the_new_sequence(
        session_type, enqueued, change):
    booking = book(session_type, at(9))
    if change == "cancel":
        booking_cancel(booking=booking, by=INVITEE)
    else:
        booking_reschedule(booking=booking, start=at(10), by=INVITEE)
    assert enqueued == [(booking.pk, 0), (booking.pk, 1)]


def test_refused_writes_enqueue_nothing(session_type, enqueued):
    booking = book(session_type, at(9), email="a@example.org")
    with pytest.raises(errors.SlotTaken):
        book(session_type, at(9), email="b@example.org")
    with pytest.raises(errors.LimitReached):
        book(session_type, at(10), email="a@example.org")
    with pytest.raises(errors.SlotUnavailable):
        booking_reschedule(booking=booking, start=at(12, 30), by=INVITEE)
    with time_machine.travel(at(8), tick=False), pytest.raises(errors.ChangeNotAllowed):
        booking_cancel(booking=booking, by=INVITEE)
    with time_machine.travel(at(10), tick=False):
        booking_mark_no_show(booking=booking)
    assert enqueued == [(booking.pk, 0)]


def test_a_booking_whose_transaction_rolls_back_leaves_no_task_row(session_type):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        book(session_type, at(9))
        assert len(notify_args()) == 1  # written with the booking…
        raise Abort
    assert not Booking.objects.exists()
    assert notify_args() == []  # …and rolled back with it


def test_a_failed_enqueue_rolls_the_booking_back(session_type, monkeypatch):
    class Broken:
        def enqueue(self, *args):
            raise RuntimeError("task table unavailable")

    monkeypatch.setattr(services, "notify_booking_changed", Broken())
    with pytest.raises(RuntimeError):
        book(session_type, at(9))
    assert not Booking.objects.exists()


def test_every_committed_change_has_exactly_one_notification_row(session_type):
    booking = book(session_type, at(9))
    booking_reschedule(booking=booking, start=at(10), by=INVITEE)
    booking_cancel(booking=booking, by=INVITEE)
    assert notify_args(booking) == [[booking.pk, 0], [booking.pk, 1], [booking.pk, 2]]


def test_booking_create_runs_in_a_bounded_number_of_queries(session_type):
    book(session_type, at(9), email="warm@example.org")  # fills the windows cache
    with CaptureQueriesContext(connection) as captured:
        book(session_type, at(10))
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    # Type, the person's booking of this slot (a repeat?), person's bookings, "any capped
    # type?", availability version, day's bookings, busy times, insert, its history row, its
    # notification task row; PostgreSQL adds the person's advisory lock (no day lock without
    # a cap).
    assert len(statements) <= (11 if connection.vendor == "postgresql" else 10), statements
    assert sum("pg_advisory_xact_lock" in sql for sql in statements) == (
        1 if connection.vendor == "postgresql" else 0)


@pytest.mark.django_db
def test_a_start_centuries_ahead_is_refused_before_any_window_is_expanded(session_type,
                                                                          monkeypatch):
    from availability import selectors
    from availability.slots import Refusal

    def no_expansion(**kwargs):
        raise AssertionError("windows were expanded for a start past the horizon")

    monkeypatch.setattr(selectors, "availability_windows", no_expansion)
    monkeypatch.setattr("booking.selectors.availability_windows", no_expansion)
    with pytest.raises(errors.SlotUnavailable) as info:
        booking_create(session_type=session_type, start=datetime(9999, 1, 4, 9, tzinfo=UTC),
                       invitee=Invitee(name="Ada", email="ada@example.org",
                                       timezone=ZoneInfo("Europe/Paris")))
    assert info.value.refusal is Refusal.TOO_FAR


@pytest.mark.parametrize(("first", "second"), [
    ("zoedurand@gmail.com", "Zoe.Durand+x@googlemail.com"),
    ("zoe@xn--mller-kva.de", "zoe@müller.de"),
])
def test_the_per_person_limit_sees_through_spellings_of_one_mailbox(session_type, first,
                                                                      second):
    assert session_type.limit_policy == SessionType.LimitPolicy.ONCE
    book(session_type, at(9), email=first)
    with pytest.raises(errors.LimitReached):
        book(session_type, at(10), email=second)
