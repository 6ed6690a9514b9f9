"""Gunicorn on 127.0.0.1 for the HTTP benchmarks: started, awaited, stopped by its pid."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench import client

WORKERS = 2


class ServerFailed(RuntimeError):
    """Gunicorn did not come up; the message ends with the last line of its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((client.HOST, 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`with Gunicorn(port, root, log):` serves config.wsgi with `workers` sync workers.

    `env` replaces this process's environment for the server (the fault tests point it at a
    database of their own).
    """

    def __init__(self, port: int, root: Path, log: Path, *, workers: int = WORKERS,
                 env: dict[str, str] | None = None) -> None:
        self.port = port
        self.root = root
        self.log = log
        self.workers = workers
        self.env = env
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        command = [sys.executable, "-m", "gunicorn", "config.wsgi",
                   "--workers", str(self.workers), "--bind", f"{client.HOST}:{self.port}",
                   "--chdir", str(self.root), "--timeout", "180", "--log-level", "warning"]
        with self.log.open("wb") as log:
            # A session of its own, so nothing we send it reaches the benchmark process.
            self.process = subprocess.Popen(command, cwd=self.root,
                                            env=self.env or os.environ.copy(),
                                            stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerFailed(f"gunicorn exited with {self.process.returncode}: "
                                   f"{self._last_error()} (see {self.log})")
            try:
                answer = client.get(self.port, "/healthz", timeout=5)
                if answer.status == 200:
                    return
                last = answer.brief()
            except OSError as exc:
                last = str(exc)
            time.sleep(0.2)
        raise ServerFailed(f"gunicorn did not answer /healthz in {timeout:.0f} s: {last}")

    def _last_error(self) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        errors = [line for line in lines if "Error" in line and not line.startswith("[")]
        return (errors or lines or ["no log"])[-1].strip()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # SIGTERM to the master (by its pid) stops its workers gracefully.
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
