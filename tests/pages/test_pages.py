import re
from datetime import UTC, datetime, timedelta
from functools import partial
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from accounts.models import Coach
from booking import errors
from booking.models import Booking
from booking.services import booking_cancel
from booking.validators import validate_email_address
from pages.forms import REFUSED
from tests.factories import BookingFactory, CoachFactory, SessionTypeFactory, UserFactory
from tests.support.html import fr, iso, shown_zone, slot_times
from tests.support.pages import booking_form

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)  # Monday 09:00 in Paris; 12 h notice → Tuesday
TUESDAY_9 = datetime(2027, 3, 2, 9, tzinfo=PARIS)  # 08:00 UTC, 03:00 in New York
PICKER = "/demo/discovery/"
BOOK = "/demo/discovery/book/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


form_data = partial(booking_form, TUESDAY_9)


class TestPicker:
    def test_is_french_by_default_and_in_the_coachs_zone_without_javascript(
            self, client, session_type):
        html = client.get(PICKER).content.decode()
        assert '<html lang="fr">' in html
        assert "Mardi 2 mars" in html
        assert shown_zone(html) == "Europe/Paris"
        assert slot_times(html)[0] == (iso(TUESDAY_9), "09:00")

    def test_english_switch_posts_to_set_language(self, client, session_type):
        response = client.post("/i18n/setlang/", {"language": "en", "next": PICKER})
        assert response.status_code == 302
        html = client.get(PICKER).content.decode()
        assert '<html lang="en">' in html
        assert "Tuesday 2 March" in html

    def test_page_offers_the_language_switch_form(self, client, session_type):
        html = client.get(PICKER).content.decode()
        assert 'action="/i18n/setlang/" method="post"' in html
        assert 'name="language" value="en"' in html

    def test_tz_param_shows_times_in_that_zone_and_is_remembered(self, client, session_type):
        response = client.get(PICKER, {"tz": "America/New_York"})
        html = response.content.decode()
        assert shown_zone(html) == "America/New_York"
        assert slot_times(html)[0] == (iso(TUESDAY_9), "03:00")
        assert response.cookies["tz"].value == "America/New_York"
        again = client.get(PICKER).content.decode()
        assert shown_zone(again) == "America/New_York"

    def test_tz_cookie_sets_the_zone(self, client, session_type):
        client.cookies["tz"] = "Asia/Tokyo"
        html = client.get(PICKER).content.decode()
        assert shown_zone(html) == "Asia/Tokyo"
        assert slot_times(html)[0] == (iso(TUESDAY_9), "17:00")

    @pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "UTC+01:00", "x" * 500,
                                      "Europe/Paris\x00", ""])
    def test_unknown_tz_param_falls_back_to_the_cookie_then_the_coach(
            self, client, session_type, zone):
        response = client.get(PICKER, {"tz": zone})
        assert response.status_code == 200
        assert shown_zone(response.content.decode()) == "Europe/Paris"
        assert "tz" not in response.cookies
        client.cookies["tz"] = "Asia/Tokyo"
        assert shown_zone(client.get(PICKER, {"tz": zone}).content.decode()) == "Asia/Tokyo"

    def test_unknown_tz_param_is_named_in_a_notice(self, client, session_type):
        html = client.get(PICKER, {"tz": "Mars/Olympus"}).content.decode()
        assert 'class="notice"' in html
        assert "Mars/Olympus" in html

    def test_bad_tz_cookie_is_ignored(self, client, session_type):
        client.cookies["tz"] = "Nowhere/Land"
        response = client.get(PICKER)
        assert response.status_code == 200
        assert shown_zone(response.content.decode()) == "Europe/Paris"

    def test_week_param_moves_to_that_week(self, client, session_type):
        html = client.get(PICKER, {"week": "2027-03-10"}).content.decode()
        assert "Lundi 8 mars" in html
        assert "Mardi 2 mars" not in html
        assert "?week=2027-03-01&amp;tz=Europe/Paris" in html  # previous
        assert "?week=2027-03-15&amp;tz=Europe/Paris" in html  # next

    @pytest.mark.parametrize("week", ["garbage", "2027-02-30", "0001-01-01", "9999-12-31",
                                      "1999-01-01", "2027-03-01T00:00", "-1"])
    def test_bad_or_out_of_range_week_falls_back_with_a_notice(self, client, session_type, week):
        response = client.get(PICKER, {"week": week})
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="notice"' in html
        assert slot_times(html)

    def test_first_week_without_slots_points_to_the_next_free_one(self, client, coach):
        SessionTypeFactory(coach=coach, notice=timedelta(days=10))
        html = client.get(PICKER, {"week": "2027-03-01"}).content.decode()
        assert not slot_times(html)
        assert "?week=2027-03-11&amp;tz=Europe/Paris" in html  # Thursday 11, ten days on

    def test_coach_without_any_availability_gets_a_page_saying_so(self, client):
        bare = Coach.objects.create(user=UserFactory(), slug="bare", display_name="Bare")
        SessionTypeFactory(coach=bare)
        response = client.get("/bare/discovery/")
        assert response.status_code == 200
        assert fr("There are no free slots at the moment. Please come back later.") in (
            response.content.decode())

    def test_without_week_param_the_first_week_with_free_slots_is_shown(self, client, coach):
        SessionTypeFactory(coach=coach, notice=timedelta(days=10))
        html = client.get(PICKER).content.decode()
        assert "Jeudi 11 mars" in html

    def test_links_go_to_the_booking_form_with_the_utc_start(self, client, session_type):
        html = client.get(PICKER, {"tz": "America/New_York"}).content.decode()
        assert (f'href="{BOOK}?start={iso(TUESDAY_9)}&amp;tz=America/New_York"') in html

    def test_htmx_request_gets_only_the_fragment(self, client, session_type):
        response = client.get(PICKER, {"week": "2027-03-08"}, headers={"HX-Request": "true"})
        html = response.content.decode()
        assert html.startswith('<div id="slots"')
        assert "<html" not in html and "tz-select" not in html
        assert "Lundi 8 mars" in html
        assert "HX-Request" in response["Vary"]

    def test_htmx_history_restore_gets_the_whole_page(self, client, session_type):
        response = client.get(PICKER, headers={"HX-Request": "true",
                                                "HX-History-Restore-Request": "true"})
        assert "<html" in response.content.decode()

    def test_navigation_links_work_with_and_without_htmx(self, client, session_type):
        html = client.get(PICKER).content.decode()
        link = f"{PICKER}?week=2027-03-08&amp;tz=Europe/Paris"
        assert f'href="{link}"' in html and f'hx-get="{link}"' in html

    def test_taken_slots_are_not_listed(self, client, session_type):
        BookingFactory(session_type=session_type, start=TUESDAY_9)
        starts = [start for start, _ in slot_times(client.get(PICKER).content.decode())]
        assert iso(TUESDAY_9) not in starts
        assert iso(TUESDAY_9 + timedelta(minutes=30)) in starts

    @pytest.mark.parametrize("url", [PICKER, f"{PICKER}?view=month&month=2027-03&day=2027-03-02"])
    def test_query_count_has_a_ceiling_that_bookings_do_not_raise(
            self, client, session_type, django_assert_max_num_queries, url):
        client.get(url)  # warms the expanded-windows cache, as on a live site
        with CaptureQueriesContext(connection) as before:
            client.get(url)
        for day in range(2, 6):
            for hour in (9, 10, 14, 15, 16):
                BookingFactory(session_type=session_type,
                               start=TUESDAY_9.replace(day=day, hour=hour),
                               invitee_email=f"p{day}{hour}@example.org")
        with django_assert_max_num_queries(6):
            html = client.get(url).content.decode()
        with CaptureQueriesContext(connection) as after:
            client.get(url)
        assert len(after) == len(before)
        assert iso(TUESDAY_9) not in html
        assert iso(TUESDAY_9 + timedelta(minutes=30)) in html

    @pytest.mark.parametrize("url", [PICKER, f"{PICKER}?view=month&month=2027-03"])
    def test_page_has_no_inline_script_or_style_and_loads_htmx_locally(
            self, client, session_type, url):
        html = client.get(url).content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
        assert " style=" not in html and "<style" not in html
        assert '<script src="/static/django_htmx/htmx-2.min.js" defer>' in html
        assert '"includeIndicatorStyles": false' in html
        assert "http://" not in html and "https://" not in html


class TestPages:
    def test_home_shows_the_only_coach_page(self, client, session_type):
        html = client.get("/").content.decode()
        assert "Claire Martin" in html and slot_times(html)

    def test_home_lists_coaches_when_there_are_several(self, client, coach):
        CoachFactory(slug="other", display_name="Olivier Roux")
        html = client.get("/").content.decode()
        assert 'href="/demo/"' in html and 'href="/other/"' in html

    def test_home_without_coach_is_a_page(self, client):
        assert client.get("/").status_code == 200

    def test_coach_with_one_type_shows_its_picker(self, client, session_type):
        html = client.get("/demo/").content.decode()
        assert escape(session_type.name) in html and slot_times(html)

    def test_coach_with_several_types_lists_them(self, client, session_type):
        SessionTypeFactory(coach=session_type.coach, slug="follow-up", name="Suivi")
        html = client.get("/demo/").content.decode()
        assert 'href="/demo/discovery/"' in html and 'href="/demo/follow-up/"' in html
        assert not slot_times(html)

    @pytest.mark.parametrize("url", ["/nobody/", "/nobody/discovery/", "/demo/nothing/",
                                     "/demo/nothing/book/", "/nobody/discovery/book/"])
    def test_unknown_coach_or_type_is_a_404_page(self, client, session_type, url):
        response = client.get(url)
        assert response.status_code == 404
        assert fr("Page not found") in response.content.decode()

    def test_inactive_type_is_a_404(self, client, session_type):
        session_type.is_active = False
        session_type.save()
        assert client.get(PICKER).status_code == 404


class TestBookingForm:
    def test_get_shows_the_form_in_the_visitors_zone_and_changes_nothing(
            self, client, session_type):
        response = client.get(BOOK, {"start": iso(TUESDAY_9), "tz": "America/New_York"})
        html = response.content.decode()
        assert response.status_code == 200
        assert 'name="consent"' in html and 'name="website"' in html
        assert "Mardi 2 mars 2027, 03:00–03:30" in html
        assert "09:00" in html  # the coach's time too
        assert Booking.objects.count() == 0

    @pytest.mark.parametrize("start", ["", "tomorrow", "2027-03-02T08:00:00", "2027-13-02T08:00Z",
                                       "9999-12-31T23:30:00Z", "0001-01-01T00:00:00+01:00"])
    def test_get_with_a_bad_start_says_so(self, client, session_type, start):
        response = client.get(BOOK, {"start": start})
        assert response.status_code == 400
        assert 'name="consent"' not in response.content.decode()

    def test_get_of_a_taken_slot_says_it_is_taken(self, client, session_type):
        BookingFactory(session_type=session_type, start=TUESDAY_9)
        response = client.get(BOOK, {"start": iso(TUESDAY_9)})
        assert response.status_code == 409
        html = response.content.decode()
        assert fr(errors.SLOT_TAKEN) in html and f'href="{PICKER}?tz=' in html

    def test_post_books_and_redirects_to_the_confirmation(self, client, session_type):
        response = client.post(f"{BOOK}?start={iso(TUESDAY_9)}", form_data())
        booking = Booking.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/demo/discovery/confirmed/{booking.manage_token}/"
        assert booking.start == TUESDAY_9
        assert booking.invitee_email == "ada@example.org"
        assert str(booking.invitee_timezone) == "America/New_York"
        assert booking.invitee_language == "fr"
        assert booking.message == "Bonjour"

    def test_booking_in_english_keeps_the_language(self, client, session_type):
        client.post("/i18n/setlang/", {"language": "en", "next": PICKER})
        client.post(BOOK, form_data())
        assert Booking.objects.get().invitee_language == "en"

    def test_unknown_zone_in_the_form_is_refused_with_a_message(self, client, session_type):
        response = client.post(BOOK, form_data(tz="Nowhere/Land"))
        assert response.status_code == 400
        assert "Fuseau horaire inconnu" in response.content.decode()
        assert Booking.objects.count() == 0

    def test_an_empty_zone_in_the_form_is_the_coachs(self, client, session_type):
        client.post(BOOK, form_data(tz=""))
        assert str(Booking.objects.get().invitee_timezone) == "Europe/Paris"

    def test_a_legacy_zone_name_is_stored_as_its_canonical_name(self, client, session_type):
        client.post(BOOK, form_data(tz="Asia/Calcutta"))
        assert str(Booking.objects.get().invitee_timezone) == "Asia/Kolkata"

    def test_missing_fields_are_refused_in_french(self, client, session_type):
        response = client.post(BOOK, form_data(name="", email="", consent=""))
        html = response.content.decode()
        assert response.status_code == 400
        assert html.count("Ce champ est obligatoire.") >= 2
        assert fr("Please give your consent to book.") in html
        assert Booking.objects.count() == 0

    def test_invalid_email_and_name_use_the_shared_validators(self, client, session_type):
        response = client.post(BOOK, form_data(email="not-an-email", name="Ada\r\nBcc: x@y.z"))
        html = response.content.decode()
        assert response.status_code == 400
        with translation.override("fr"), pytest.raises(Exception) as invalid:
            validate_email_address("not-an-email")
        assert str(invalid.value.messages[0]) in html
        assert Booking.objects.count() == 0

    @pytest.mark.parametrize("start", ["9999-12-31T23:30:00Z", "0001-01-01T00:30:00Z", "x" * 100])
    def test_post_with_an_impossible_start_is_a_400(self, client, session_type, start):
        response = client.post(BOOK, form_data(start=start))
        assert response.status_code == 400
        assert Booking.objects.count() == 0

    def test_overlong_message_is_refused(self, client, session_type):
        response = client.post(BOOK, form_data(message="x" * 2001))
        assert response.status_code == 400
        assert Booking.objects.count() == 0

    def test_honeypot_refuses_and_creates_nothing(self, client, session_type):
        response = client.post(BOOK, form_data(website="https://spam.example"))
        assert response.status_code == 400
        assert fr(REFUSED) in response.content.decode()
        assert Booking.objects.count() == 0

    def test_taken_slot_is_a_409_with_the_message_and_the_picker_link(self, client, session_type):
        BookingFactory(session_type=session_type, start=TUESDAY_9)
        response = client.post(BOOK, form_data())
        html = response.content.decode()
        assert response.status_code == 409
        assert 'id="slot-taken"' in html and fr(errors.SLOT_TAKEN) in html
        assert f'href="{PICKER}?tz=America/New_York"' in html
        assert Booking.objects.count() == 1

    def test_second_free_session_for_one_person_is_a_409(self, client, session_type):
        BookingFactory(session_type=session_type, start=TUESDAY_9, invitee_email="ada@example.org")
        response = client.post(BOOK, form_data(start=iso(TUESDAY_9 + timedelta(hours=1))))
        assert response.status_code == 409
        assert fr(errors.LIMIT_REACHED) in response.content.decode()

    @pytest.mark.parametrize(("start", "reason"), [
        (datetime(2027, 3, 1, 6, tzinfo=UTC), "past"),
        (datetime(2027, 3, 2, 8, 10, tzinfo=UTC), "off_grid"),
        (datetime(2027, 3, 6, 9, tzinfo=PARIS), "outside_windows"),
    ])
    def test_unbookable_start_is_a_400_with_its_reason(self, client, session_type, start, reason):
        response = client.post(BOOK, form_data(start=iso(start)))
        assert response.status_code == 400
        message = errors.REFUSAL_MESSAGES[errors.Refusal(reason)]
        assert fr(message) in response.content.decode()
        assert Booking.objects.count() == 0

    def test_rate_limit_is_a_429_with_a_message(self, client, session_type, settings):
        settings.BOOKING_RATE_LIMITS = "1/m/ip"
        client.post(BOOK, form_data(name=""))
        response = client.post(BOOK, form_data())
        assert response.status_code == 429
        assert 'id="form-errors"' in response.content.decode()
        assert Booking.objects.count() == 0

    def test_post_without_csrf_token_is_refused(self, session_type):
        from django.test import Client

        response = Client(enforce_csrf_checks=True).post(BOOK, form_data())
        assert response.status_code == 403
        assert Booking.objects.count() == 0


class TestConfirmation:
    def book(self, client) -> Booking:
        client.post(BOOK, form_data())
        return Booking.objects.get()

    def test_shows_both_zones_and_calendar_links(self, client, session_type):
        booking = self.book(client)
        response = client.get(f"/demo/discovery/confirmed/{booking.manage_token}/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "Mardi 2 mars 2027, 03:00–03:30" in html and "America/New_York" in html
        assert "Mardi 2 mars 2027, 09:00–09:30" in html and "Europe/Paris" in html
        assert f'href="/b/{booking.manage_token}/invite.ics"' in html
        assert f'href="/b/{booking.manage_token}/"' in html
        assert "no-store" in response["Cache-Control"]

    def test_google_and_outlook_links_carry_utc_times(self, client, session_type):
        booking = self.book(client)
        html = client.get(f"/demo/discovery/confirmed/{booking.manage_token}/").content.decode()
        links = {urlsplit(url.replace("&amp;", "&")).netloc: url.replace("&amp;", "&")
                 for url in re.findall(r'href="(https://[^"]+)"', html)}
        google = parse_qs(urlsplit(links["calendar.google.com"]).query)
        assert google["action"] == ["TEMPLATE"]
        assert google["dates"] == ["20270302T080000Z/20270302T083000Z"]
        assert "Claire Martin" in google["text"][0]
        assert booking.manage_url in google["details"][0]
        outlook = parse_qs(urlsplit(links["outlook.live.com"]).query)
        assert outlook["startdt"] == ["2027-03-02T08:00:00Z"]
        assert outlook["enddt"] == ["2027-03-02T08:30:00Z"]

    def test_cancelled_booking_says_so(self, client, session_type):
        booking = booking_cancel(booking=self.book(client), by=Booking.CancelledBy.COACH)
        html = client.get(f"/demo/discovery/confirmed/{booking.manage_token}/").content.decode()
        assert fr(Booking.Status.CANCELLED.label) in html
        assert fr("Your session is booked") not in html

    @pytest.mark.parametrize("token", ["x" * 34, "short", "a" * 300])
    def test_wrong_token_is_a_404(self, client, session_type, token):
        self.book(client)
        assert client.get(f"/demo/discovery/confirmed/{token}/").status_code == 404

    def test_token_under_another_coachs_address_is_a_404(self, client, session_type):
        booking = self.book(client)
        other = SessionTypeFactory(coach=CoachFactory(slug="other"))
        url = f"/other/{other.slug}/confirmed/{booking.manage_token}/"
        assert client.get(url).status_code == 404
