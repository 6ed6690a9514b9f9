"""Invitees' personal data: consent's version, access, erasure and the retention purge."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from availability.models import SessionType
from booking import privacy
from booking.models import Booking, BookingEvent, BookingNote, SentNotification
from booking.selectors import free_slots_for
from booking.services import booking_cancel, booking_note_add, booking_reschedule
from booking.tasks import notify_booking_changed
from tests.factories import BookingFactory, CoachFactory, SessionTypeFactory, book
from tests.factories import add_weekday_windows as add_windows
from tests.support.feed import PARIS, events_of, feed_url
from tests.support.icalcheck import assert_ical_check_passes

NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)  # Monday 09:00 in Paris
WEDNESDAY_10 = datetime(2027, 3, 3, 10, tzinfo=PARIS)
LAST_MONTH = datetime(2027, 2, 1, 10, tzinfo=PARIS)
ADA = "Ada.Lovelace+coaching@gmail.com"  # canonical: adalovelace@gmail.com

pytestmark = pytest.mark.django_db
transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def unlimited(session_type) -> SessionType:
    session_type.limit_policy = SessionType.LimitPolicy.UNLIMITED
    session_type.save()
    return session_type


def run_worker() -> None:
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay",
                 verbosity=0)


def past(session_type, start=LAST_MONTH, email="adalovelace@gmail.com", **fields) -> Booking:
    """A past booking of Ada's with a history, a note and a sent email."""
    with time_machine.travel(start - timedelta(days=2), tick=False):
        booking = book(session_type, start, name="Ada Lovelace", email=email,
                       message="Parlons de ma prise de parole.", **fields)
        booking_note_add(booking=booking, text="Ada prépare un TEDx.")
        SentNotification.objects.create(booking=booking, sequence=0, role="invitee",
                                        kind="request", start=booking.start,
                                        claimed_at=start, sent_at=start,
                                        error="550 ada@example.org refused")
    return booking


def test_a_booking_records_the_privacy_notice_version_and_when_consent_was_given(
        session_type, settings):
    settings.PRIVACY_NOTICE_VERSION = "2027-01-15"
    booking = book(session_type, WEDNESDAY_10)
    assert booking.consent_version == "2027-01-15"
    assert booking.consent_at == NOW
    booking.refresh_from_db()
    assert booking.consent_version == "2027-01-15"


def test_person_data_holds_every_booking_of_that_mailbox_with_that_coach(unlimited):
    older = past(unlimited)
    upcoming = book(unlimited, WEDNESDAY_10, name="Ada L.", email=ADA, message="Encore moi")
    booking_reschedule(booking=upcoming, start=WEDNESDAY_10 + timedelta(hours=1),
                       by=Booking.CancelledBy.COACH, message="Plutôt 11 h ?")
    someone_else = book(unlimited, WEDNESDAY_10, email="bob@example.org", name="Bob")
    other_coach = SessionTypeFactory(coach=CoachFactory(slug="autre"))
    add_windows(other_coach.coach)
    book(other_coach, WEDNESDAY_10, email=ADA)

    data = privacy.person_data(booking=upcoming)

    assert [b["uid"] for b in data["bookings"]] == [str(older.uid), str(upcoming.uid)]
    assert str(someone_else.uid) not in str(data)
    first, second = data["bookings"]
    assert first["name"] == "Ada Lovelace" and first["email"] == "adalovelace@gmail.com"
    assert first["message"] == "Parlons de ma prise de parole."
    assert first["coach_notes"] == [{"text": "Ada prépare un TEDx.",
                                     "created_at": "2027-01-30T09:00:00+00:00"}]
    assert first["emails_sent"][0]["kind"] == "request"
    assert first["consent_version"] and first["status"] == "confirmed"
    assert [event["kind"] for event in second["history"]] == ["created", "rescheduled"]
    assert second["history"][1]["message"] == "Plutôt 11 h ?"
    assert second["start"] == "2027-03-03T10:00:00+00:00"
    assert data["coach"]["slug"] == "demo" and data["retention_days"] == 365
    assert data["privacy_notice"]["url"].endswith("/privacy/")


@pytest.mark.parametrize("count", [1, 8])
def test_person_data_reads_a_fixed_number_of_queries(unlimited, count,
                                                     django_assert_max_num_queries):
    bookings = [past(unlimited, start=LAST_MONTH - timedelta(weeks=n)) for n in range(count)]
    with django_assert_max_num_queries(5):  # bookings, events, notes, notifications
        data = privacy.person_data(booking=bookings[0])
    assert len(data["bookings"]) == count


def test_anonymising_removes_the_person_and_keeps_the_agenda(session_type):
    booking = past(session_type)
    booking_cancel_reason = BookingEvent.objects.create(
        booking=booking, kind="cancelled", actor="invitee", at=NOW, message="Ada ne peut pas")

    anonymised = privacy.booking_anonymise(booking=booking)

    anonymised.refresh_from_db()
    for field in privacy.PERSONAL_FIELDS:
        assert getattr(anonymised, field) == "", field
    assert anonymised.anonymised_at == NOW
    assert (anonymised.start, anonymised.status) == (booking.start, booking.status)
    booking_cancel_reason.refresh_from_db()
    assert booking_cancel_reason.message == ""
    assert not BookingNote.objects.filter(booking=booking).exists()
    assert SentNotification.objects.get(booking=booking).error == ""
    assert b"Ada" not in anonymised.feed_event and b"ATTENDEE" not in anonymised.feed_event
    assert b"Anonymised" in anonymised.feed_event
    assert privacy.booking_anonymise(booking=booking).anonymised_at == NOW  # idempotent


@transactional
def test_erasure_cancels_what_is_to_come_with_the_usual_emails_and_erases_the_rest(
        unlimited, clock):
    older = past(unlimited)
    upcoming = book(unlimited, WEDNESDAY_10, name="Ada Lovelace", email=ADA)
    run_worker()
    mail.outbox.clear()

    erasure = privacy.person_erase(booking=older, by=Booking.CancelledBy.INVITEE)

    assert erasure.cancelled == [str(upcoming.uid)]
    assert erasure.anonymised == [str(older.uid)]
    older.refresh_from_db()
    upcoming.refresh_from_db()
    assert older.is_anonymised and older.invitee_email == ""
    assert upcoming.status == Booking.Status.CANCELLED and not upcoming.is_anonymised
    assert upcoming.erasure_requested_at == NOW
    slots = free_slots_for(session_type=unlimited, start=NOW, end=NOW + timedelta(days=3))
    assert upcoming.start in [slot.start for slot in slots]  # the slot is free again

    run_worker()  # the cancellation goes out to both sides, as for any cancellation
    assert sorted(m.to[0] for m in mail.outbox) == [
        "Ada Lovelace <ada.lovelace+coaching@gmail.com>",
        f"Claire Martin <{unlimited.coach.email}>"]
    assert all("METHOD:CANCEL" in m.attachments[0][1].decode() for m in mail.outbox)

    clock.move_to(NOW + privacy.ERASURE_GRACE + timedelta(minutes=1))
    run_worker()  # then the cancelled booking loses the person too
    upcoming.refresh_from_db()
    assert upcoming.is_anonymised and upcoming.invitee_email == ""


def test_the_invitee_can_erase_after_the_cut_off(unlimited, clock):
    booking = book(unlimited, WEDNESDAY_10, email=ADA)
    clock.move_to(WEDNESDAY_10 - timedelta(minutes=30))  # past the default cut-off
    erasure = privacy.person_erase(booking=booking, by=Booking.CancelledBy.INVITEE)
    booking.refresh_from_db()
    assert erasure.cancelled == [str(booking.uid)]
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancelled_by == Booking.CancelledBy.INVITEE


def test_a_lately_cancelled_booking_keeps_its_address_until_the_grace_ends(session_type):
    booking = book(session_type, WEDNESDAY_10, email=ADA)
    booking_cancel(booking=booking, by=Booking.CancelledBy.INVITEE)
    erasure = privacy.person_erase(booking=booking, by=Booking.CancelledBy.COACH)
    assert erasure.cancelled == [] and erasure.anonymised == []
    assert erasure.deferred_until == NOW + privacy.ERASURE_GRACE
    # The daily purge is the safety net for the deferred anonymisation.
    assert privacy.purge_personal_data(now=NOW + timedelta(hours=1)) == 0
    assert privacy.purge_personal_data(now=NOW + privacy.ERASURE_GRACE
                                       + timedelta(seconds=1)) == 1
    booking.refresh_from_db()
    assert booking.is_anonymised


def test_the_purge_follows_each_coachs_retention(session_type):
    year_old = BookingFactory(session_type=session_type, start=NOW - timedelta(days=366))
    recent = BookingFactory(session_type=session_type, start=NOW - timedelta(days=300))
    strict = SessionTypeFactory(coach=CoachFactory(slug="stricte", retention_days=30))
    strict_old = BookingFactory(session_type=strict, start=NOW - timedelta(days=31))
    strict_recent = BookingFactory(session_type=strict, start=NOW - timedelta(days=29))

    assert privacy.purge_personal_data() == 2

    gone = set(Booking.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True))
    assert gone == {year_old.pk, strict_old.pk}
    assert {recent.pk, strict_recent.pk}.isdisjoint(gone)
    assert privacy.purge_personal_data() == 0  # nothing left to do


def test_the_purge_command_takes_a_retention_for_everyone(session_type, capsys):
    old = BookingFactory(session_type=session_type, start=NOW - timedelta(days=40))
    BookingFactory(session_type=session_type, start=NOW - timedelta(days=20))
    future = BookingFactory(session_type=session_type, start=NOW + timedelta(days=2))

    call_command("purge_personal_data", "--older-than", "30")

    assert capsys.readouterr().out.strip() == "1 booking(s) anonymised."
    old.refresh_from_db()
    future.refresh_from_db()
    assert old.is_anonymised and not future.is_anonymised
    call_command("purge_personal_data")  # the coach's 365 days: nothing more
    assert capsys.readouterr().out.strip() == "0 booking(s) anonymised."


def test_the_purge_command_refuses_a_negative_retention(capsys):
    with pytest.raises(SystemExit):
        call_command("purge_personal_data", "--older-than", "-1")
    assert "--older-than" in capsys.readouterr().err


def test_an_anonymised_feed_passes_ical_check_and_names_nobody(client, unlimited, tmp_path):
    older = past(unlimited, start=NOW - timedelta(days=3))
    book(unlimited, WEDNESDAY_10, name="Ada Lovelace", email=ADA, message="Bonjour")
    privacy.person_erase(booking=older, by=Booking.CancelledBy.COACH)
    privacy.anonymise_bookings(list(Booking.objects.values_list("pk", flat=True)))

    response = client.get(feed_url(unlimited.coach))

    assert response.status_code == 200
    body = response.content
    assert len(events_of(body)) == 2
    # In any case, but not "ada" alone: the events' UIDs are UUIDs, whose hex spells it by
    # chance (about one run in seventy failed on that).
    lowered = body.lower()
    for leak in (b"lovelace", b"bonjour", b"tedx"):
        assert leak not in lowered
    assert b"Ada" not in body
    assert body.count(b"SUMMARY:30 min d'entretien personnalis\xc3\xa9 \xc2\xb7 Anonymised") == 2
    assert_ical_check_passes(body, tmp_path, name="anonymised-feed")


def test_a_late_notification_of_an_anonymised_booking_sends_nothing(session_type):
    booking = book(session_type, WEDNESDAY_10, email=ADA)
    booking = booking_cancel(booking=booking, by=Booking.CancelledBy.COACH)
    privacy.booking_anonymise(booking=booking)
    assert notify_booking_changed.call(booking.pk, booking.sequence) == "erased"
    assert mail.outbox == []
