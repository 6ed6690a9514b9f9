# Fixtures of the throwaway PostgreSQL cluster (tests/support/pgcluster.py).
from tests.support.pgcluster import _pg_server, _site_template, pg_cluster, site_database  # noqa: F401
