"""Transaction-scoped locks on a name, for checks the exclusion constraint cannot express.

On PostgreSQL an advisory lock held until commit serialises, say, two bookings by one person
so the per-person limit is re-checked race-free. On SQLite every write transaction already
holds the database's write lock from BEGIN (transaction_mode IMMEDIATE), so there is nothing
more to take.
"""

import hashlib

from django.db import connection


def lock(name: str) -> None:
    """Hold a lock on `name` until the current transaction ends. Call inside atomic()."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big",
                         signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
