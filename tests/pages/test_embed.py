"""The booking flow embedded in another site (`?embed=1`): framing headers, no site chrome,
the flag kept through the flow, and no cookie needed or set on the way."""

import re
from datetime import UTC, datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils.html import escape

from booking.models import Booking
from tests.factories import BookingFactory, SessionTypeFactory
from tests.support.html import iso
from tests.support.pages import booking_form

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
TUESDAY_9 = datetime(2027, 3, 2, 9, tzinfo=PARIS)
PICKER = "/demo/discovery/"
BOOK = "/demo/discovery/book/"
BOOK_EMBEDDED = f"{BOOK}?start={iso(TUESDAY_9)}&tz=Europe/Paris&embed=1"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


form_data = partial(booking_form, TUESDAY_9, tz="Europe/Paris", message="")


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]+)", policy).group(1)


def framable_by_anyone(response) -> bool:
    return frame_ancestors(response) == "*" and "X-Frame-Options" not in response


def refuses_frames(response) -> bool:
    return frame_ancestors(response) == "'none'" and response["X-Frame-Options"] == "DENY"


@pytest.fixture
def strict() -> Client:
    """A browser that sends no cookie at all, as a frame whose third-party cookies are
    blocked; CSRF is enforced as in production."""
    return Client(enforce_csrf_checks=True)


class TestHeaders:
    @pytest.mark.parametrize("path", [
        f"{PICKER}?embed=1",
        f"{PICKER}?embed=1&week=2027-03-08&tz=America/New_York",
        f"{PICKER}?embed=1&view=month&month=2027-03",
        BOOK_EMBEDDED,
        f"{BOOK}?start=nonsense&embed=1",
    ])
    def test_the_embedded_flow_may_be_framed_by_any_site(self, client, session_type, path):
        response = client.get(path)
        assert response.status_code in (200, 400)
        assert framable_by_anyone(response)

    def test_the_htmx_fragments_of_the_embedded_picker_may_be_framed(self, client,
                                                                     session_type):
        response = client.get(f"{PICKER}?embed=1&week=2027-03-08", headers={"HX-Request": "true"})
        assert "<html" not in response.content.decode()
        assert framable_by_anyone(response)

    def test_the_answers_to_an_embedded_post_may_be_framed(self, strict, session_type):
        BookingFactory(session_type=session_type, start=TUESDAY_9)
        taken = strict.post(BOOK_EMBEDDED, form_data(email="bob@example.org"))
        assert taken.status_code == 409 and framable_by_anyone(taken)
        bad = strict.post(BOOK_EMBEDDED, form_data(start="2027-03-02T09:10:00Z"))
        assert bad.status_code == 400 and framable_by_anyone(bad)

    def test_the_embedded_confirmation_may_be_framed(self, client, session_type):
        booking = BookingFactory(session_type=session_type, start=TUESDAY_9)
        path = f"{PICKER}confirmed/{booking.manage_token}/"
        assert framable_by_anyone(client.get(path + "?embed=1"))
        assert refuses_frames(client.get(path))

    @pytest.mark.parametrize("path", [
        "/", "/demo/", PICKER, f"{PICKER}?embed=0", f"{PICKER}?embed=yes",
        f"{BOOK}?start={iso(TUESDAY_9)}", "/accounts/login/", "/coach/", "/coach/embed/",
        "/demo/?embed=1",  # the coach's page is not the embeddable route
    ])
    def test_every_other_page_refuses_frames(self, client, session_type, path):
        SessionTypeFactory(coach=session_type.coach, slug="follow-up")  # /demo/ lists types
        response = client.get(path)
        assert response.status_code in (200, 302)
        assert refuses_frames(response)

    def test_the_manage_page_refuses_frames_even_with_the_flag(self, client, session_type):
        booking = BookingFactory(session_type=session_type, start=TUESDAY_9)
        assert refuses_frames(client.get(booking.get_absolute_url() + "?embed=1"))


class TestWithoutChrome:
    def test_the_embedded_picker_has_the_coach_and_the_type_but_no_site_chrome(
            self, client, session_type):
        html = client.get(f"{PICKER}?embed=1").content.decode()
        assert "Claire Martin" in html and escape(session_type.display_name()) in html
        assert 'class="site-header"' not in html and 'class="site-footer"' not in html
        assert "lang-switch" not in html and 'class="brand"' not in html
        assert 'data-embed' in html and "/static/js/embed-frame.js" in html

    @pytest.mark.parametrize("path", [PICKER, "/demo/?embed=1", "/coach/?embed=1"])
    def test_the_site_keeps_its_chrome_elsewhere(self, client, session_type, path):
        SessionTypeFactory(coach=session_type.coach, slug="follow-up")  # /demo/ lists types
        client.force_login(session_type.coach.user)
        html = client.get(path).content.decode()
        assert 'class="site-header"' in html and 'class="site-footer"' in html
        assert "embed-frame.js" not in html and "data-embed" not in html

    def test_a_manage_link_with_the_flag_keeps_its_chrome(self, client, session_type):
        booking = BookingFactory(session_type=session_type, start=TUESDAY_9)
        html = client.get(booking.get_absolute_url() + "?embed=1").content.decode()
        assert 'class="site-header"' in html and "data-embed" not in html

    def test_every_link_and_the_zone_form_keep_the_flag(self, client, session_type):
        html = client.get(f"{PICKER}?embed=1&tz=America/New_York").content.decode()
        slots = re.findall(r'class="slot" href="([^"]+)"', html)
        assert slots and all(href.endswith("&amp;embed=1") for href in slots)
        navigation = re.findall(r'hx-get="([^"]+)"', html)
        picker_links = [href for href in navigation if href.startswith(PICKER + "?")]
        assert picker_links and all("embed=1" in href for href in picker_links)
        assert '<input type="hidden" name="embed" value="1" form="tz-form">' in html

    def test_the_embedded_form_has_no_csrf_field_and_its_links_keep_the_flag(
            self, strict, session_type):
        response = strict.get(BOOK_EMBEDDED)
        html = response.content.decode()
        assert 'name="csrfmiddlewaretoken"' not in html
        assert f'href="{PICKER}?tz=Europe/Paris&amp;embed=1"' in html
        assert 'target="_top"' not in html
        assert not response.cookies

    def test_a_paid_type_s_embedded_form_leaves_the_frame_for_checkout(self, client, coach):
        SessionTypeFactory(coach=coach, slug="paid", price_amount=5000, price_currency="eur")
        html = client.get(f"/demo/paid/book/?start={iso(TUESDAY_9)}&embed=1").content.decode()
        assert re.search(r'<form class="form"[^>]* target="_top"', html)


class TestFlowWithoutCookies:
    def test_an_embedded_booking_needs_and_sets_no_cookie(self, strict, session_type):
        picker = strict.get(f"{PICKER}?embed=1&tz=America/New_York")
        form = strict.get(BOOK_EMBEDDED)
        response = strict.post(BOOK_EMBEDDED, form_data())
        booking = Booking.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"{PICKER}confirmed/{booking.manage_token}/?embed=1"
        confirmation = strict.get(response["Location"])
        assert confirmation.status_code == 200
        assert "site-header" not in confirmation.content.decode()
        for answer in (picker, form, response, confirmation):
            assert not answer.cookies, answer.cookies
        assert not strict.cookies

    def test_outside_the_frame_the_form_still_demands_its_csrf_token(self, strict,
                                                                     session_type):
        response = strict.post(f"{BOOK}?start={iso(TUESDAY_9)}", form_data())
        assert response.status_code == 403
        assert not Booking.objects.exists()

    def test_the_confirmation_opens_the_private_link_outside_the_frame(self, client,
                                                                       session_type):
        booking = BookingFactory(session_type=session_type, start=TUESDAY_9)
        html = client.get(f"{PICKER}confirmed/{booking.manage_token}/?embed=1").content.decode()
        assert re.search(r'class="manage-link" href="[^"]+" target="_blank"', html)
