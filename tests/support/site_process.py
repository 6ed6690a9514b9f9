"""The site in processes of its own (manage.py commands, gunicorn) against a given database."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 300


def site_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a child process serving the test settings on `database_url`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "BOOKING_RATE_LIMITS": "off",
        "LOG_LEVEL": "WARNING",
        **extra,
    })
    return env


def manage(env: dict[str, str], *args: str, timeout: float = TIMEOUT) -> str:
    """Run `manage.py ARGS` in a child process; its output, or an error carrying it."""
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")
    return done.stdout


def migrate_and_seed(env: dict[str, str]) -> None:
    """Migrate the database and seed the demo coach (slug `demo`, type `discovery`)."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo")


class WorkerProcess:
    """`with WorkerProcess(env, log) as worker:` runs `manage.py db_worker` until the end."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "WorkerProcess":
        command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*",
                   "--no-startup-delay", "--interval", "0.2"]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # by its pid: the worker ends its task first
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, text: str, timeout: float = 30) -> None:
        """Poll the worker's log until `text` appears (or fail, showing the log)."""
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"the worker never logged {text!r}:\n{self.output()}")
            time.sleep(0.1)
