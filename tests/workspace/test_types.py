"""Her session types in the workspace: list, create, edit in plain units; hers only."""

from datetime import timedelta

import pytest

from availability.models import SessionType
from tests.factories import CoachFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db


def form(**changes) -> dict:
    data = {"name": "Bilan de carrière", "name_en": "Career review", "slug": "",
            "description": "Une heure pour faire le point.", "description_en": "",
            "duration_0": "60", "duration_1": "minutes", "step_0": "30", "step_1": "minutes",
            "notice_0": "24", "notice_1": "hours", "horizon_days": "30",
            "buffer_before_0": "0", "buffer_before_1": "minutes",
            "buffer_after_0": "15", "buffer_after_1": "minutes",
            "cancel_cutoff_0": "12", "cancel_cutoff_1": "hours", "reminders": "24h, 30",
            "daily_cap": "",
            "limit_policy": "unlimited", "limit_period_days": "", "location_kind": "video",
            "location_details": "", "location_room_per_booking": "on", "price": "",
            "currency": "eur", "refund_policy": "before_cutoff", "is_active": "on"}
    return {**data, **changes}


def test_the_list_shows_her_types_only(signed_in, session_type):
    SessionTypeFactory(coach=CoachFactory(slug="autre"), name="Not hers", slug="other")
    html = signed_in.get("/coach/types/").content.decode()
    assert session_type.name.replace("'", "&#x27;") in html
    assert "Not hers" not in html


def test_creating_a_type_in_plain_units(signed_in, coach):
    response = signed_in.post("/coach/types/new/", form())
    assert response.status_code == 302
    created = SessionType.objects.get(coach=coach, slug="bilan-de-carriere")
    assert created.duration == timedelta(hours=1)
    assert created.notice == timedelta(hours=24)
    assert created.horizon == timedelta(days=30)
    assert created.buffer_after == timedelta(minutes=15)
    assert created.reminder_minutes == [1440, 30]
    assert created.location_kind == "video" and created.location_room_per_booking
    assert created.name_en == "Career review"
    assert created.display_name("en") == "Career review"
    assert created.display_description("en") == "Une heure pour faire le point."


def test_spans_keep_the_unit_they_are_best_read_in(signed_in, session_type):
    session_type.notice, session_type.cancel_cutoff = timedelta(minutes=90), timedelta(days=2)
    session_type.save()
    html = signed_in.get(f"/coach/types/{session_type.slug}/").content.decode()
    assert 'name="notice_0" value="90"' in html  # not 1 hour: 90 minutes stays 90 minutes
    assert 'name="cancel_cutoff_0" value="2"' in html
    assert '<option value="days" selected>' in html
    response = signed_in.post(f"/coach/types/{session_type.slug}/", form(
        slug=session_type.slug, notice_0="90", notice_1="minutes", cancel_cutoff_0="2",
        cancel_cutoff_1="days"))
    assert response.status_code == 302
    session_type.refresh_from_db()
    assert (session_type.notice, session_type.cancel_cutoff) == (timedelta(minutes=90),
                                                                 timedelta(days=2))


def test_the_slug_is_made_unique_for_her(signed_in, coach, session_type):
    signed_in.post("/coach/types/new/", form(name="Discovery"))
    signed_in.post("/coach/types/new/", form(name="Discovery"))
    assert set(SessionType.objects.filter(coach=coach).values_list("slug", flat=True)) == {
        "discovery", "discovery-2", "discovery-3"}


def test_editing_shows_plain_units_and_saves(signed_in, session_type):
    html = signed_in.get(f"/coach/types/{session_type.slug}/").content.decode()
    assert 'name="duration_0" value="30"' in html
    assert 'name="notice_0" value="12"' in html
    assert 'value="24h, 1h"' in html
    response = signed_in.post(f"/coach/types/{session_type.slug}/",
                              form(name="Entretien", slug=session_type.slug,
                                   location_kind="in_person", location_details="8 rue X"))
    assert response.status_code == 302
    session_type.refresh_from_db()
    assert session_type.name == "Entretien" and session_type.location_details == "8 rue X"
    assert not session_type.location_room_per_booking


@pytest.mark.parametrize(("changes", "message"), [
    ({"duration_0": "600"}, "480"),
    ({"buffer_after_0": "5", "buffer_after_1": "hours"}, "4"),
    ({"notice_1": "weeks"}, "Sélectionnez"),
    ({"reminders": "soon"}, "2h"),
    ({"location_kind": "in_person", "location_details": ""}, "adresse"),
    ({"location_room_per_booking": "", "location_details": "http://x"}, "https://"),
    ({"limit_policy": "per_period"}, "jours"),
    ({"duration_0": "0"}, "minutes"),
    ({"name": ""}, "obligatoire"),
])
def test_bad_values_are_refused_with_a_message(signed_in, coach, changes, message):
    response = signed_in.post("/coach/types/new/", form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SessionType.objects.filter(coach=coach).exists()


def test_a_price_needs_payments_configured(signed_in, coach, settings):
    settings.STRIPE_SECRET_KEY = ""
    html = signed_in.get("/coach/types/new/").content.decode()
    assert 'id="payments-off"' in html
    response = signed_in.post("/coach/types/new/", form(price="40"))
    assert response.status_code == 400
    assert not SessionType.objects.filter(coach=coach).exists()


def test_a_price_in_euros_is_stored_in_cents(signed_in, coach, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    assert signed_in.post("/coach/types/new/", form(price="49.90")).status_code == 302
    created = SessionType.objects.get(coach=coach)
    assert (created.price_amount, created.price_currency) == (4990, "eur")


def test_a_price_in_yen_has_no_cents(signed_in, coach, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    refused = signed_in.post("/coach/types/new/", form(price="5000.50", currency="jpy"))
    assert refused.status_code == 400 and "JPY" in refused.content.decode()
    assert not SessionType.objects.filter(coach=coach).exists()
    created = signed_in.post("/coach/types/new/", form(price="5000", currency="jpy"))
    assert created.status_code == 302
    created = SessionType.objects.get(coach=coach)
    assert (created.price_amount, created.price_currency) == (5000, "jpy")
    edit = signed_in.get(f"/coach/types/{created.slug}/").content.decode()
    assert 'value="5000"' in edit  # shown back as yen, not as 50.00


def test_an_unknown_currency_is_refused(signed_in, coach, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    response = signed_in.post("/coach/types/new/", form(price="40", currency="zzz"))
    assert response.status_code == 400
    assert not SessionType.objects.filter(coach=coach).exists()


def test_editing_without_payments_keeps_an_existing_price(signed_in, session_type, settings):
    settings.STRIPE_SECRET_KEY = ""
    SessionType.objects.filter(pk=session_type.pk).update(price_amount=3000,
                                                          price_currency="eur")
    signed_in.post(f"/coach/types/{session_type.slug}/", form(slug=session_type.slug))
    session_type.refresh_from_db()
    assert session_type.price_amount == 3000


def test_another_coachs_type_is_404(signed_in, coach):
    other = SessionTypeFactory(coach=CoachFactory(slug="autre"), slug="theirs")
    assert signed_in.get(f"/coach/types/{other.slug}/").status_code == 404
    assert signed_in.post(f"/coach/types/{other.slug}/", form()).status_code == 404
    other.refresh_from_db()
    assert other.name != "Bilan de carrière"


def test_the_editor_sets_the_moves_per_booking_and_empty_keeps_them(signed_in, session_type):
    page = f"/coach/types/{session_type.slug}/"
    assert 'name="max_reschedules" value="3"' in signed_in.get(page).content.decode()
    signed_in.post(page, form(slug=session_type.slug, max_reschedules="1"))
    session_type.refresh_from_db()
    assert session_type.max_reschedules == 1
    signed_in.post(page, form(slug=session_type.slug, max_reschedules=""))
    session_type.refresh_from_db()
    assert session_type.max_reschedules == 1
