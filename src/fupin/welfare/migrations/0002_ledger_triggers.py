"""The ledger kept by the database: each donation adds to ``received`` and each disbursement to ``disbursed`` of
its need or project, and the CHECK ``disbursed <= received`` (migration 0001) refuses a disbursement that would pay
out more than was received, whoever writes it. Amounts and targets of ledger entries cannot be changed afterwards.
SQLite rounds to cents after each addition (its decimals are binary floating point)."""

from django.db import migrations

TABLES = {"need": "welfare_need", "project": "welfare_welfareproject"}
ENTRIES = {"welfare_donation": "received", "welfare_disbursement": "disbursed"}


def _sqlite() -> list[str]:
    sql = []
    for table, column in ENTRIES.items():
        updates = " ".join(
            f"UPDATE {target} SET {column} = ROUND({column} + NEW.amount, 2) WHERE id = NEW.{fk}_id;"
            for fk, target in TABLES.items()
        )
        sql.append(f"CREATE TRIGGER {table}_add AFTER INSERT ON {table} BEGIN {updates} END")
        sql.append(
            f"CREATE TRIGGER {table}_fixed BEFORE UPDATE OF amount, need_id, project_id ON {table} "
            f"WHEN NEW.amount IS NOT OLD.amount OR NEW.need_id IS NOT OLD.need_id OR NEW.project_id IS NOT OLD.project_id "
            f"BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END"
        )
    return sql


def _postgresql() -> list[str]:
    sql = []
    for table, column in ENTRIES.items():
        updates = " ".join(
            f"UPDATE {target} SET {column} = {column} + NEW.amount WHERE id = NEW.{fk}_id;"
            for fk, target in TABLES.items()
        )
        sql.append(f"CREATE FUNCTION {table}_add() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {updates} "
                   f"RETURN NULL; END $$")
        sql.append(f"CREATE TRIGGER {table}_add AFTER INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_add()")
        sql.append(
            f"CREATE FUNCTION {table}_fixed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.amount IS DISTINCT FROM OLD.amount OR NEW.need_id IS DISTINCT FROM OLD.need_id "
            f"OR NEW.project_id IS DISTINCT FROM OLD.project_id THEN "
            f"RAISE EXCEPTION 'ledger entries are append-only'; END IF; RETURN NEW; END $$"
        )
        sql.append(f"CREATE TRIGGER {table}_fixed BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_fixed()")
    return sql


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = _postgresql() if vendor == "postgresql" else _sqlite() if vendor == "sqlite" else []
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    for table in ENTRIES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_add" + (f" ON {table}" if schema_editor.connection.vendor == "postgresql" else ""))
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_fixed" + (f" ON {table}" if schema_editor.connection.vendor == "postgresql" else ""))
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_add()")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_fixed()")


def role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ("donor", "welfare_editor"):
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("welfare", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.RunPython(role_groups, migrations.RunPython.noop),
    ]
