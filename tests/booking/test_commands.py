from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.services import coach_rotate_feed_token

pytestmark = pytest.mark.django_db


def feed_url_of(slug: str) -> str:
    out = StringIO()
    call_command("coach_feed_url", slug, stdout=out)
    return out.getvalue()


def test_coach_feed_url_prints_the_absolute_feed_url_on_one_line(client, coach):
    printed = feed_url_of("demo")
    assert printed == f"https://creneau.test/feeds/{coach.feed_token}.ics\n"
    path = printed.strip().removeprefix("https://creneau.test")
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")


def test_coach_feed_url_follows_a_rotation(client, coach):
    before = feed_url_of("demo")
    coach_rotate_feed_token(coach=coach)
    after = feed_url_of("demo")
    assert after != before
    assert client.get(after.strip().removeprefix("https://creneau.test")).status_code == 200
    assert client.get(before.strip().removeprefix("https://creneau.test")).status_code == 404


def test_coach_feed_url_refuses_an_unknown_slug(coach):
    with pytest.raises(CommandError, match="nobody"):
        call_command("coach_feed_url", "nobody")
