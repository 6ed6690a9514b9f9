from tests.support.pgcluster import pg_cluster  # noqa: F401  (a fixture)
