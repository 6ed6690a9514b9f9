"""A throwaway PostgreSQL cluster of the test's own, for faults that stop or restart the server.

The shared server other runs use (127.0.0.1:5432) is never touched: the cluster is made by
`initdb` in a temporary directory once per session, served on a free loopback port with its
socket in that directory, and removed at the end. `pg_cluster` hands it to a test, running;
`site_database` adds a copy of a database migrated and seeded (`seed_demo`) once.

`initdb` refuses to run as root, so as root (CI) every PostgreSQL command runs as the
`postgres` system user through `runuser`; anyone else runs them as themselves. The fixtures
skip only when the server binaries (or, as root, that user) are missing.
"""

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.ports import free_port

# Debian's layout; PG_BIN points elsewhere (e.g. /usr/local/pgsql/bin).
CANDIDATE_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
SYSTEM_USER = "postgres"
TIMEOUT = 60


def _bin_dir() -> Path | None:
    configured = os.environ.get("PG_BIN")
    candidates = [Path(configured)] if configured else CANDIDATE_BIN_DIRS
    found = [d for d in candidates if (d / "initdb").exists() and (d / "pg_ctl").exists()]
    return found[0] if found else None


@dataclass
class PgCluster:
    """A stopped-or-running cluster: start(), stop(), restart(), and its database URL."""

    bin_dir: Path
    data: Path
    port: int
    as_root: bool

    def url(self, database: str = "postgres") -> str:
        return f"postgres://{SYSTEM_USER}@127.0.0.1:{self.port}/{database}"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin_dir / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", SYSTEM_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)} failed ({done.returncode}): "
                               f"{done.stdout}{done.stderr}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data / "db"), "-U", SYSTEM_USER, "--auth=trust",
                  "--no-sync", "-E", "UTF8", "--locale=C")

    def start(self) -> None:
        # fsync off: the cluster is thrown away; a stop is a clean shutdown all the same.
        options = (f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=60")
        self._run("pg_ctl", "-D", str(self.data / "db"), "-o", options,
                  "-l", str(self.data / "server.log"), "-w", "-t", str(TIMEOUT), "start")

    def stop(self) -> None:
        """A fast shutdown: open sessions are cut, their transactions rolled back."""
        self._run("pg_ctl", "-D", str(self.data / "db"), "-m", "fast", "-w",
                  "-t", str(TIMEOUT), "stop")

    def is_running(self) -> bool:
        return (self.data / "db" / "postmaster.pid").exists()

    def create_database(self, name: str) -> str:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def log(self) -> str:
        path = self.data / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _cluster_user() -> tuple[bool, pwd.struct_passwd | None]:
    try:
        user = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        user = None
    return os.geteuid() == 0, user


@pytest.fixture(scope="session")
def _pg_server() -> Iterator[PgCluster]:
    """One cluster for the session (initdb costs seconds); tests get it through pg_cluster."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found; "
                    "install postgresql or set PG_BIN")
    as_root, user = _cluster_user()
    if as_root and (user is None or shutil.which("runuser") is None):
        pytest.skip("running as root, but no `postgres` user or `runuser` to run initdb as")
    # Not under pytest's tmp_path: as root, that directory is closed to the postgres user.
    data = Path(tempfile.mkdtemp(prefix="creneau-pg-"))
    if as_root:
        os.chown(data, user.pw_uid, user.pw_gid)
    cluster = PgCluster(bin_dir=bin_dir, data=data, port=free_port(), as_root=as_root)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        try:
            if cluster.is_running():
                cluster.stop()
        finally:
            shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def pg_cluster(_pg_server: PgCluster) -> PgCluster:
    """The throwaway cluster, running when the test starts; the test may stop and start it."""
    if not _pg_server.is_running():  # a test before this one failed while it was stopped
        _pg_server.start()
    return _pg_server


@pytest.fixture(scope="session")
def _site_template(_pg_server: PgCluster) -> str:
    """A database migrated and seeded once (seed_demo), copied for each test that wants one."""
    from tests.support.site_process import migrate_and_seed, site_env

    name = "creneau_template"
    migrate_and_seed(site_env(_pg_server.create_database(name)))
    return name


@pytest.fixture
def site_database(pg_cluster: PgCluster, _site_template: str) -> str:
    """The URL of a fresh copy of the migrated, seeded database on the throwaway cluster."""
    import psycopg
    from psycopg import sql

    name = f"creneau_{secrets.token_hex(4)}"
    with psycopg.connect(pg_cluster.url(), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(_site_template)))
    return pg_cluster.url(name)
