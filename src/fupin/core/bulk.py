"""Bulk writes as set-based SQL: PostgreSQL ``COPY`` into the table, SQLite ``executemany`` in one
transaction. Used by the region loader and the demo generator (and later by imports), never a
per-row ``save()``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

BATCH = 20_000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Append ``rows`` to ``table``. Runs inside the caller's transaction; returns the row count."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    n = 0
    with connection.cursor() as cur:
        if is_postgres():
            raw = cur.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        else:
            sql = f"INSERT INTO {qn(table)} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"
            batch: list[Sequence[Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    cur.executemany(sql, batch)
                    n += len(batch)
                    batch.clear()
            if batch:
                cur.executemany(sql, batch)
                n += len(batch)
    return n


def upsert_rows(
    table: str, columns: Sequence[str], key: Sequence[str], update: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows``, updating ``update`` columns where a row with the same ``key`` exists.
    On PostgreSQL the rows are COPYed into a temporary table first, then merged in one statement."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    conflict = ", ".join(qn(c) for c in key)
    sets = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in update)
    on_conflict = f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}" if update else f"ON CONFLICT ({conflict}) DO NOTHING"
    if is_postgres():
        tmp = f"tmp_{table}"
        with connection.cursor() as cur:
            cur.execute(f"CREATE TEMP TABLE {qn(tmp)} (LIKE {qn(table)} INCLUDING DEFAULTS) ON COMMIT DROP")
        n = copy_rows(tmp, columns, rows)
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {qn(table)} ({cols}) SELECT {cols} FROM {qn(tmp)} {on_conflict}")
            cur.execute(f"DROP TABLE {qn(tmp)}")
        return n
    sql = f"INSERT INTO {qn(table)} ({cols}) VALUES ({', '.join(['%s'] * len(columns))}) {on_conflict}"
    n = 0
    with connection.cursor() as cur:
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cur.executemany(sql, batch)
                n += len(batch)
                batch.clear()
        if batch:
            cur.executemany(sql, batch)
            n += len(batch)
    return n
