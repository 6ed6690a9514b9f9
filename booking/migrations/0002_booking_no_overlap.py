"""On PostgreSQL, forbid overlapping blocked ranges of one coach's active bookings.

SQLite has no exclusion constraints; there the services re-check inside transactions that
take the write lock at BEGIN (transaction_mode IMMEDIATE).
"""

from django.db import migrations

ACTIVE = "('pending_payment', 'confirmed')"

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE booking_booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (
    coach_id WITH =,
    tstzrange(blocked_start, blocked_end, '[)') WITH &&
) WHERE (status IN {ACTIVE});
"""
DROP = "ALTER TABLE booking_booking DROP CONSTRAINT IF EXISTS booking_no_overlap;"


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
