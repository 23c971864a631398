"""SQLite: point entries cannot be deleted, nor replaced by INSERT OR REPLACE (audit.append_only)."""

from django.db import migrations

from tianping.audit.append_only import install_sqlite, remove_sqlite


def forward(apps, schema_editor):
    install_sqlite(schema_editor, "points_pointentry")


def backward(apps, schema_editor):
    remove_sqlite(schema_editor, "points_pointentry")


class Migration(migrations.Migration):
    dependencies = [("points", "0003_entry_labels")]
    operations = [migrations.RunPython(forward, backward)]
