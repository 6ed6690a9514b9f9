"""The agenda list: her zone and language, grouped by day, past tab, filters, search, pages."""

from datetime import timedelta

import pytest
from django.utils import translation
from django.utils.html import escape

from booking.models import Booking
from booking.services import booking_cancel
from tests.workspace.conftest import PARIS, THURSDAY_15, WEDNESDAY_10, book

pytestmark = pytest.mark.django_db


def fr(label) -> str:
    with translation.override("fr"):
        return escape(str(label))


def test_upcoming_bookings_show_in_her_zone_grouped_by_day(signed_in, session_type):
    book(session_type, WEDNESDAY_10)
    book(session_type, THURSDAY_15, name="Grace Hopper", email="grace@example.org",
         message="")
    page = signed_in.get("/coach/").text
    assert "10:00–10:30" in page and "15:00–15:30" in page  # Paris, not New York or UTC
    assert "Europe/Paris" in page
    assert "Mercredi 3 mars 2027" in page and "Jeudi 4 mars 2027" in page
    assert page.index("Ada Lovelace") < page.index("Grace Hopper")
    assert "Bonjour, parlons de ma prise de parole." in page
    assert escape("30 min d'entretien personnalisé") in page
    assert fr(Booking.Status.CONFIRMED.label) in page


def test_the_page_speaks_her_language_whatever_the_browser_says(signed_in, coach, booking):
    coach.language = "en"
    coach.save()
    response = signed_in.get("/coach/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Content-Language"] == "en"
    assert "Wednesday 3 March 2027" in response.text
    assert 'lang="en"' in response.text


def test_past_tab_lists_past_bookings_with_their_outcome(signed_in, session_type, clock):
    booking = book(session_type, WEDNESDAY_10)
    clock.move_to(WEDNESDAY_10 + timedelta(days=2))
    from booking.services import booking_mark_no_show
    booking_mark_no_show(booking=booking)
    upcoming = signed_in.get("/coach/").text
    assert "Ada Lovelace" not in upcoming
    past = signed_in.get("/coach/?tab=past").text
    assert "Ada Lovelace" in past and fr(Booking.Status.NO_SHOW.label) in past


def test_todays_earlier_session_is_still_listed_today(signed_in, session_type, clock):
    book(session_type, WEDNESDAY_10)
    clock.move_to(WEDNESDAY_10 + timedelta(hours=3))
    assert "Ada Lovelace" in signed_in.get("/coach/").text


def test_filters_by_status_and_dates_and_searches_name_or_email(signed_in, session_type):
    ada = book(session_type, WEDNESDAY_10)
    book(session_type, THURSDAY_15, name="Grace Hopper", email="grace@navy.example")
    booking_cancel(booking=ada, by=Booking.CancelledBy.COACH)
    assert "Grace" not in signed_in.get("/coach/?status=cancelled").text
    assert "Ada" in signed_in.get("/coach/?status=cancelled").text
    only_thursday = signed_in.get("/coach/?start=2027-03-04&end=2027-03-04").text
    assert "Grace" in only_thursday and "Ada" not in only_thursday
    assert "Ada" not in signed_in.get("/coach/?q=NAVY").text
    assert "Grace" in signed_in.get("/coach/?q=navy").text
    assert "Grace" in signed_in.get("/coach/?q=hopp").text


@pytest.mark.parametrize("query", ["start=2027-02-30", "end=nope", "status=maybe",
                                   "start=2027-03-05&end=2027-03-01", "start=%00"])
def test_bad_filters_answer_400_with_a_message_and_still_list(signed_in, booking, query):
    response = signed_in.get(f"/coach/?{query}")
    assert response.status_code == 400
    assert "field__errors" in response.text
    assert "<form" in response.text


def test_pages_of_25(signed_in, session_type):
    from tests.factories import BookingFactory

    start = WEDNESDAY_10
    for index in range(30):
        BookingFactory(session_type=session_type, start=start + timedelta(hours=index),
                       invitee_name=f"Person {index:02d}")
    first = signed_in.get("/coach/").text
    assert "Person 24" in first and "Person 25" not in first
    assert "page=2" in first
    second = signed_in.get("/coach/?page=2").text
    assert "Person 25" in second and "Person 29" in second
    assert signed_in.get("/coach/?page=zzz").status_code == 200


def test_the_list_polls_itself_and_htmx_gets_only_the_fragment(signed_in, booking):
    page = signed_in.get("/coach/?status=confirmed").text
    assert 'hx-trigger="every 45s"' in page
    assert 'hx-get="/coach/?status=confirmed"' in page
    fragment = signed_in.get("/coach/?status=confirmed", HTTP_HX_REQUEST="true").text
    assert fragment.startswith('<section id="agenda-list"')
    assert "Ada Lovelace" in fragment and "<html" not in fragment


def test_zone_is_named(signed_in, coach, booking):
    coach.timezone = "America/New_York"
    coach.save()
    page = signed_in.get("/coach/").text
    local = booking.start.astimezone(PARIS).replace(tzinfo=None)  # noqa: F841
    assert "America/New_York" in page and "04:00–04:30" in page
