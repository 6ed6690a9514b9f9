"""The coach's session types by API key: GET, POST (201), PATCH; hers only; 400 not 500."""

import pytest

from availability.models import SessionType
from tests.factories import CoachFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db
TYPES = "/api/v1/me/session-types"


@pytest.fixture
def call(client, key):
    def send(method: str, path: str, body=None):
        return getattr(client, method)(path, body, content_type="application/json",
                                       headers={"Authorization": f"Bearer {key}"})
    return send


def test_listing_her_types_in_plain_units(call, session_type):
    SessionTypeFactory(coach=CoachFactory(slug="autre"), slug="theirs")
    response = call("get", TYPES)
    assert response.status_code == 200
    [item] = response.json()
    assert item["slug"] == "discovery"
    assert item["duration_minutes"] == 30 and item["notice_minutes"] == 720
    assert item["horizon_days"] == 60 and item["reminder_minutes"] == [1440, 60]
    assert item["price"] is None and item["location"] is None and item["active"] is True


def test_creating_a_type_answers_201_with_it(call, coach):
    response = call("post", TYPES, {
        "name": "Bilan de carrière", "duration_minutes": 60, "buffer_after_minutes": 15,
        "reminder_minutes": [60, 1440], "limit_policy": "unlimited",
        "location": {"kind": "in_person", "details": "8 rue X, Paris"}})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "bilan-de-carriere"
    assert body["reminder_minutes"] == [1440, 60]
    assert body["location"] == {"kind": "in_person", "details": "8 rue X, Paris",
                                "room_per_booking": False}
    assert body["step_minutes"] == 30 and body["notice_minutes"] == 720  # discovery's defaults
    created = SessionType.objects.get(coach=coach, slug="bilan-de-carriere")
    assert created.duration.total_seconds() == 3600


def test_post_needs_a_name_and_a_duration(call):
    response = call("post", TYPES, {"description": "x"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "duration_minutes"}


@pytest.mark.parametrize(("body", "field"), [
    ({"duration_minutes": 600}, "duration_minutes"),
    ({"buffer_before_minutes": 300}, "buffer_before_minutes"),
    ({"duration_minutes": 10**12}, "duration_minutes"),
    ({"duration_minutes": "30"}, "duration_minutes"),
    ({"location": {"kind": "video", "details": "not a link"}}, "location"),
    ({"location": {"kind": "teleport"}}, "kind"),
    ({"reminder_minutes": [0]}, "reminder_minutes"),
    ({"price": {"amount": 4000, "currency": "eur"}}, "price"),
    ({"limit_policy": "per_period"}, "limit_period_days"),
    ({"slug": "discovery"}, "slug"),
    ({"unknown": 1}, "unknown"),
])
def test_bad_input_is_a_400_naming_the_field(call, session_type, settings, body, field):
    settings.STRIPE_SECRET_KEY = ""
    response = call("post", TYPES, {"name": "Autre", "duration_minutes": 30, **body})
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert SessionType.objects.count() == 1


def test_a_price_when_payments_are_configured(call, coach, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    response = call("post", TYPES, {"name": "Séance", "duration_minutes": 45,
                                    "price": {"amount": 4500, "currency": "EUR"},
                                    "refund_policy": "never"})
    assert response.status_code == 201
    assert response.json()["price"] == {"amount": 4500, "currency": "eur"}
    assert response.json()["refund_policy"] == "never"


def test_an_unknown_currency_is_a_400(call, coach, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    response = call("post", TYPES, {"name": "Séance", "duration_minutes": 45,
                                    "price": {"amount": 4500, "currency": "zzz"}})
    assert response.status_code == 400 and "price" in response.json()["errors"]
    assert "EUR" in response.json()["errors"]["price"][0]
    assert not SessionType.objects.filter(name="Séance").exists()


def test_patch_changes_only_what_it_sends(call, session_type):
    response = call("patch", f"{TYPES}/discovery", {
        "notice_minutes": 90, "active": False, "daily_cap": 3,
        "location": {"kind": "video", "room_per_booking": True}})
    assert response.status_code == 200, response.json()
    session_type.refresh_from_db()
    assert session_type.notice.total_seconds() == 5400
    assert not session_type.is_active and session_type.daily_cap == 3
    assert session_type.location_room_per_booking
    assert session_type.duration.total_seconds() == 1800
    response = call("patch", f"{TYPES}/discovery", {"daily_cap": None, "location": None})
    session_type.refresh_from_db()
    assert session_type.daily_cap is None and session_type.location_kind == ""


def test_another_coachs_type_is_a_404(call, session_type):
    other = SessionTypeFactory(coach=CoachFactory(slug="autre"), slug="theirs")
    assert call("patch", f"{TYPES}/theirs", {"name": "Mine"}).status_code == 404
    assert call("patch", f"{TYPES}/nothing", {"name": "Mine"}).status_code == 404
    other.refresh_from_db()
    assert other.name != "Mine"


def test_without_a_key_it_is_a_401(client, session_type):
    assert client.get(TYPES).status_code == 401


def test_moves_per_booking_default_to_three_and_can_be_set(call, session_type):
    assert call("get", TYPES).json()[0]["max_reschedules"] == 3
    response = call("patch", f"{TYPES}/discovery", {"max_reschedules": 0})
    assert response.status_code == 200 and response.json()["max_reschedules"] == 0
    session_type.refresh_from_db()
    assert session_type.max_reschedules == 0
    assert call("patch", f"{TYPES}/discovery", {"max_reschedules": 101}).status_code == 400
