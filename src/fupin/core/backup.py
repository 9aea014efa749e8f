"""Backups of the whole platform: the database and the files under ``VAR_DIR`` that are data, not caches.

A backup is one folder ``fupin-backup-<UTC time>/`` holding
- ``database.pgdump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite, written with
  SQLite's online backup API, which copies a consistent state while the server keeps writing),
- ``files.tar`` with the Parquet stores and uploads under ``VAR_DIR`` (department batches, import uploads,
  generated reports),
- ``manifest.json``: when, from which database kind, and the row count of every table, which ``restore``
  checks after restoring.

Restoring replaces the target database's contents (PostgreSQL: ``pg_restore --clean --single-transaction``,
so a failed restore changes nothing; SQLite: the online backup API into the database file).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from fupin.core.sql import is_postgres

# Folders under VAR_DIR that hold data; everything else there (static files, benchmark and test databases)
# can be rebuilt.
DATA_FOLDERS = ("exchange", "imports", "reports")
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


@dataclass
class BackupResult:
    path: Path
    tables: dict[str, int]
    files: int


def _table_names(alias: str = "default") -> list[str]:
    with connections[alias].cursor() as cursor:
        return sorted(connections[alias].introspection.table_names(cursor))


def table_counts(alias: str = "default") -> dict[str, int]:
    """Row count of every table of the database."""
    conn = connections[alias]
    counts: dict[str, int] = {}
    with conn.cursor() as cursor:
        for table in _table_names(alias):
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


def table_checksum(rows: Iterable[tuple[Any, ...]]) -> str:
    """An order-independent digest of a table's rows (each row's text digested, digests summed)."""
    total = 0
    for row in rows:
        total = (total + int.from_bytes(hashlib.sha256(repr(tuple(_plain(v) for v in row)).encode()).digest()[:8], "big")) % (1 << 64)
    return f"{total:016x}"


def _plain(value: Any) -> Any:
    """The same value whichever driver read it (memoryview/bytes, Decimal, dates as text)."""
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return format(value.normalize(), "f")
    return value


def pg_args(alias: str = "default") -> list[str]:
    """libpq connection arguments of a Django PostgreSQL database."""
    s = connections[alias].settings_dict
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", s["HOST"]]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    return args


def pg_env(alias: str = "default") -> dict[str, str]:
    env = dict(os.environ)
    if connections[alias].settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = connections[alias].settings_dict["PASSWORD"]
    return env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupError(f"{cmd[0]} is not installed (Debian package postgresql-client)")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {done.stderr.strip()[:2000]}")


def backup(destination: Path | None = None, *, alias: str = "default", var_dir: Path | None = None) -> BackupResult:
    """Write a backup folder under ``destination`` (default ``VAR_DIR/backups``) and return it."""
    var = Path(var_dir or settings.VAR_DIR)
    root = Path(destination or var / "backups")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = root / f"fupin-backup-{stamp}"
    folder.mkdir(parents=True)
    conn = connections[alias]
    conn.ensure_connection()
    counts = table_counts(alias)
    if is_postgres(connections[alias]):
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(folder / "database.pgdump"), *pg_args(alias)],
             pg_env(alias))
        kind = "postgresql"
    else:
        target = sqlite3.connect(folder / "database.sqlite3")
        try:
            conn.connection.backup(target)
        finally:
            target.close()
        kind = "sqlite"
    files = 0
    with tarfile.open(folder / "files.tar", "w") as tar:
        for name in DATA_FOLDERS:
            path = var / name
            if path.is_dir():
                tar.add(path, arcname=name)
                files += sum(1 for p in path.rglob("*") if p.is_file())
    manifest = {"created": dt.datetime.now(dt.UTC).isoformat(), "database": kind, "tables": counts, "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return BackupResult(folder, counts, files)


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} is not a fupin backup (no {MANIFEST})")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def restore(folder: Path, *, alias: str = "default", var_dir: Path | None = None, files: bool = True) -> dict[str, int]:
    """Replace the database's contents (and, with ``files``, the data folders under ``VAR_DIR``) by a backup;
    returns the restored row counts after checking them against the manifest."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    conn = connections[alias]
    if manifest["database"] == "postgresql":
        if not is_postgres(conn):
            raise BackupError("a PostgreSQL backup can only be restored into PostgreSQL")
        conn.close()
        restore_postgres(folder, pg_args(alias), pg_env(alias))
    else:
        if is_postgres(conn):
            raise BackupError("an SQLite backup can only be restored into SQLite")
        conn.ensure_connection()
        restore_sqlite(folder, conn.connection)
    if files:
        var = Path(var_dir or settings.VAR_DIR)
        with tarfile.open(folder / "files.tar") as tar:
            for name in DATA_FOLDERS:
                if (var / name).is_dir():
                    shutil.rmtree(var / name)
            tar.extractall(var, filter="data")
    counts = table_counts(alias)
    differ = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if differ:
        raise BackupError(f"restored row counts differ from the backup's manifest: {differ}")
    return counts


def restore_postgres(folder: Path, libpq_args: list[str], env: dict[str, str]) -> None:
    """pg_restore in one transaction: either the whole backup replaces the database's contents or nothing."""
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *libpq_args,
          str(Path(folder) / "database.pgdump")], env)


def restore_sqlite(folder: Path, target: sqlite3.Connection) -> None:
    source = sqlite3.connect(Path(folder) / "database.sqlite3")
    try:
        source.backup(target)
    finally:
        source.close()
