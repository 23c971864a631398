"""SQLite: audit rows cannot be deleted, nor replaced by INSERT OR REPLACE (see append_only)."""

from django.db import migrations

from tianping.audit.append_only import install_sqlite, remove_sqlite


def forward(apps, schema_editor):
    install_sqlite(schema_editor, "audit_auditevent")


def backward(apps, schema_editor):
    remove_sqlite(schema_editor, "audit_auditevent")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forward, backward)]
