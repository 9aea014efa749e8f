"""`fupin backup` / `fupin restore` (issue 20 B2): a backup restored into an empty database has every table with
the same row count and the same rows (checksum), on SQLite and on PostgreSQL; the data files come back too."""

import sqlite3
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from fupin.core.backup import (
    backup,
    pg_env,
    read_manifest,
    restore,
    restore_postgres,
    restore_sqlite,
    table_checksum,
)
from fupin.core.models import AuditEvent
from fupin.registry.models import Household

pytestmark = pytest.mark.django_db(transaction=True)


def _tables(cur, postgres: bool) -> list[str]:
    if postgres:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    else:
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return sorted(r[0] for r in cur.fetchall())


def _fingerprint(dbapi, postgres: bool) -> dict[str, tuple[int, str]]:
    """Row count and checksum of every table, read with the driver's own cursor."""
    cur = dbapi.cursor()
    out = {}
    for table in _tables(cur, postgres):
        cur.execute(f'SELECT * FROM "{table}"')
        rows = cur.fetchall()
        out[table] = (len(rows), table_checksum(rows))
    return out


@pytest.fixture
def var(tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"
    (settings.VAR_DIR / "exchange").mkdir(parents=True)
    (settings.VAR_DIR / "exchange" / "batch-1.parquet").write_bytes(b"PAR1 synthetic")
    (settings.VAR_DIR / "static").mkdir()
    (settings.VAR_DIR / "static" / "big.js").write_text("not data")
    return settings.VAR_DIR


def test_backup_restores_into_an_empty_database_with_every_row(households, var, tmp_path):
    result = backup(tmp_path / "backups")
    manifest = read_manifest(result.path)
    assert manifest["tables"]["registry_household"] == Household.objects.count() > 0
    assert result.files == 1  # the exchange store; static files are not data
    postgres = connection.vendor == "postgresql"
    if postgres:
        import psycopg

        live = psycopg.connect(dbname=connection.settings_dict["NAME"], host=connection.settings_dict["HOST"] or None,
                               port=connection.settings_dict["PORT"] or None, user=connection.settings_dict["USER"] or None)
        empty = f"restore_{uuid.uuid4().hex[:8]}"
        with live.cursor() as c:
            live.autocommit = True
            c.execute(f"CREATE DATABASE {empty}")
        try:
            args = ["--dbname", empty]
            for opt, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
                if connection.settings_dict.get(key):
                    args += [opt, str(connection.settings_dict[key])]
            restore_postgres(result.path, args, pg_env())
            target = psycopg.connect(dbname=empty, host=connection.settings_dict["HOST"] or None,
                                     port=connection.settings_dict["PORT"] or None,
                                     user=connection.settings_dict["USER"] or None)
            try:
                assert _fingerprint(target, True) == _fingerprint(live, True)
            finally:
                target.close()
        finally:
            with live.cursor() as c:
                c.execute(f"DROP DATABASE IF EXISTS {empty}")
            live.close()
    else:
        target = sqlite3.connect(tmp_path / "empty.sqlite3")
        restore_sqlite(result.path, target)
        live = sqlite3.connect(connection.settings_dict["NAME"])
        assert _fingerprint(target, False) == _fingerprint(live, False)
        live.close()
        target.close()


def test_restore_in_place_brings_back_deleted_rows_and_files(households, var, tmp_path):
    before = Household.objects.count()
    folder = backup(tmp_path / "backups").path
    Household.objects.all().delete()
    (Path(var) / "exchange" / "batch-1.parquet").unlink()
    AuditEvent.objects.create(action="after-backup", username="x", channel="cli")
    counts = restore(folder)
    assert Household.objects.count() == before == counts["registry_household"]
    assert not AuditEvent.objects.filter(action="after-backup").exists()
    assert (Path(var) / "exchange" / "batch-1.parquet").read_bytes() == b"PAR1 synthetic"


def test_commands_back_up_and_restore(households, var, tmp_path, capsys):
    call_command("backup", "--output", str(tmp_path / "b"))
    folder = next((tmp_path / "b").iterdir())
    assert (folder / "manifest.json").is_file()
    call_command("restore", str(folder), "--yes")
    assert "counts match the backup" in capsys.readouterr().out


def test_restore_refuses_a_folder_that_is_no_backup(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a fupin backup"):
        call_command("restore", str(tmp_path), "--yes")
