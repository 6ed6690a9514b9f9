import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.forms.models import model_to_dict
from django.test import Client
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from booking import errors
from booking.invites import booking_uid
from booking.models import Booking
from booking.services import booking_cancel
from tests.factories import book
from tests.support.html import fr, iso
from tests.support.icalcheck import assert_ical_check_passes
from tests.support.outbox import notify_args

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)  # Monday 09:00 in Paris
WEDNESDAY_10 = datetime(2027, 3, 3, 10, tzinfo=PARIS)  # 09:00 UTC, 04:00 in New York
THURSDAY_15 = datetime(2027, 3, 4, 15, tzinfo=PARIS)  # 14:00 UTC, 09:00 in New York

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def booking(session_type) -> Booking:
    return book(session_type, WEDNESDAY_10, zone=NEW_YORK, message="Bonjour")


def url(booking: Booking, page: str = "") -> str:
    return f"/b/{booking.manage_token}/{page}"


def offered(html: str) -> list[str]:
    return re.findall(r'name="start" value="([^"]+)"', html)


def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def post_with_csrf(client: Client, page_url: str, data: dict):
    """Submit a form the way a browser does: read the page, send its CSRF token back."""
    page = client.get(page_url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return client.post(page_url, {"csrfmiddlewaretoken": token, **data})


def snapshot(booking: Booking) -> dict:
    fresh = Booking.objects.get(pk=booking.pk)
    return model_to_dict(fresh) | {"updated_at": fresh.updated_at}


def test_page_shows_the_booking_in_the_invitees_zone_and_the_coachs(client, booking):
    response = client.get(url(booking))
    assert response.status_code == 200
    html = response.text
    assert "Claire Martin" in html
    assert escape(booking.session_type.name) in html
    assert re.search(r'id="when-invitee">.*America/New_York.*04:00–04:30', html, re.S)
    assert re.search(r'id="when-coach">.*Europe/Paris.*10:00–10:30', html, re.S)
    assert escape(fr(Booking.Status.CONFIRMED.label)) in html
    assert f'href="/b/{booking.manage_token}/cancel/"' in html
    assert f'href="/b/{booking.manage_token}/reschedule/"' in html
    assert response["Cache-Control"].startswith("max-age=0")
    assert 'name="robots" content="noindex"' in html


def without_values(response) -> str:
    # The 404 page's language form carries the path and a CSRF token, which always differ.
    return re.sub(r'value="[^"]*"', "", response.text)


def test_a_wrong_token_is_the_same_404_as_an_unknown_one(client, booking):
    token = booking.manage_token
    wrong_secret = token[:-1] + ("A" if token[-1] != "A" else "B")
    unknown = client.get("/b/" + "x" * len(token) + "/")
    assert unknown.status_code == 404
    for bad in (wrong_secret, token[:-1], token + "x"):
        for page in ("", "cancel/", "reschedule/", "invite.ics"):
            response = client.get(f"/b/{bad}/{page}")
            assert response.status_code == 404
            assert without_values(response) == without_values(unknown)


def test_get_and_head_change_nothing_and_send_nothing(client, booking,
                                                      django_capture_on_commit_callbacks):
    before = snapshot(booking)
    tasks_before = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        for page in ("", "cancel/", "reschedule/", "invite.ics", "cancel/?reason=x"):
            assert client.get(url(booking, page)).status_code == 200
            assert client.head(url(booking, page)).status_code == 200
    assert callbacks == []
    assert DBTaskResult.objects.count() == tasks_before
    assert snapshot(booking) == before


@pytest.mark.parametrize("page", ["cancel/", "reschedule/"])
def test_a_post_without_csrf_token_is_refused_and_changes_nothing(booking, page):
    client = csrf_client()
    client.get(url(booking, page))  # the CSRF cookie alone is not enough
    before = snapshot(booking)
    response = client.post(url(booking, page), {"reason": "x", "start": iso(THURSDAY_15)})
    assert response.status_code == 403
    assert snapshot(booking) == before


def test_cancel_with_a_reason(booking):
    client = csrf_client()
    response = post_with_csrf(client, url(booking, "cancel/"), {"reason": "  Empêchée  "})
    assert response.status_code == 302
    assert response["Location"] == url(booking)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancelled_by == Booking.CancelledBy.INVITEE
    assert booking.cancel_reason == "Empêchée"
    assert booking.sequence == 1
    assert notify_args(booking) == [[booking.pk, 0], [booking.pk, 1]]
    page = client.get(url(booking)).text
    assert escape(fr(Booking.Status.CANCELLED.label)) in page
    assert escape(fr("Your booking is cancelled. The coach has been told.")) in page
    assert f"/b/{booking.manage_token}/cancel/" not in page


def test_cancel_without_a_reason(client, booking):
    assert client.post(url(booking, "cancel/"), {}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancel_reason == ""


def test_an_overlong_or_invisible_reason_is_refused_and_cancels_nothing(client, booking):
    for reason in ("x" * 2001, "bad\x00", "bell\x07"):
        response = client.post(url(booking, "cancel/"), {"reason": reason})
        assert response.status_code == 400
        assert 'class="field__errors"' in response.text
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_cancelling_twice_says_it_is_already_cancelled(client, booking):
    client.post(url(booking, "cancel/"), {})
    response = client.post(url(booking, "cancel/"), {})
    assert response.status_code == 409
    assert escape(fr(errors.NOT_ACTIVE)) in response.text


def test_reschedule_page_lists_free_times_by_day_in_the_invitees_zone(client, session_type):
    booking = book(session_type, WEDNESDAY_10, zone=NEW_YORK, message="Bonjour")
    taken = book(session_type, THURSDAY_15, email="grace@example.org")
    html = client.get(url(booking, "reschedule/")).text
    starts = offered(html)
    assert starts == sorted(starts)
    assert iso(WEDNESDAY_10) not in starts  # its own time
    assert iso(taken.start) not in starts
    # Earliest: Monday 21:00 UTC + 12 h notice → Tuesday 09:00 Paris, 03:00 in New York.
    assert starts[0] == "2027-03-02T08:00:00Z"
    assert re.search(r'value="2027-03-02T08:00:00Z"[^>]*><label class="slot"[^>]*>'
                     r'<time[^>]*>03:00</time>', html)
    assert 'data-zone="America/New_York"' in html and ">New York</strong>" in html
    # Grouped by day in New York, one week (the picker's week view): Tuesday's title first.
    titles = re.findall(r'<h4 class="day__title" id="day-([-0-9]+)">([^<]+)</h4>', html)
    assert [day for day, _ in titles] == ["2027-03-02", "2027-03-03", "2027-03-04",
                                          "2027-03-05"]
    assert html.index(titles[0][1]) < html.index("2027-03-02T08:00:00Z")


def test_reschedule_page_marks_the_current_time_without_offering_it(client, booking):
    html = client.get(url(booking, "reschedule/")).text
    current = re.search(r'<span class="slot slot--current" id="current-time">'
                        r'<time datetime="([^"]+)">([^<]+)</time> <span class="slot__note">'
                        r'([^<]+)</span>', html)
    assert current.groups() == (iso(WEDNESDAY_10), "04:00", fr("your current time"))
    assert f'value="{iso(WEDNESDAY_10)}"' not in html
    # htmx swaps announce how many times can be chosen: the current one does not count.
    fragment = client.get(url(booking, "reschedule/?week=2027-03-01"),
                          headers={"HX-Request": "true"}).text
    announced = re.search(r'<p id="slots-status" hx-swap-oob="innerHTML">([^<]+)</p>',
                          fragment).group(1)
    assert announced.endswith(f" : {len(offered(fragment))} horaires libres")


def test_reschedule_page_pages_through_the_horizon(client, booking):
    first = offered(client.get(url(booking, "reschedule/")).text)
    later = offered(client.get(url(booking, "reschedule/?week=2027-03-22")).text)
    assert later and set(first).isdisjoint(later)
    assert min(later) >= "2027-03-22"
    # The links of emails sent before the week view still open their dates.
    assert offered(client.get(url(booking, "reschedule/?from=2027-03-22")).text) == later
    for nonsense in ("?from=yesterday", "?from=1999-01-01", "?from=2999-01-01", "?from=%00",
                     "?week=%00", "?view=month&month=2999-01", "?view=nope"):
        assert client.get(url(booking, "reschedule/" + nonsense)).status_code == 200


def test_reschedule_page_has_the_pickers_month_and_htmx_fragments(client, booking):
    month = client.get(url(booking, "reschedule/?view=month&month=2027-03&day=2027-03-09"))
    html = month.text
    assert 'data-view="month"' in html and 'aria-current="true">9</a>' in html
    assert offered(html) and all(start.startswith("2027-03-09") for start in offered(html))
    # The month's links lead back to the reschedule page, not to the booking picker.
    assert f'href="/b/{booking.manage_token}/reschedule/?view=month&amp;month=2027-04"' in html
    fragment = client.get(url(booking, "reschedule/?week=2027-03-08"),
                          headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and offered(fragment.text)
    assert 'id="slots-status" hx-swap-oob="innerHTML"' in fragment.text
    assert "HX-Request" in fragment["Vary"]
    # The week shown is sent with the choice, so a refused move shows the same week again.
    assert 'name="week" value="2027-03-08" form="reschedule-form"' in fragment.text


def test_reschedule_moves_the_booking(booking):
    client = csrf_client()
    response = post_with_csrf(client, url(booking, "reschedule/"), {"start": iso(THURSDAY_15)})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.start == THURSDAY_15
    assert booking.sequence == 1
    assert notify_args(booking) == [[booking.pk, 0], [booking.pk, 1]]
    page = client.get(url(booking)).text
    assert re.search(r'id="when-invitee">.*09:00–09:30', page, re.S)


@pytest.mark.parametrize(("start", "status", "message"), [
    (iso(THURSDAY_15), 409, errors.SLOT_TAKEN),
    ("2027-03-04T14:10:00Z", 400, errors.REFUSAL_MESSAGES["off_grid"]),
    ("2027-03-01T09:00:00Z", 400, errors.REFUSAL_MESSAGES["too_soon"]),
    ("2027-03-06T10:00:00Z", 400, errors.REFUSAL_MESSAGES["outside_windows"]),
    ("not a time", 400, "Please choose one of the listed times."),
    ("2027-03-04T14:00:00", 400, "Please choose one of the listed times."),
    ("", 400, "Please choose a new time."),
])
def test_a_refused_move_is_a_message_and_changes_nothing(client, session_type, start, status,
                                                         message):
    booking = book(session_type, WEDNESDAY_10, zone=NEW_YORK, message="Bonjour")
    book(session_type, THURSDAY_15, email="grace@example.org")
    before = snapshot(booking)
    response = client.post(url(booking, "reschedule/"), {"start": start})
    assert response.status_code == status
    assert escape(fr(message)) in response.text
    assert offered(response.text)  # the choices are shown again
    assert snapshot(booking) == before


def test_after_the_cutoff_nothing_can_be_changed_online(client, booking, clock):
    clock.move_to(WEDNESDAY_10 - timedelta(hours=11))  # the cut-off is 12 h
    page = client.get(url(booking)).text
    assert escape(fr(errors.TOO_LATE_TO_CHANGE)) in page
    assert "/cancel/" not in page and "/reschedule/" not in page
    for sub in ("cancel/", "reschedule/"):
        shown = client.get(url(booking, sub)).text
        assert escape(fr(errors.TOO_LATE_TO_CHANGE)) in shown
        assert "<form class=\"form\"" not in shown
    before = snapshot(booking)
    for sub, data in (("cancel/", {"reason": "late"}), ("reschedule/",
                                                        {"start": iso(THURSDAY_15)})):
        response = client.post(url(booking, sub), data)
        assert response.status_code == 409
        assert escape(fr(errors.TOO_LATE_TO_CHANGE)) in response.text
    assert snapshot(booking) == before


def test_just_before_the_cutoff_the_invitee_can_still_cancel(client, booking, clock):
    clock.move_to(WEDNESDAY_10 - timedelta(hours=12, minutes=1))
    assert "/cancel/" in client.get(url(booking)).text
    assert client.post(url(booking, "cancel/"), {}).status_code == 302


def ics_of(response) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_invite_download_is_the_current_request(client, booking, tmp_path):
    response = client.get(url(booking, "invite.ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == 'attachment; filename="invite.ics"'
    calendar, event = ics_of(response)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == booking_uid(booking.uid)
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == WEDNESDAY_10
    assert booking.manage_url in event["DESCRIPTION"]
    assert_ical_check_passes(response.content, tmp_path, "manage-request")


def test_invite_download_of_a_cancelled_booking_is_a_cancel(client, booking, tmp_path):
    client.post(url(booking, "cancel/"), {})
    response = client.get(url(booking, "invite.ics"))
    calendar, event = ics_of(response)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == booking_uid(booking.uid)
    assert_ical_check_passes(response.content, tmp_path, "manage-cancel")


def test_posting_to_the_page_or_the_download_is_not_allowed(client, booking):
    assert client.post(url(booking), {}).status_code == 405
    assert client.post(url(booking, "invite.ics"), {}).status_code == 405


def test_a_booking_the_coach_cancelled_says_so_and_offers_no_change(client, booking):
    booking_cancel(booking=booking, by=Booking.CancelledBy.COACH, reason="Malade")
    page = client.get(url(booking)).text
    assert escape(fr("The coach cancelled this booking.")) in page
    assert "/cancel/" not in page and "/reschedule/" not in page
    assert client.post(url(booking, "reschedule/"), {"start": iso(THURSDAY_15)}
                       ).status_code == 409
