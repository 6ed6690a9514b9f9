from datetime import UTC, datetime, time, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from schedule.models import Event

from accounts.models import Coach, User
from availability.models import SessionType
from availability.selectors import session_type_rules, windows_for
from availability.slots import free_slots

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)  # a Monday, 09:00 in Paris


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@time_machine.travel(NOW, tick=False)
def test_seed_demo_creates_the_demo_coach_as_designed():
    output = seed()

    coach = Coach.objects.get(slug="demo")
    assert str(coach.timezone) == "Europe/Paris"
    assert "coach@example.com / demo-coach-2026" in output.splitlines()
    assert coach.user.check_password("demo-coach-2026")
    assert not coach.user.is_staff and not coach.user.is_superuser
    discovery = SessionType.objects.get(coach=coach)
    assert discovery.slug == "discovery" and discovery.is_active
    assert (discovery.duration, discovery.step) == (timedelta(minutes=30),
                                                    timedelta(minutes=30))
    assert (discovery.buffer_before, discovery.buffer_after) == (timedelta(0), timedelta(0))
    assert discovery.daily_cap is None
    assert (discovery.notice, discovery.horizon) == (timedelta(hours=12), timedelta(days=60))
    assert discovery.limit_policy == SessionType.LimitPolicy.ONCE

    monday = datetime(2027, 3, 8, tzinfo=PARIS)
    opened, closed = windows_for(coach=coach, start=monday, end=monday + timedelta(days=7))
    local = [(w.start.astimezone(PARIS), w.end.astimezone(PARIS)) for w in opened]
    assert closed == []
    assert [(s.weekday(), s.time(), e.time()) for s, e in local] == [
        (day, start, end) for day in range(5)
        for start, end in ((time(9), time(12)), (time(14), time(18)))]
    slots = free_slots(windows=opened, rules=session_type_rules(discovery, coach.zone),
                       now=NOW, start=monday, end=monday + timedelta(days=1))
    assert len(slots) == 14


@time_machine.travel(NOW, tick=False)
def test_seed_demo_twice_keeps_one_coach_ten_windows_and_one_type():
    seed()
    second = seed()

    assert Coach.objects.filter(slug="demo").count() == 1
    assert User.objects.filter(email="coach@example.com").count() == 1
    coach = Coach.objects.get(slug="demo")
    assert Event.objects.filter(calendar_id=coach.availability.windows_id).count() == 10
    assert Event.objects.filter(calendar_id=coach.availability.time_off_id).count() == 0
    assert SessionType.objects.filter(coach=coach).count() == 1
    assert "demo-coach-2026" in second


@time_machine.travel(NOW, tick=False)
def test_seed_demo_takes_away_the_rights_an_older_version_gave_the_demo_coach():
    User.objects.create_superuser("coach@example.com", "demo-coach-2026")
    seed()
    user = User.objects.get(email="coach@example.com")
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert user.coach.slug == "demo"


def test_seed_demo_refuses_to_run_under_production_settings(settings):
    settings.SEED_DEMO_ALLOWED = False
    with pytest.raises(CommandError):
        seed()
    assert not Coach.objects.exists()


def test_production_settings_forbid_seed_demo():
    source = (Path(__file__).resolve().parents[2] / "config/settings/production.py").read_text()
    assert "SEED_DEMO_ALLOWED = False" in source


@time_machine.travel(NOW, tick=False)
def test_the_demo_type_speaks_english_to_english_invitees():
    seed()
    discovery = SessionType.objects.get(coach__slug="demo")
    assert discovery.display_name("fr") == "30 min d'entretien personnalisé"
    assert discovery.display_name("en") == "30-minute personal session"
    assert discovery.display_description("en").startswith("A first conversation")
