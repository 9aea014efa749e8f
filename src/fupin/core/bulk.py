"""Bulk writes as set-based SQL: PostgreSQL ``COPY`` into the table, SQLite ``executemany`` in one
transaction. Used by the region loader and the demo generator (and later by imports), never a
per-row ``save()``. And the bulk read back: ``read_arrow`` (``COPY … TO STDOUT`` parsed by Arrow)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from django.db import connection

from fupin.core.sql import is_postgres

BATCH = 20_000


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, binary: bool = False) -> int:
    """Append ``rows`` to ``table``. Runs inside the caller's transaction; returns the row count.
    ``binary``: PostgreSQL's binary COPY with the columns' types from the catalogue — for large ``bytes``
    values, which the text format would send as hex (twice the size, decoded again by the server)."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    n = 0
    with connection.cursor() as cur:
        if is_postgres():
            raw = cur.cursor  # the psycopg cursor under Django's wrapper
            types: list[int] = []
            if binary:
                raw.execute(
                    "SELECT a.attname, a.atttypid::int FROM pg_attribute a WHERE a.attrelid = %s::regclass "
                    "AND a.attnum > 0 AND NOT a.attisdropped", [table],
                )
                oid = dict(raw.fetchall())
                types = [oid[c] for c in columns]
            with raw.copy(f"COPY {qn(table)} ({cols}) FROM STDIN{' (FORMAT binary)' if binary else ''}") as copy:
                if binary:
                    copy.set_types(types)
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


def _staging_sql(tmp: str, table: str, cols: str) -> str:
    """A temporary table with the types of ``table``'s columns ``cols`` and no constraints, so that rows
    without the generated id can be staged."""
    qn = connection.ops.quote_name
    return f"CREATE TEMP TABLE {qn(tmp)} ON COMMIT DROP AS SELECT {cols} FROM {qn(table)} WITH NO DATA"


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
            cur.execute(_staging_sql(tmp, table, cols))
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


def copy_frame(table: str, frame: Any) -> int:
    """Append the rows of a polars DataFrame (columns named as the table's). On PostgreSQL the frame is
    written as CSV by polars and sent in one ``COPY … (FORMAT csv)``, far faster than row by row."""
    if frame.height == 0:
        return 0
    if not is_postgres():
        return copy_rows(table, frame.columns, frame.iter_rows())
    copy_csv(table, frame.columns, _encoded_parts(frame))
    return int(frame.height)


PART_ROWS = 100_000


def _encoded_parts(frame: Any) -> Iterator[bytes]:
    """The frame's COPY data in parts of ``PART_ROWS`` rows, each encoded by a worker thread while the
    previous one is being sent (polars releases the GIL), so encoding and loading overlap."""
    parts = [frame.slice(i, PART_ROWS) for i in range(0, frame.height, PART_ROWS)]
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = [pool.submit(frame_csv, part) for part in parts[:2]]
        for k in range(len(parts)):
            data = pending[k].result()
            if k + 2 < len(parts):
                pending.append(pool.submit(frame_csv, parts[k + 2]))
            yield data


def frame_csv(frame: Any) -> bytes:
    """The rows of a polars DataFrame as the CSV ``copy_csv`` sends (no header, ``\\N`` for NULL). Needs no
    database connection: a worker thread can encode the next table while the database loads this one."""
    return bytes(frame.write_csv(include_header=False, null_value="\\N").encode("utf-8"))


def copy_csv(table: str, columns: Sequence[str], data: bytes | Iterable[bytes]) -> None:
    """PostgreSQL only: one ``COPY … (FORMAT csv)`` of ``data`` (from ``frame_csv``, whole or in parts)
    into ``columns``."""
    if not data:
        return
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cur:
        raw = cur.cursor
        with raw.copy(f"COPY {qn(table)} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
            step = 8 << 20
            for part in [data] if isinstance(data, bytes) else data:
                for i in range(0, len(part), step):
                    copy.write(part[i : i + step])


def upsert_frame(table: str, frame: Any, key: Sequence[str], update: Sequence[str]) -> int:
    """Insert the rows of a polars DataFrame, updating ``update`` columns where ``key`` exists: on PostgreSQL
    a COPY into a temporary table and one ``INSERT … ON CONFLICT``; on SQLite ``executemany``."""
    if frame.height == 0:
        return 0
    if not is_postgres():
        return upsert_rows(table, frame.columns, key, update, frame.iter_rows())
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in frame.columns)
    conflict = ", ".join(qn(c) for c in key)
    sets = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in update)
    action = f"DO UPDATE SET {sets}" if update else "DO NOTHING"
    tmp = f"tmp_frame_{table}"
    with connection.cursor() as cur:
        cur.execute(_staging_sql(tmp, table, cols))
    copy_frame(tmp, frame)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {qn(table)} ({cols}) SELECT {cols} FROM {qn(tmp)} ON CONFLICT ({conflict}) {action}")
        cur.execute(f"DROP TABLE {qn(tmp)}")
    return int(frame.height)


def read_arrow(sql: str, schema: Any, params: Sequence[Any] = ()) -> Any:
    """All rows of ``sql`` as a ``pyarrow.Table`` of ``schema`` (one field per selected column, in order: string,
    int64/int32, float64, bool, date32). On PostgreSQL the rows come as CSV from ``COPY (…) TO STDOUT`` and are
    parsed and typed by Arrow's multi-threaded reader (no Python value per cell); elsewhere through the cursor.
    Values must not hold a newline."""
    import pyarrow as pa

    if not is_postgres():
        with connection.cursor() as cur:
            cur.execute(sql, params or None)
            rows = cur.fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
        return pa.table([pa.array([_python(v, f.type) for v in col], f.type) for col, f in
                         zip(columns, schema, strict=True)], schema=schema)
    import pyarrow.csv as pacsv

    buffer = io.BytesIO()
    with connection.cursor() as cur, cur.cursor.copy(
            f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, NULL '\\N')", params or None) as copy:
        for block in copy:
            buffer.write(block)
    if not buffer.tell():  # no rows: Arrow refuses an empty file
        return schema.empty_table()
    # the whole text at once: Arrow parses its blocks on every core (its streaming reader parses one at a time)
    table = pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(buffer.getbuffer())), read_options=pacsv.ReadOptions(column_names=schema.names, block_size=8 << 20),
        convert_options=pacsv.ConvertOptions(
            column_types=dict(zip(schema.names, schema.types, strict=True)), null_values=["\\N"],
            strings_can_be_null=True, quoted_strings_can_be_null=False, true_values=["t", "1", "true"],
            false_values=["f", "0", "false"]))
    del buffer
    if table.num_rows == 0:
        return schema.empty_table()
    return table.select(schema.names).cast(schema)


def _python(value: Any, kind: Any) -> Any:
    """A cursor value (SQLite: dates as text, booleans as 0/1, money as Decimal) as Arrow takes it."""
    import pyarrow as pa

    if value is None:
        return None
    if pa.types.is_boolean(kind):
        return bool(value)
    if pa.types.is_date(kind):
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    if pa.types.is_floating(kind):
        return float(value)
    if pa.types.is_integer(kind):
        return int(value)
    if pa.types.is_string(kind):
        return value if isinstance(value, str) else str(value)
    return value


def copy_arrow(table: str, columns: Sequence[str], batches: Iterable[Any]) -> int:
    """Append Arrow record batches (columns in ``columns`` order) to ``table``. On PostgreSQL each batch is written
    as CSV by Arrow (strings quoted, so that an empty string stays one; NULL an empty field) and sent by one
    ``COPY … (FORMAT csv)``; elsewhere the rows through ``copy_rows``."""
    if not is_postgres():
        return copy_rows(table, columns, (tuple(r.values()) for b in batches for r in b.to_pylist()))
    import pyarrow.csv as pacsv

    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    n = 0
    with connection.cursor() as cur, cur.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
        for batch in batches:
            if not batch.num_rows:
                continue
            sink = io.BytesIO()
            pacsv.write_csv(batch, sink, pacsv.WriteOptions(include_header=False))
            copy.write(sink.getvalue())
            n += batch.num_rows
    return n


@contextmanager
def bulk_load(table: str) -> Iterator[None]:
    """PostgreSQL, for a bulk insert of many rows into ``table``: its secondary indexes, unique constraints and
    foreign keys are dropped for the insert and made again after it, as ``pg_restore`` does — one sort per index
    and one join per foreign key instead of a tree insertion per row and index and a lookup per row and key (for a
    first quality run: 34 s of foreign-key checks and most of 20 s of index insertions, for 1.4 million
    findings). In the caller's transaction: a failure rolls the drop back. The table is locked (ACCESS EXCLUSIVE)
    until the transaction ends and the referenced tables briefly while a key is checked again, so this is for
    batch jobs only. Elsewhere it does nothing."""
    if not is_postgres():
        yield
        return
    from fupin.core.sql import set_local

    qn = connection.ops.quote_name

    def settle(cur: Any) -> None:
        # no table may be altered with trigger events pending in the transaction: the deferred checks of earlier
        # statements run now, and later ones are deferred again as declared
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")

    with connection.cursor() as cur:
        settle(cur)
        cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                    "AND contype IN ('u', 'f') ORDER BY contype DESC, conname", [table])  # unique ones first
        constraints = cur.fetchall()
        cur.execute("SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = "
                    "x.indexrelid WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT EXISTS (SELECT 1 "
                    "FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid) "
                    "ORDER BY i.relname", [table])
        indexes = cur.fetchall()
        for name, _ddl in reversed(constraints):
            cur.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
        for name, _ddl in indexes:
            cur.execute(f"DROP INDEX {qn(name)}")
    yield
    with connection.cursor() as cur:
        settle(cur)
        set_local(cur, "maintenance_work_mem", "'256MB'")
        for _name, ddl in indexes:
            cur.execute(ddl)
        for name, ddl in constraints:
            cur.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {ddl}")
