"""Seed the bench database, run the selected benchmarks, print and save the summary."""

import argparse
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bench import environment, server
from bench.results import Figure, report, summary_table

if TYPE_CHECKING:  # both import Django models, which exist only after configure()
    from bench.seed import World
    from bench.suites import Context

SUITES = ("engine", "slots", "slots_busy", "booking", "concurrent", "feed", "pages")
# HTTP benchmarks in the order they run: reads before the writes that would eat free slots;
# the feed last, since it lays the bookings out again.
HTTP_ORDER = ("slots", "slots_busy", "pages", "booking", "concurrent", "feed")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer iterations, 10 s of load")
    parser.add_argument("--only", default="",
                        help=f"comma-separated subset of: {','.join(SUITES)}")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(SUITES))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(SUITES)}")
    args.selected = chosen or list(SUITES)
    return args


def _guarded(name: str, run: Callable[[], list[Figure]]) -> list[Figure]:
    """A suite's figures; a missing endpoint or a crash becomes a line, not an abort."""
    from bench.suites import EndpointMissing

    try:
        return run()
    except EndpointMissing as exc:
        return [report(Figure(name, text=f"not measured: endpoint missing ({exc})"))]
    except Exception as exc:
        traceback.print_exc()
        return [report(Figure(name, text=f"not measured: {type(exc).__name__}: {exc}",
                              failed=True))]


def _header(env: environment.Environment, args: argparse.Namespace) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=environment.ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    return "\n".join([
        f"Créneau benchmarks — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit or '?'} "
        "(plus the working tree)",
        f"database: {env.database_label}",
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, gunicorn "
        f"{server.WORKERS} sync workers on 127.0.0.1:{env.port}, settings "
        f"config.settings.production",
        f"command: {' '.join([os.path.relpath(sys.argv[0], environment.ROOT), *sys.argv[1:]])}"
        + (" (quick)" if args.quick else ""),
    ])


def _load() -> str:
    """The 1-minute load average: on a shared machine it says how far to trust the figures."""
    return f"{os.getloadavg()[0]:.1f}"


def _seed(world_now: datetime) -> tuple["World", int]:
    from bench import seed

    started = time.perf_counter()
    environment.migrate()
    world = seed.seed_world(world_now)
    in_feed = seed.layout_bookings(world)
    print(f"seeded in {time.perf_counter() - started:.1f} s: demo coach, 10 weekly windows, "
          f"{seed.TIME_OFF_PERIODS} time-off periods, {seed.BUSY_INTERVALS} imported busy "
          f"intervals, {seed.BOOKINGS:,} bookings over ±2 years ({in_feed:,} in the feed "
          "window)", flush=True)
    return world, in_feed


def _http_runs(ctx: "Context", in_feed: int) -> dict[str, Callable[[], list[Figure]]]:
    from bench import load, seed, suites

    def feed_both() -> list[Figure]:
        seed.remove_bench_bookings(ctx.world)
        out = suites.feed(ctx, label="±2 y", events=in_feed)
        packed = seed.layout_bookings(ctx.world, in_feed_window=True)
        return out + suites.feed(ctx, label="all 10k in window", events=packed)

    return {"health": lambda: suites.health(ctx), "slots": lambda: suites.slots(ctx),
            "slots_busy": lambda: suites.slots_busy(ctx),
            "pages": lambda: suites.pages(ctx), "booking": lambda: suites.booking(ctx),
            "concurrent": lambda: load.concurrent(ctx), "feed": feed_both}


def _run_http(env: environment.Environment, names: list[str],
              runs: dict[str, Callable[[], list[Figure]]]) -> list[Figure]:
    from django.db import connection

    # Every HTTP run starts with the baseline the other figures stand on.
    names = ["health", *names]
    connection.close()
    figures: list[Figure] = []
    try:
        with server.Gunicorn(env.port, environment.ROOT, environment.RESULTS / "gunicorn.log"):
            for name in names:
                figures += _guarded(name, runs[name])
    except server.ServerFailed as exc:
        figures += [report(Figure(name, text=f"not measured: {exc}", failed=True))
                    for name in names]
    return figures


def main(argv: list[str]) -> int:
    args = parse(argv)
    env = environment.configure(server.free_port())
    header = _header(env, args)
    print(header, flush=True)

    from django.utils import timezone

    from bench import suites

    started = time.perf_counter()
    load_before = _load()
    world, in_feed = _seed(timezone.now())
    ctx = suites.Context(world=world, port=env.port, quick=args.quick)
    figures: list[Figure] = []
    if "engine" in args.selected:
        figures += _guarded("slot engine", lambda: suites.engine(ctx))
    http = [name for name in HTTP_ORDER if name in args.selected]
    if "concurrent" in http and not env.is_postgresql:
        http.remove("concurrent")
        figures.append(report(Figure("concurrent bookings", short="skipped",
                                     text="skipped: needs PostgreSQL (DATABASE_URL=postgres://…)")))
    if http:
        figures += _run_http(env, http, _http_runs(ctx, in_feed))

    table = summary_table(figures)
    total = (f"total {time.perf_counter() - started:.0f} s; load average at the start "
             f"{load_before}, at the end {_load()}")
    print(f"\nSummary ({total})\n{table}")
    (environment.RESULTS / "latest.txt").write_text(f"{header}\n{total}\n\n{table}\n\n"
                                                    + "\n".join(f.line() for f in figures)
                                                    + "\n")
    return 1 if any(figure.failed for figure in figures) else 0
