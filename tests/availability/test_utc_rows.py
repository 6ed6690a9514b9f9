from datetime import UTC, datetime, timedelta

import pytest

from availability.models import BusyInterval
from availability.selectors import busy_intervals_for, utc_rows
from tests.factories import CoachFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("start", [
    datetime(2027, 3, 28, 0, 59, 59, 999999, tzinfo=UTC),  # a microsecond before Paris springs
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, 1, tzinfo=UTC),  # before the epoch
    datetime(2999, 12, 31, 23, 30, 0, 123456, tzinfo=UTC),
])
def test_fast_rows_are_the_stored_instants_to_the_microsecond(start):
    coach = CoachFactory()
    BusyInterval.objects.create(coach=coach, start=start, end=start + timedelta(minutes=30))
    rows = utc_rows(BusyInterval.objects.filter(coach=coach), "start", "end")
    assert rows == [(start, start + timedelta(minutes=30))]
    assert all(value.utcoffset() == timedelta(0) for value in rows[0])


def test_busy_intervals_come_back_sorted_and_exact():
    coach = CoachFactory()
    base = datetime(2027, 3, 1, 9, 0, 0, 1, tzinfo=UTC)
    for hours in (5, 1, 3):
        BusyInterval.objects.create(coach=coach, start=base + timedelta(hours=hours),
                                    end=base + timedelta(hours=hours, minutes=45))
    found = busy_intervals_for(coach=coach, start=base, end=base + timedelta(days=1))
    assert [i.start for i in found] == [base + timedelta(hours=h) for h in (1, 3, 5)]
