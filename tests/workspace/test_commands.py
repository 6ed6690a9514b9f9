"""coach_create and coach_api_key, as the README's operator runs them."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from accounts.models import ApiKey, Coach
from accounts.selectors import coach_by_api_key
from availability.models import SessionType
from availability.selectors import availability_events
from tests.factories import CoachFactory

pytestmark = pytest.mark.django_db


def run(*args, stdin: str | None = None, monkeypatch=None) -> str:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_coach_create_makes_a_coach_with_discovery_and_a_password_link(client):
    output = run("coach_create", "Lea@Example.com", "--name", "Léa Roux", "--slug", "lea",
                 "--zone", "America/Montreal", "--language", "en")
    coach = Coach.objects.get(slug="lea")
    user = coach.user
    assert (user.email, user.is_staff, user.is_superuser) == ("lea@example.com", False, False)
    assert not user.has_usable_password()
    # America/Montreal is a legacy link of the zone database: stored as its canonical zone.
    assert (str(coach.timezone), coach.language, coach.display_name) == (
        "America/Toronto", "en", "Léa Roux")
    discovery = SessionType.objects.get(coach=coach)
    assert discovery.slug == "discovery" and discovery.duration == timedelta(minutes=30)
    assert discovery.limit_policy == SessionType.LimitPolicy.ONCE
    assert list(availability_events(availability=coach.availability)) == []
    assert "https://creneau.test/coach/" in output
    link = re.search(r"https://creneau\.test(/accounts/password/reset/key/\S+)", output)
    assert link, output

    # The link is allauth's own: it opens the set-password form, which signs her in later.
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200 and b'name="password1"' in page.content
    done = client.post(page.redirect_chain[-1][0] if page.redirect_chain else link.group(1),
                       {"password1": "Une phrase assez longue", "password2":
                        "Une phrase assez longue"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Une phrase assez longue")


def test_coach_create_reads_the_password_from_stdin(monkeypatch):
    output = run("coach_create", "max@example.com", "--name", "Max", "--slug", "max",
                 "--password-stdin", stdin="Une phrase assez longue\n", monkeypatch=monkeypatch)
    assert Coach.objects.get(slug="max").user.check_password("Une phrase assez longue")
    assert "password/reset" not in output
    assert "https://creneau.test/coach/" in output


def test_coach_create_refuses_a_weak_password_from_stdin(monkeypatch):
    with pytest.raises(CommandError):
        run("coach_create", "max@example.com", "--name", "Max", "--slug", "max",
            "--password-stdin", stdin="123\n", monkeypatch=monkeypatch)
    assert not Coach.objects.exists()


@pytest.mark.parametrize("args,message", [
    (["taken@example.com", "--slug", "new"], "email"),
    (["TAKEN@example.com", "--slug", "new"], "email"),
    (["new@example.com", "--slug", "taken"], "slug"),
    (["new@example.com", "--slug", "admin"], "reserved"),
    (["new@example.com", "--slug", "a b"], "slug"),
    (["new@example.com", "--slug", "new", "--zone", "Mars/Olympus"], "zone"),
    (["not-an-email", "--slug", "new"], "email"),
])
def test_coach_create_refuses_clearly(args, message):
    CoachFactory(slug="taken", user__email="taken@example.com")
    with pytest.raises(CommandError) as info:
        run("coach_create", *args, "--name", "New")
    assert message in str(info.value).lower()
    assert Coach.objects.count() == 1


def test_coach_api_key_prints_a_working_key_once():
    coach = CoachFactory(slug="lea")
    output = run("coach_api_key", "lea", "--name", "backup script").strip()
    assert coach_by_api_key(key=output) == coach
    stored = ApiKey.objects.get(coach=coach)
    assert stored.name == "backup script"
    assert output not in (stored.secret_hash, stored.prefix)
    assert output.startswith("crn_") and stored.prefix in output


def test_coach_api_key_for_an_unknown_coach_fails():
    with pytest.raises(CommandError):
        run("coach_api_key", "nobody")
