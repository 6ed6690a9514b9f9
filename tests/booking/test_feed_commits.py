"""The feed's validators follow commits: a booking written before another but committed after
it still reaches calendar apps that poll with If-None-Match or If-Modified-Since."""

import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction

from booking.invites import booking_uid
from tests.support.feed import NOW, PARIS, events_of, feed_url, make

pytestmark = pytest.mark.django_db(transaction=True)

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _polled(client, coach) -> tuple[str, str]:
    answer = client.get(feed_url(coach))
    assert answer.status_code == 200
    return answer["ETag"], answer["Last-Modified"]


def test_a_write_stamped_first_but_committed_last_changes_the_validators(client, session_type):
    coach = session_type.coach
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False) as clock:
        later = make(session_type, datetime(2027, 3, 3, 10, tzinfo=PARIS), 1)
        etag, last_modified = _polled(client, coach)

        # Stamped at +5 min (another server's clock, or a transaction that began earlier)...
        clock.move_to(NOW + timedelta(minutes=5))
        with transaction.atomic():
            earlier = make(session_type, datetime(2027, 3, 3, 14, tzinfo=PARIS), 2)
            clock.move_to(NOW + timedelta(minutes=15))  # ...committed at +15 min
        assert earlier.updated_at < later.updated_at

        by_etag = client.get(feed_url(coach), headers={"if-none-match": etag})
        by_date = client.get(feed_url(coach), headers={"if-modified-since": last_modified})
    assert by_etag.status_code == 200 and by_etag["ETag"] != etag
    assert booking_uid(earlier.uid) in events_of(by_etag.content)
    assert by_date.status_code == 200


@pytest.mark.skipif(not ON_POSTGRESQL, reason="SQLite lets one writer at a time: the second "
                    "write waits for the first to commit, so commits follow the stamps")
@pytest.mark.serial
def test_two_real_transactions_committing_out_of_order_still_reach_the_feed(client,
                                                                           session_type):
    coach = session_type.coach
    stamped, commit = threading.Event(), threading.Event()
    written = {}

    def first_writer() -> None:
        try:
            with transaction.atomic():
                written["first"] = make(session_type, datetime(2027, 3, 3, 14, tzinfo=PARIS), 1)
                stamped.set()
                assert commit.wait(timeout=30)
        finally:
            stamped.set()
            connection.close()

    thread = threading.Thread(target=first_writer)
    thread.start()
    assert stamped.wait(timeout=30)
    make(session_type, datetime(2027, 3, 3, 10, tzinfo=PARIS), 2)  # stamped later, committed
    etag, _ = _polled(client, coach)
    commit.set()
    thread.join(timeout=30)

    again = client.get(feed_url(coach), headers={"if-none-match": etag})
    assert again.status_code == 200 and again["ETag"] != etag
    assert booking_uid(written["first"].uid) in events_of(again.content)
