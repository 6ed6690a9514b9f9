"""Busy-time import: parse + expand + store a 5,000-event calendar for one coach (≤ 2 s).

    .venv/bin/python bench/calendar_import.py [--runs 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/creneau_bench \
        .venv/bin/python bench/calendar_import.py

The calendar is generated from a fixed seed: 200 weekly series started a year ago (every 5th
with two EXDATEs inside the window, every 4th with a moved occurrence), 4,600 one-off events
spread over two years around now (some all-day, some transparent or cancelled), Europe/Paris
VTIMEZONE. It is expanded over the coach's horizon (60 days) plus the 7-day margin and stored
as her busy intervals, replacing the previous set, as a refresh does.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
SERIES = 200
EVENTS = 5_000
VTIMEZONE = """BEGIN:VTIMEZONE\r
TZID:Europe/Paris\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
DTSTART:19700329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
DTSTART:19701025T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
END:STANDARD\r
END:VTIMEZONE\r
"""


def _local(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y%m%dT%H%M%S")


def _event(uid: str, start: datetime, minutes: int, extra: str = "") -> str:
    return (f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Private\r\n"
            f"DTSTART;TZID=Europe/Paris:{_local(start)}\r\n"
            f"DTEND;TZID=Europe/Paris:{_local(start + timedelta(minutes=minutes))}\r\n"
            f"{extra}END:VEVENT\r\n")


def _series(rng: random.Random, n: int, now: datetime) -> list[str]:
    first = (now - timedelta(days=365 - rng.randrange(7))).astimezone(PARIS).replace(
        hour=rng.randrange(8, 19), minute=rng.choice([0, 30]), second=0, microsecond=0)
    weeks_to_now = (now - first).days // 7 + 1
    extra = "RRULE:FREQ=WEEKLY\r\n"
    if n % 5 == 0:
        skipped = [first + timedelta(weeks=weeks_to_now + k) for k in (1, 3)]
        extra += "".join(f"EXDATE;TZID=Europe/Paris:{_local(d)}\r\n" for d in skipped)
    events = [_event(f"series-{n}", first, rng.choice([30, 60, 90]), extra)]
    if n % 4 == 0:
        moved = first + timedelta(weeks=weeks_to_now + 2)
        events.append(_event(f"series-{n}", moved + timedelta(hours=2), 60,
                             f"RECURRENCE-ID;TZID=Europe/Paris:{_local(moved)}\r\n"))
    return events


def _one_off(rng: random.Random, n: int, now: datetime) -> str:
    start = (now + timedelta(minutes=30 * rng.randrange(-17_520, 17_520)))
    kind = n % 20
    if kind == 0:
        day = start.astimezone(PARIS).date()
        return (f"BEGIN:VEVENT\r\nUID:day-{n}\r\nDTSTAMP:20260101T000000Z\r\n"
                f"DTSTART;VALUE=DATE:{day:%Y%m%d}\r\n"
                f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}\r\nEND:VEVENT\r\n")
    extra = {1: "TRANSP:TRANSPARENT\r\n", 2: "STATUS:CANCELLED\r\n"}.get(kind, "")
    return _event(f"event-{n}", start, rng.choice([30, 45, 60, 120]), extra)


def generate(now: datetime, seed: int = 20270322) -> tuple[bytes, int]:
    rng = random.Random(seed)
    events: list[str] = []
    for n in range(SERIES):
        events += _series(rng, n, now)
    events += [_one_off(rng, n, now) for n in range(EVENTS - len(events))]
    body = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Creneau bench//EN\r\n" + VTIMEZONE
            + "".join(events) + "END:VCALENDAR\r\n")
    return body.encode(), len(events)


def _coach():
    from accounts.models import Coach, User
    from availability.models import ExternalCalendar, SessionType

    user, _created = User.objects.get_or_create(email="bench-import@example.com")
    coach, _created = Coach.objects.get_or_create(
        user=user, defaults={"slug": "bench-import", "display_name": "Bench import",
                             "timezone": "Europe/Paris"})
    SessionType.objects.get_or_create(coach=coach, slug="discovery",
                                      defaults={"name": "Discovery"})
    calendar, _created = ExternalCalendar.objects.get_or_create(
        coach=coach, name="Bench", defaults={"url": "https://calendar.example.org/a.ics"})
    return calendar


def measure(runs: int) -> None:
    from django.db import transaction

    from availability.calendar_import import busy_times
    from availability.calendar_sync import (
        COVERAGE_MARGIN,
        LOOK_BACK,
        Outcome,
        apply_outcome,
        horizon_for,
    )
    from availability.models import BusyInterval

    now = datetime.now(UTC)
    data, events = generate(now)
    calendar = _coach()
    until = now + horizon_for(calendar) + COVERAGE_MARGIN
    expand, store, total = [], [], []
    for _run in range(runs):
        began = time.perf_counter()
        spans = busy_times(data, zone=PARIS, start=now - LOOK_BACK, end=until)
        expanded = time.perf_counter()
        with transaction.atomic():
            apply_outcome(calendar, Outcome(busy=spans, until=until), now=now)
        done = time.perf_counter()
        expand.append(expanded - began)
        store.append(done - expanded)
        total.append(done - began)
    stored = BusyInterval.objects.filter(source=calendar).count()
    print(f"calendar: {events} events ({SERIES} weekly series), {len(data) / 1024:.0f} KiB; "
          f"window {horizon_for(calendar).days} + {COVERAGE_MARGIN.days} days; "
          f"{stored} merged busy intervals stored")
    for label, values in (("parse+expand", expand), ("store", store), ("total", total)):
        print(f"{label:>13}: median {statistics.median(values) * 1000:7.0f} ms  "
              f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f}, {runs} runs)")
    print(f"target total ≤ 2000 ms: {'met' if statistics.median(total) <= 2 else 'MISSED'}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    from bench.environment import configure

    environment = configure(port=0)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"database: {environment.database_label}")
    measure(args.runs)
    return 0


if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
    raise SystemExit(main(sys.argv[1:]))
