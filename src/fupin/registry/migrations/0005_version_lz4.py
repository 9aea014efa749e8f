"""Dossier snapshots are a few KB of JSON each; PostgreSQL's default TOAST compression (pglz) made writing
them the slowest part of a bulk import. lz4 compresses several times faster. Only on PostgreSQL builds
that support it; elsewhere nothing changes."""

from django.db import migrations


def lz4(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )
        if cur.fetchone() is None:
            return
        for column in ("snapshot", "changes"):
            cur.execute(f"ALTER TABLE registry_householdversion ALTER COLUMN {column} SET COMPRESSION lz4")


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_household_latest_income")]
    operations = [migrations.RunPython(lz4, migrations.RunPython.noop)]
