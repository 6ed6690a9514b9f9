from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from booking import services
from booking.models import Booking
from booking.services import Invitee, booking_create
from tests.support.outbox import notify_args

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
TUESDAY_9 = datetime(2027, 3, 2, 9, tzinfo=PARIS)
TUESDAY_10 = datetime(2027, 3, 2, 10, tzinfo=PARIS)
CHANGELIST = reverse("admin:booking_booking_changelist")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def staff_client(client):
    user = User.objects.create_superuser("admin@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def bookings(session_type) -> tuple[Booking, Booking]:
    ada = booking_create(session_type=session_type, start=TUESDAY_9, invitee=Invitee(
        name="Ada Lovelace", email="ada@example.org", timezone=PARIS))
    grace = booking_create(session_type=session_type, start=TUESDAY_10, invitee=Invitee(
        name="Grace Hopper", email="grace@example.org", timezone=PARIS))
    return ada, grace


def act(client, action: str, *bookings: Booking):
    return client.post(CHANGELIST, {"action": action,
                                    "_selected_action": [b.pk for b in bookings]}, follow=True)


def test_changelist_lists_bookings_and_searches_by_email_and_name(staff_client, bookings):
    listed = staff_client.get(CHANGELIST)
    assert listed.status_code == 200
    assert "ada@example.org" in listed.text and "grace@example.org" in listed.text
    by_email = staff_client.get(CHANGELIST, {"q": "grace@"})
    assert "grace@example.org" in by_email.text and "ada@example.org" not in by_email.text
    by_name = staff_client.get(CHANGELIST, {"q": "Lovelace"})
    assert "ada@example.org" in by_name.text and "grace@example.org" not in by_name.text


def test_changelist_filters_by_status(staff_client, bookings):
    services.booking_cancel(booking=bookings[0], by=Booking.CancelledBy.COACH)
    page = staff_client.get(CHANGELIST, {"status__exact": "cancelled"})
    assert "ada@example.org" in page.text and "grace@example.org" not in page.text


def test_change_page_shows_uid_and_tokens_are_not_editable(staff_client, bookings):
    ada = bookings[0]
    url = reverse("admin:booking_booking_change", args=[ada.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert str(ada.uid) in page.text
    assert ada.manage_secret not in page.text
    assert 'name="start' not in page.text and 'name="status"' not in page.text
    staff_client.post(url, {"status": "cancelled", "start_0": "2027-03-09",
                            "start_1": "09:00:00", "invitee_email": "evil@example.org"})
    ada.refresh_from_db()
    assert (ada.status, ada.start, ada.invitee_email) == (
        Booking.Status.CONFIRMED, TUESDAY_9, "ada@example.org")


def test_bookings_cannot_be_added_or_deleted_in_the_admin(staff_client, bookings):
    assert staff_client.get(reverse("admin:booking_booking_add")).status_code == 403
    delete = reverse("admin:booking_booking_delete", args=[bookings[0].pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert Booking.objects.count() == 2


def test_cancel_action_cancels_through_the_service(staff_client, bookings):
    response = act(staff_client, "cancel_by_coach", *bookings)
    assert response.status_code == 200
    for booking in bookings:
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CANCELLED
        assert booking.cancelled_by == Booking.CancelledBy.COACH
        assert booking.sequence == 1
    # One notification each, written with the change (an outbox).
    assert sorted(args for args in notify_args() if args[1] == 1) == sorted(
        [b.pk, 1] for b in bookings)
    assert "2 bookings updated" in response.text or "2 réservations" in response.text


def test_cancel_action_reports_bookings_it_cannot_change(staff_client, bookings):
    services.booking_cancel(booking=bookings[0], by=Booking.CancelledBy.INVITEE)
    response = act(staff_client, "cancel_by_coach", bookings[0])
    bookings[0].refresh_from_db()
    assert bookings[0].cancelled_by == Booking.CancelledBy.INVITEE
    assert bookings[0].sequence == 1
    messages = [str(m) for m in response.context["messages"]]
    assert any("Ada Lovelace" in m for m in messages)


def test_no_show_action_marks_past_sessions_only(staff_client, bookings):
    ada, grace = bookings
    with time_machine.travel(datetime(2027, 3, 2, 9, 45, tzinfo=PARIS), tick=False):
        act(staff_client, "mark_no_show", ada, grace)
    ada.refresh_from_db()
    grace.refresh_from_db()
    assert ada.status == Booking.Status.NO_SHOW
    assert grace.status == Booking.Status.CONFIRMED  # 10:00 has not started yet


def test_completed_action_corrects_a_no_show(staff_client, bookings):
    ada = bookings[0]
    with time_machine.travel(datetime(2027, 3, 2, 9, 45, tzinfo=PARIS), tick=False):
        services.booking_mark_no_show(booking=ada)
        act(staff_client, "mark_completed", ada)
    ada.refresh_from_db()
    assert ada.status == Booking.Status.COMPLETED


def test_staff_without_change_permission_cannot_run_actions(client, bookings):
    from django.contrib.auth.models import Permission

    viewer = User.objects.create_user("viewer@example.com", "pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_booking"))
    client.force_login(viewer)
    assert client.get(CHANGELIST).status_code == 200
    act(client, "cancel_by_coach", bookings[0])
    bookings[0].refresh_from_db()
    assert bookings[0].status == Booking.Status.CONFIRMED


def test_change_page_lists_the_emails_sent_for_the_booking(staff_client, bookings):
    ada = bookings[0]
    ada.notifications.create(sequence=0, role="invitee", kind="request", start=ada.start,
                             claimed_at=NOW, sent_at=NOW)
    page = staff_client.get(reverse("admin:booking_booking_change", args=[ada.pk]))
    assert page.status_code == 200
    assert 'name="notifications-TOTAL_FORMS" value="1"' in page.text  # the inline, one row
    assert 'name="notifications-0-kind"' not in page.text  # read-only


def test_times_show_on_the_coachs_clock_with_her_zone_named(staff_client, bookings):
    ada = bookings[0]  # Tuesday 2 March 2027, 09:00 in Paris (winter: 08:00 UTC)
    listed = staff_client.get(CHANGELIST).text
    assert "2027-03-02 09:00 Europe/Paris" in listed
    detail = staff_client.get(reverse("admin:booking_booking_change", args=[ada.pk])).text
    assert "2027-03-02 09:00 Europe/Paris" in detail
    assert "2027-03-02 09:30 Europe/Paris" in detail
    assert "08:00" not in detail
