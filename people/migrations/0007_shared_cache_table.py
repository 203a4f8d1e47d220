"""The database cache's table (config/settings.py CACHES), so that login throttling counts
across every worker on a fresh `migrate`, with no extra command to remember."""

from django.core.management import call_command
from django.db import migrations

CACHE_TABLE = "register_cache"


def create_cache_table(apps, schema_editor):
    # Named explicitly so the table exists whatever CACHES says today.
    call_command("createcachetable", CACHE_TABLE, database=schema_editor.connection.alias)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("people", "0006_directory_history")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
