"""The benchmark's own database and production settings, shared with the gunicorn it starts."""

import io
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_DATABASE_URL = f"sqlite:///{RESULTS / 'bench.sqlite3'}"
# A fixed dummy: production settings refuse short or "dev-only" keys; nothing here is secret.
DUMMY_SECRET_KEY = "bench-only-not-secret-" + "x" * 42


@dataclass(frozen=True)
class Environment:
    database_url: str
    port: int

    @property
    def is_postgresql(self) -> bool:
        return urlsplit(self.database_url).scheme in {"postgres", "postgresql", "pgsql"}

    @property
    def database_label(self) -> str:
        if self.is_postgresql:
            parts = urlsplit(self.database_url)
            return f"PostgreSQL {parts.hostname}:{parts.port or 5432}/{parts.path.lstrip('/')}"
        return f"SQLite {self.database_url.removeprefix('sqlite:///')}"


def configure(port: int) -> Environment:
    """Set the environment for this process and the gunicorn it will start; set Django up."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": DUMMY_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "BOOKING_RATE_LIMITS": "off",
        "DJANGO_DEBUG": "0",
        "SECURE_COOKIES": "0",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on the loopback, no TLS proxy in front
        # No worker runs: booking emails stay queued tasks; should one be sent inline, it
        # lands in a file rather than on an SMTP server.
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(RESULTS / "mail"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    })
    environment = Environment(database_url=database_url, port=port)
    if environment.is_postgresql:
        _create_postgresql_database(database_url)

    import django

    django.setup()
    return environment


def _create_postgresql_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                    [name]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def migrate() -> None:
    """Migrate the bench database; collect static files when they changed (pages need them)."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    sources = [path for folder in settings.STATICFILES_DIRS for path in Path(folder).rglob("*")]
    newest = max((path.stat().st_mtime for path in sources if path.is_file()), default=0)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        call_command("collectstatic", interactive=False, verbosity=0, stdout=io.StringIO())
