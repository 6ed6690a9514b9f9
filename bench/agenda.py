"""The coach's agenda and week view through gunicorn, among a practice's bookings.

    .venv/bin/python bench/agenda.py [--quick]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/creneau_bench .venv/bin/python bench/agenda.py

Seeds the bench database as bench/run.py does (the demo coach with 10,000 bookings over ±2
years), adds 10 other coaches with 10,000 bookings each in the same table, signs the demo coach
in (a session row, its cookie sent with every request) and measures the median of
`GET /coach/` (today and upcoming), `GET /coach/?tab=past`, a search, and
`GET /coach/week/` for this week, and `GET /api/v1/me/bookings` for this week with an API key.
Target: ≤ 50 ms median each.
"""

import argparse
import sys
import uuid
from datetime import timedelta
from pathlib import Path

# As bench/run.py: the project root first, so that bench/ modules cannot shadow libraries.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import client, environment, server  # noqa: E402
from bench.results import Figure, report, summary_table, timed  # noqa: E402

OTHER_COACHES = 10
TARGET_MS = 50


def _seed_others(world) -> None:
    """10 more coaches, each with 10,000 bookings laid out like the demo coach's."""
    from django.db import connection

    from accounts import tokens
    from accounts.models import Coach, User
    from availability.models import SessionType
    from availability.services import availability_for_coach
    from booking.models import Booking

    demo_rows = list(Booking.objects.filter(coach=world.coach).order_by("pk"))
    for index in range(OTHER_COACHES):
        user = User.objects.create_user(f"other{index}@example.com", "x")
        coach = Coach.objects.create(user=user, slug=f"other-{index}",
                                     display_name=f"Other {index}")
        availability_for_coach(coach=coach)
        kind = SessionType.objects.create(coach=coach, slug="discovery", name="Discovery")
        rows = []
        for row in demo_rows:
            copy = Booking(**{f.attname: getattr(row, f.attname)
                              for f in Booking._meta.concrete_fields if f.attname != "id"})
            copy.coach_id, copy.session_type_id = coach.pk, kind.pk
            copy.uid = uuid.uuid4()
            copy.manage_selector = tokens.new_selector()
            rows.append(copy)
        Booking.objects.bulk_create(rows, batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE booking_booking")


def _session_cookie(world) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    user = world.coach.user
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _api_key(world) -> str:
    from accounts.services import api_key_create

    _key, plaintext = api_key_create(coach=world.coach, name="bench")
    return plaintext


def _api_week(port: int, key: str, n: int, world) -> Figure:
    """`GET /api/v1/me/bookings` for this week of her local dates."""
    monday = world.today - timedelta(days=world.today.weekday())
    path = (f"/api/v1/me/bookings?start={monday.isoformat()}"
            f"&end={(monday + timedelta(days=6)).isoformat()}")
    headers = {"Authorization": f"Bearer {key}"}
    first = client.get(port, path, headers=headers)
    name = f"coach API, one week {path.split('?')[0]}"
    if first.status != 200 or b'"items"' not in first.body:
        return report(Figure(name, text=f"FAILED: {first.brief()}", failed=True))
    samples = timed(lambda: client.get(port, path, headers=headers), n)
    return report(Figure(name, samples, target_ms=TARGET_MS,
                         note=f"{len(first.body) // 1024} KiB"))


def measure(port: int, cookie: str, n: int, world) -> list[Figure]:
    today = world.today
    in_three_weeks = (today + timedelta(days=21)).isoformat()
    paths = [("agenda list (upcoming)", "/coach/"),
             ("agenda list (past)", "/coach/?tab=past"),
             ("agenda search", "/coach/?tab=past&q=martin&status=completed"),
             ("week view (this week)", "/coach/week/"),
             ("week view (in 3 weeks)", f"/coach/week/?week={in_three_weeks}")]
    # The floor under the other figures on this machine, as bench/run.py measures it.
    figures = [report(Figure("healthz /healthz",
                             timed(lambda: client.get(port, "/healthz"), n)))]
    headers = {"Cookie": cookie, "Accept-Language": "fr"}
    for name, path in paths:
        first = client.get(port, path, headers=headers)
        if first.status != 200 or (b"agenda" not in first.body and b"week" not in first.body):
            figures.append(report(Figure(name, text=f"FAILED: {first.brief()}", failed=True)))
            continue
        samples = timed(lambda p=path: client.get(port, p, headers=headers), n)
        figures.append(report(Figure(f"{name} {path}", samples, target_ms=TARGET_MS,
                                     note=f"{len(first.body) // 1024} KiB")))
    return figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/agenda.py", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    env = environment.configure(server.free_port())
    print(f"agenda benchmark — database: {env.database_label}", flush=True)

    import time

    from django.db import connection
    from django.utils import timezone

    from bench import seed
    from booking.models import Booking

    started = time.perf_counter()
    environment.migrate()
    world = seed.seed_world(timezone.now())
    seed.layout_bookings(world)
    _seed_others(world)
    cookie = _session_cookie(world)
    key = _api_key(world)
    print(f"seeded in {time.perf_counter() - started:.0f} s: {Booking.objects.count():,} "
          f"bookings, {Booking.objects.filter(coach=world.coach).count():,} of them the demo "
          f"coach's", flush=True)
    connection.close()
    n = 30 if args.quick else 200
    with server.Gunicorn(env.port, environment.ROOT, environment.RESULTS / "gunicorn.log"):
        figures = measure(env.port, cookie, n, world)
        figures.append(_api_week(env.port, key, n, world))
    print("\n" + summary_table(figures))
    return 1 if any(f.failed or f.verdict == "OVER TARGET" for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
