"""The database cache table (settings.CACHES) that holds the per-address rate-limit counts.

Created by migration so every migrated database has it, whichever command set it up; a
deployment that configures another cache backend gets nothing here.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_apitoken_expires_at")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
