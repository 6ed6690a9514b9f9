"""Who reaches the workspace: signed-in coaches only, each to her own bookings (invariant 9)."""

import pytest

from booking.models import Booking
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["", "week/", "feed/", "feed/rotate/", "export.csv"]
BOOKING_PAGES = ["", "cancel/", "reschedule/", "outcome/?status=completed"]
BOOKING_POSTS = {"cancel/": {"message": "x"}, "reschedule/": {"start": "2027-03-04T14:00:00Z"},
                 "outcome/": {"status": "no_show"}, "notes/": {"text": "x"}}


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, coach, path):
    response = client.get(f"/coach/{path}")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/coach/")


@pytest.mark.parametrize("path", PAGES)
def test_a_user_without_a_coach_profile_gets_404(client, path):
    client.force_login(UserFactory())
    assert client.get(f"/coach/{path}").status_code == 404


@pytest.mark.parametrize("page", BOOKING_PAGES)
def test_another_coachs_booking_is_404_on_every_page(signed_in, booking, other_booking, page):
    assert signed_in.get(f"/coach/bookings/{booking.uid}/{page}").status_code == 200
    assert signed_in.get(f"/coach/bookings/{other_booking.uid}/{page}").status_code == 404


@pytest.mark.parametrize(("page", "data"), BOOKING_POSTS.items())
def test_another_coachs_booking_is_404_for_every_action(signed_in, other_booking, page, data):
    before = Booking.objects.get(pk=other_booking.pk)
    response = signed_in.post(f"/coach/bookings/{other_booking.uid}/{page}", data)
    assert response.status_code == 404
    after = Booking.objects.get(pk=other_booking.pk)
    assert (after.status, after.start, after.sequence) == (before.status, before.start,
                                                          before.sequence)
    assert not other_booking.notes.exists()


def test_unknown_uid_is_404(signed_in):
    assert signed_in.get("/coach/bookings/00000000-0000-4000-8000-000000000000/").status_code \
        == 404


def test_other_coachs_bookings_are_not_listed_or_exported(signed_in, booking, other_booking):
    for path in ("/coach/", "/coach/week/?week=2027-03-01", "/coach/export.csv"):
        response = signed_in.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert "Ada Lovelace" in body.decode()
        assert "Bob Other" not in body.decode()


def test_workspace_pages_are_never_cached(signed_in, booking):
    response = signed_in.get("/coach/")
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
