import pytest
from django.core.cache import cache

from tests.factories import CoachFactory, SessionTypeFactory, add_weekday_windows


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def coach(db):
    coach = CoachFactory(slug="demo", display_name="Claire Martin")
    add_weekday_windows(coach)
    return coach


@pytest.fixture
def session_type(coach):
    return SessionTypeFactory(coach=coach)
