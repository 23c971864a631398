"""Point entries are append-only in the database itself: a correction is a reversing entry."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION points_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'point entries are append-only: post a reversing entry';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER point_entry_append_only BEFORE UPDATE OR DELETE ON points_pointentry
    FOR EACH ROW EXECUTE FUNCTION points_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS point_entry_append_only ON points_pointentry;
DROP FUNCTION IF EXISTS points_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER point_entry_append_only BEFORE UPDATE ON points_pointentry
BEGIN SELECT RAISE(ABORT, 'point entries are append-only: post a reversing entry'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS point_entry_append_only;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
