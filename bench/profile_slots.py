"""Profile `GET /api/v1/coaches/demo/slots` (31 days) in-process, beside `GET /healthz`.

    .venv/bin/python bench/profile_slots.py [-n 300] [--path healthz|slots|both] [--html FILE]
    DATABASE_URL=postgres://…/creneau_profile .venv/bin/python bench/profile_slots.py

Seeds its own database as `bench/run.py` does (`bench/results/profile.sqlite3` by default, so
it never disturbs a bench run), then sends N requests per path straight to `config.wsgi`'s
handler with production settings: the whole middleware stack, URL resolving, ninja and the
selectors, without gunicorn or sockets. Prints each path's median per request, their ratio and a
pyinstrument profile of all N requests (pip install -e '.[dev]' brings pyinstrument).
"""

import argparse
import io
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

PROFILE_DB = "sqlite:///" + str(Path(__file__).resolve().parent / "results" / "profile.sqlite3")


def _environ(path: str, query: str) -> dict:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1",
            "HTTP_ACCEPT_LANGUAGE": "fr", "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL":
            "HTTP/1.1", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http", "wsgi.version": (1, 0), "wsgi.multithread": False,
            "wsgi.multiprocess": True, "wsgi.run_once": False}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=300, help="requests per path (default 300)")
    parser.add_argument("--path", choices=("healthz", "slots", "both"), default="both",
                        help="which path(s) to profile (both are always timed)")
    parser.add_argument("--html", help="also write the slots profile as HTML to this file")
    args = parser.parse_args(argv)

    os.environ.setdefault("DATABASE_URL", PROFILE_DB)
    from bench import environment

    env = environment.configure(8000)
    from django.utils import timezone
    from pyinstrument import Profiler

    from bench import seed

    environment.migrate()
    world = seed.seed_world(timezone.now())
    seed.layout_bookings(world)
    from config.wsgi import application

    first = world.today + timedelta(days=1)
    paths = {
        "healthz": ("/healthz", ""),
        "slots": (f"/api/v1/coaches/{world.coach.slug}/slots",
                  f"type={world.discovery.slug}&start={first}"
                  f"&end={first + timedelta(days=30)}&tz=Europe/Paris"),
    }

    def call(name: str) -> bytes:
        status = []
        body = b"".join(application(_environ(*paths[name]),
                                    lambda s, headers, exc_info=None: status.append(s)))
        if not status[0].startswith("200"):
            raise SystemExit(f"{name}: {status[0]} {body[:300]!r}")
        return body

    for name in paths:  # warm: imports, translations, the windows cache, connections
        for _ in range(20):
            call(name)
    timings: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(args.n):  # side by side, interleaved, so load changes hit both alike
        for name in paths:
            started = time.perf_counter()
            call(name)
            timings[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(samples) * 1000 for name, samples in timings.items()}
    print(f"{env.database_label}, n={args.n} each, load average {os.getloadavg()[0]:.1f}")
    for name, median in medians.items():
        print(f"  {name:8} median {median:.2f} ms")
    print(f"  ratio slots / healthz: {medians['slots'] / medians['healthz']:.2f}")
    print(f"  slots answer: {len(call('slots')):,} bytes")

    for name in (paths if args.path == "both" else [args.path]):
        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(args.n):
            call(name)
        profiler.stop()
        print(f"\n==== {name}: {args.n} requests ====")
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        if args.html and name == "slots":
            Path(args.html).write_text(profiler.output_html())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
