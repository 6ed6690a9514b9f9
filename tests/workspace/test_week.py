"""The week grid: bookings over her windows, closed hours shaded, imported busy times."""

from datetime import UTC, datetime

import pytest

from availability.models import BusyInterval, ExternalCalendar
from tests.workspace.conftest import PARIS, WEDNESDAY_10, book

pytestmark = pytest.mark.django_db


def test_week_shows_bookings_in_her_windows_and_shades_the_rest(signed_in, session_type):
    book(session_type, WEDNESDAY_10)
    page = signed_in.get("/coach/week/?week=2027-03-03").text
    assert "Semaine du 1 mars 2027" in page or "Semaine du 1er mars 2027" in page
    assert "10:00 Ada Lovelace" in page
    assert "cell--open" in page and "cell--closed" in page
    assert "Europe/Paris" in page


def test_imported_busy_times_are_drawn_as_hers(signed_in, coach):
    source = ExternalCalendar.objects.create(coach=coach, name="Perso",
                                             url="https://calendar.example.com/p.ics")
    BusyInterval.objects.create(coach=coach, source=source,
                                start=datetime(2027, 3, 2, 13, tzinfo=UTC),
                                end=datetime(2027, 3, 2, 14, tzinfo=UTC))
    page = signed_in.get("/coach/week/?week=2027-03-01").text
    assert "cell--busy" in page
    assert "14:00 occupé (votre agenda)" in page or "14:00" in page


def test_grid_widens_to_an_early_booking(signed_in, session_type, coach):
    from datetime import time

    from tests.factories import BookingFactory

    BookingFactory(session_type=session_type,
                   start=datetime.combine(datetime(2027, 3, 2).date(), time(6, 30),
                                          tzinfo=PARIS),
                   invitee_name="Early Bird")
    page = signed_in.get("/coach/week/?week=2027-03-01").text
    assert ">06:30<" in page and "Early Bird" in page


def test_narrow_screens_get_a_day_switcher_and_one_day(signed_in, booking):
    page = signed_in.get("/coach/week/?week=2027-03-01&day=2027-03-03").text
    assert 'aria-current="date"' in page
    assert "week__other" in page
    assert "?week=2027-03-01&amp;day=2027-03-04" in page


def test_a_bad_week_is_400_and_shows_this_week(signed_in):
    response = signed_in.get("/coach/week/?week=soon")
    assert response.status_code == 400
    assert "<table" in response.text


def test_cancelled_bookings_are_left_out_of_the_grid(signed_in, booking):
    from booking.services import booking_cancel

    booking_cancel(booking=booking, by="coach")
    assert "Ada Lovelace" not in signed_in.get("/coach/week/?week=2027-03-01").text
