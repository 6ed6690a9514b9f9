import pytest
from django.contrib.auth import get_user_model

from accounts import tokens
from accounts.selectors import coach_by_feed_token
from accounts.services import coach_rotate_feed_token
from tests.factories import CoachFactory

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_is_normalised():
    user = get_user_model().objects.create_user("Claire@Example.COM", "s3cret-pass")
    assert user.email == "claire@example.com"
    assert get_user_model().USERNAME_FIELD == "email"
    assert not hasattr(user, "username") or user.username is None


def test_login_page_is_french_by_default_and_logs_in_by_email(client):
    get_user_model().objects.create_user("coach@example.com", "s3cret-pass")
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "Connexion" in page.content.decode()
    response = client.post("/accounts/login/", {"login": "coach@example.com",
                                                "password": "s3cret-pass"})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_public_signup_is_closed(client):
    response = client.post("/accounts/signup/", {"email": "x@example.com",
                                                 "password1": "Long-pass-123",
                                                 "password2": "Long-pass-123"})
    assert not get_user_model().objects.filter(email="x@example.com").exists()
    assert response.status_code in {200, 403}


def test_feed_token_carries_128_bits_of_secret():
    coach = CoachFactory()
    assert len(coach.feed_secret) == tokens.SECRET_LENGTH == 22  # 16 random bytes
    assert coach_by_feed_token(token=coach.feed_token) == coach


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # right selector, wrong secret
    lambda t: "x" * len(t),  # unknown selector
    lambda t: t + "x",  # wrong length
    lambda t: "",
    lambda t: t[:12] + "é" * 22,  # not ASCII
])
def test_wrong_feed_tokens_find_nothing(mangle):
    coach = CoachFactory()
    assert coach_by_feed_token(token=mangle(coach.feed_token)) is None


def test_rotating_the_feed_token_retires_the_old_one():
    coach = CoachFactory()
    old = coach.feed_token
    coach_rotate_feed_token(coach=coach)
    assert coach_by_feed_token(token=old) is None
    assert coach_by_feed_token(token=coach.feed_token) == coach


@pytest.mark.parametrize("slug", ["b", "feeds", "api", "admin", "Accounts", "static"])
def test_coach_slugs_that_routes_would_hide_are_refused(slug):
    from django.core.exceptions import ValidationError

    coach = CoachFactory.build(slug=slug)
    with pytest.raises(ValidationError) as info:
        coach.full_clean(exclude=["user"])
    assert "slug" in info.value.message_dict


def test_tokens_with_bytes_outside_the_urlsafe_alphabet_never_reach_the_database(
        django_assert_num_queries):
    coach = CoachFactory()
    token = coach.feed_token
    for bad in [token[:5] + "\x00" + token[6:], token[:-1] + "\n", token[:-1] + "+"]:
        with django_assert_num_queries(0):
            assert coach_by_feed_token(token=bad) is None
