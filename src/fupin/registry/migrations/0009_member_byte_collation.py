"""PostgreSQL: the member's name and ID number compared byte by byte (collation "C").

Both are only ever compared for equality (search by exact name, the active-ID-number unique index, joins with
department data), and for equality every deterministic collation agrees. But a B-tree under a libc locale
compares with strcoll() and cannot use abbreviated keys: building or filling these two indexes took about
1 s each per million persons, against 0.4 s under "C" (docs/benchmarks.md). Only ORDER BY name changes: code
point order instead of the database locale's, and nothing sorts members by name. SQLite compares bytes already.

Django's model state does not carry this (db_collation="C" is not valid on SQLite): an AlterField of these two
columns must say COLLATE "C" again (see the comment on ``Member``)."""

from django.db import migrations

COLUMNS = (("name", 50), ("id_number", 18))


def collate(collation):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                "ALTER TABLE registry_member "
                + ", ".join(f'ALTER COLUMN {c} TYPE varchar({n}) COLLATE "{collation}"' for c, n in COLUMNS)
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_household_village_one_index")]
    operations = [migrations.RunPython(collate("C"), collate("default"))]
