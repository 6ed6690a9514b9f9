"""The agenda, the week and a booking's page read a fixed number of queries, however many
bookings she has (the counter-example: five queries per appointment)."""

from datetime import UTC, timedelta

import factory
import pytest

from booking.models import BookingNote
from booking.services import booking_note_add
from booking.tasks import notify_booking_changed
from tests.factories import BookingFactory
from tests.workspace.conftest import WEDNESDAY_10, book

pytestmark = pytest.mark.django_db

# The week reads the availability and, cache cold, its events per month chunk.
AGENDA, WEEK, BOOKING = 8, 10, 10


def many(session_type, count: int) -> None:
    """`count` bookings, every half hour from Wednesday 11:00 on, past the first page."""
    # In UTC: factory sequences run on across tests, and half-hour steps added to a Paris time
    # in wall-clock arithmetic would land in the spring-forward gap (end before start).
    start = (WEDNESDAY_10 + timedelta(hours=1)).astimezone(UTC)
    BookingFactory.create_batch(count, session_type=session_type, start=factory_starts(start))


def factory_starts(first):
    """Half-hourly starts from `first`, counted for this batch alone (a factory.Sequence
    counts across the whole session, and would drift into the DST change), in UTC."""

    first = first.astimezone(UTC)
    return factory.Iterator((first + timedelta(minutes=30 * n) for n in range(10_000)),
                            cycle=False)


@pytest.mark.parametrize("count", [5, 200])
def test_agenda_queries_do_not_grow(signed_in, session_type, count,
                                    django_assert_max_num_queries):
    many(session_type, count)
    signed_in.get("/coach/")  # the session is read once per request anyway
    with django_assert_max_num_queries(AGENDA):
        assert signed_in.get("/coach/?status=confirmed&q=invitee").status_code == 200
    with django_assert_max_num_queries(AGENDA):
        assert signed_in.get("/coach/?tab=past").status_code == 200


@pytest.mark.parametrize("count", [5, 200])
def test_week_queries_do_not_grow(signed_in, session_type, count,
                                  django_assert_max_num_queries):
    many(session_type, count)
    with django_assert_max_num_queries(WEEK):
        response = signed_in.get("/coach/week/?week=2027-03-03")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [5, 200])
def test_booking_page_queries_do_not_grow(signed_in, session_type, count,
                                          django_assert_max_num_queries):
    many(session_type, count)
    booking = book(session_type)
    notify_booking_changed.call(booking.pk, 0)
    for index in range(count // 10):
        booking_note_add(booking=booking, text=f"note {index}")
    assert BookingNote.objects.count() == count // 10
    with django_assert_max_num_queries(BOOKING):
        response = signed_in.get(f"/coach/bookings/{booking.uid}/")
    assert response.status_code == 200
