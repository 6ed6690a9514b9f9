import pytest

from tests.factories import CoachFactory, SessionTypeFactory, add_weekday_windows
from tests.support.caches import clear_caches

# Tests that start threads against one database or drive Chromium through a live server run
# one after another on a single xdist worker (`--dist loadgroup`): one browser, not one per
# worker, and no two thread races at once.
SERIAL_MARKERS = ("browser", "serial")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(name) for name in SERIAL_MARKERS):
            item.add_marker(pytest.mark.xdist_group("serial"))


@pytest.fixture(autouse=True)
def _clear_cache():
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def coach(db):
    coach = CoachFactory(slug="demo", display_name="Claire Martin")
    add_weekday_windows(coach)
    return coach


@pytest.fixture
def session_type(coach):
    return SessionTypeFactory(coach=coach)
