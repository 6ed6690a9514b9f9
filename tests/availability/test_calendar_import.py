"""The pure expansion: iCalendar bytes, the coach's zone and a window in, UTC busy spans out."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from availability.calendar_fetch import CalendarError
from availability.calendar_import import MAX_OCCURRENCES, busy_times, merge
from tests.availability.calendar_server import CALENDARS

PARIS = ZoneInfo("Europe/Paris")
EASTERN = ZoneInfo("America/New_York")


def local(*args, zone=PARIS) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)


def busy(name: str, start: datetime, days: float, zone=PARIS) -> list[tuple[datetime, datetime]]:
    return busy_times((CALENDARS / name).read_bytes(), zone=zone, start=start,
                      end=start + timedelta(days=days))


def test_weekly_series_keeps_local_time_across_dst_with_exdate_moved_and_cancelled():
    spans = busy("weekly_series.ics", local(2027, 3, 22), 30)
    assert spans == [
        (local(2027, 3, 23, 10), local(2027, 3, 23, 11)),
        (local(2027, 3, 25), local(2027, 3, 26)),  # the all-day event, a whole local day
        # 30 March is an EXDATE; the Tuesday after the change is still 10:00 local:
        (local(2027, 3, 29, 16), local(2027, 3, 29, 17)),  # floating: read in Paris
        (local(2027, 4, 7, 15), local(2027, 4, 7, 16)),  # 6 April moved to 7 April 15:00
        # 13 April is cancelled by its override; 20 April is the last of COUNT=7:
        (local(2027, 4, 20, 10), local(2027, 4, 20, 11)),
    ]
    assert spans[-1][0] == datetime(2027, 4, 20, 8, tzinfo=UTC)  # CEST, not 09:00 UTC


def test_transparent_and_cancelled_events_block_nothing():
    spans = busy("weekly_series.ics", local(2027, 3, 26), 1)
    assert spans == []


def test_floating_times_are_read_in_the_coach_zone():
    spans = busy("weekly_series.ics", local(2027, 3, 29), 1, zone=EASTERN)
    assert spans == [(local(2027, 3, 29, 16, zone=EASTERN), local(2027, 3, 29, 17, zone=EASTERN))]


def test_all_day_events_cover_the_local_day_of_the_coach():
    spans = busy("weekly_series.ics", local(2027, 3, 24, 12, zone=EASTERN), 1, zone=EASTERN)
    assert (local(2027, 3, 25, zone=EASTERN), local(2027, 3, 26, zone=EASTERN)) in spans


def test_x_wr_timezone_keeps_google_utc_series_at_local_time_after_the_change():
    spans = busy("xwr_utc.ics", local(2027, 3, 15), 30)
    # Written as 09:00Z (10:00 in winter); after 28 March it stays 10:00 Paris = 08:00Z.
    assert spans == [(local(2027, 3, day, 10), local(2027, 3, day, 11)) for day in (17, 24, 31)] \
        + [(local(2027, 4, 7, 10), local(2027, 4, 7, 11))]


def test_google_all_day_series_with_exdate():
    spans = busy("google_all_day_exdate.ics", local(2008, 3, 1), 30)
    # Daily 3–23 March 2008 (both copies merge), without 11 March.
    assert spans == [(local(2008, 3, 3), local(2008, 3, 11)),
                     (local(2008, 3, 12), local(2008, 3, 24))]


def test_exchange_series_with_blanks_in_byday_and_a_custom_zone_name():
    spans = busy("exchange_daily_standup.ics", local(2015, 7, 13), 14)
    days = [13, 14, 15, 16, 17, 20, 21, 22]  # weekdays until UNTIL=20150722T080000Z
    assert spans == [(local(2015, 7, d, 10), local(2015, 7, d, 10, 30)) for d in days]


def test_rfc_example_with_rdate_period_and_moved_occurrence():
    spans = busy("rfc7265_moved_occurrence.ics", local(2006, 1, 1), 10, zone=EASTERN)
    e = EASTERN
    assert spans == [
        (local(2006, 1, 2, 12, zone=e), local(2006, 1, 2, 13, zone=e)),
        (local(2006, 1, 2, 15, zone=e), local(2006, 1, 2, 17, zone=e)),  # RDATE PERIOD PT2H
        (local(2006, 1, 3, 12, zone=e), local(2006, 1, 3, 13, zone=e)),
        (local(2006, 1, 4, 14, zone=e), local(2006, 1, 4, 15, zone=e)),  # moved 12:00 → 14:00
        (local(2006, 1, 5, 12, zone=e), local(2006, 1, 5, 13, zone=e)),
        (local(2006, 1, 6, 12, zone=e), local(2006, 1, 6, 13, zone=e)),
    ]


def test_only_spans_overlapping_the_window_are_kept():
    spans = busy("google_weekdays_zurich.ics", local(2027, 3, 24, 14, 15), 0.5)
    assert spans == [(local(2027, 3, 24, 14), local(2027, 3, 24, 14, 30))]


def test_overlapping_and_touching_spans_are_merged():
    t = datetime(2027, 1, 1, tzinfo=UTC)
    h = timedelta(hours=1)
    assert merge([(t + 3 * h, t + 4 * h), (t, t + h), (t + h, t + 2 * h),
                  (t + 3 * h, t + 5 * h)]) == [(t, t + 2 * h), (t + 3 * h, t + 5 * h)]


@pytest.mark.parametrize("data", [b"<html>nope</html>", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n",
                                  b"\x00\x01\x02"])
def test_what_is_not_icalendar_is_refused_with_a_message(data):
    with pytest.raises(CalendarError) as caught:
        busy_times(data, zone=PARIS, start=local(2027, 1, 1), end=local(2027, 2, 1))
    assert caught.value.code == "unreadable"
    assert "iCalendar" in caught.value.text()


def test_a_calendar_expanding_past_the_cap_is_refused():
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:{n}\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270101T000000Z\r\n"
        f"DTEND:20270101T000100Z\r\nRRULE:FREQ=HOURLY\r\nEND:VEVENT\r\n"
        for n in range(MAX_OCCURRENCES // (24 * 30) + 1))
    data = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n{events}END:VCALENDAR\r\n".encode()
    with pytest.raises(CalendarError) as caught:
        busy_times(data, zone=PARIS, start=local(2027, 1, 1), end=local(2027, 2, 1))
    assert caught.value.code == "too_many_events"


def test_prefilter_drops_far_one_off_events_without_changing_the_result(monkeypatch):
    from availability import calendar_import
    from bench.calendar_import import generate

    now = datetime(2027, 3, 22, 6, tzinfo=UTC)
    data, _events = generate(now)
    start, end = now - timedelta(days=1), now + timedelta(days=67)
    filtered = calendar_import.prefilter(data, start, end)
    assert filtered.count(b"BEGIN:VEVENT") < data.count(b"BEGIN:VEVENT") / 3
    fast = busy_times(data, zone=PARIS, start=start, end=end)
    monkeypatch.setattr(calendar_import, "prefilter", lambda data, start, end: data)
    assert busy_times(data, zone=PARIS, start=start, end=end) == fast
    assert len(fast) > 100
