"""The site in processes of its own (manage.py commands, gunicorn) against a given database."""

import os
import subprocess
import sys
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
