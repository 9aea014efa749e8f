"""Appending many rows to indexed tables inside the caller's transaction, as PostgreSQL's own bulk loaders do.

Two costs dominate a large append on PostgreSQL, and both are per row:

* **foreign-key checks**: every appended row queues a trigger that looks its parent up at commit (about
  3 µs a row here, 9 s for the 2.8 million rows of a million-person import). Here they are replaced by one
  set-based anti-join per foreign key over the appended rows (``verify_foreign_keys``), generated from the
  catalogue so that no constraint can be forgotten; the per-row triggers are skipped by
  ``session_replication_role = replica`` around the appends only. That setting needs superuser rights or,
  from PostgreSQL 15, ``GRANT SET ON PARAMETER session_replication_role TO <role>``; without it the
  per-row checks run as before (slower, equally correct). Tables with triggers of their own never take
  this path (replica mode would skip them too).
* **index maintenance**: each appended row descends every B-tree (2–4 µs per index and row). When the append
  adds a large share of a table's rows, dropping its secondary indexes and building them again after the
  load (a sorted, parallel build) is several times faster. The price is an ``ACCESS EXCLUSIVE`` lock: readers
  of the tables wait until the transaction ends. So this is only done when the append adds at least
  ``settings.FUPIN_BULK_REBUILD_SHARE`` of the table's rows (default 0.2; 0 turns it off) and at least
  ``REBUILD_MIN_ROWS`` rows — a province's first load, not a county's monthly update. Indexes that back a
  constraint (primary keys, unique constraints) are kept; a unique index that is rebuilt checks uniqueness
  again, so a violation still fails the transaction.

Everything happens in the caller's transaction: an error or a killed process rolls back the rows, the
dropped indexes and the setting together. On SQLite nothing of this applies (``BulkAppend`` does nothing).
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from fupin.core.bulk import is_postgres
from fupin.core.sql import set_local

REBUILD_MIN_ROWS = 50_000
# The foreign keys of appended rows are checked by index lookups when the parent table has more rows than were
# appended, by a hash of the parent otherwise. Measured at 1.1 M households: members → households 190 ms by lookups
# against 314 ms by hash, households → regions 90 against 219, incomes → households (869,268 rows) 488 against 448; the
# hash reads the whole parent, so at 10 M households it costs ten times more and the lookups barely more.
LOOKUP_FACTOR = 1


class ForeignKeyViolation(Exception):
    """Appended rows reference parents that do not exist (the set-based check of a skipped trigger)."""


@dataclass
class ForeignKey:
    table: str
    columns: list[str]
    parent: str
    parent_columns: list[str]
    name: str


@dataclass
class BulkAppend:
    """Plan and state of one bulk append. ``rows`` is the number of rows about to be appended per table."""

    rows: dict[str, int]
    rebuild: bool = False
    replica: bool = False
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (index name, CREATE INDEX statement)
    first_new_id: dict[str, int] = field(default_factory=dict)  # rows with id >= this were appended by us
    locked: set[str] = field(default_factory=set)  # tables no one else may write until we commit

    def begin(self, locked: Sequence[str] = ()) -> None:
        """Decide and prepare (inside the transaction, after the caller locked ``locked`` against writers):
        drop the secondary indexes when rebuilding pays off, find out whether triggers may be skipped."""
        self.locked = set(locked)
        if not is_postgres():
            return
        share = float(getattr(settings, "FUPIN_BULK_REBUILD_SHARE", 0.2))
        with connection.cursor() as cur:
            for table in self.rows:
                cur.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
                self.first_new_id[table] = int(cur.fetchone()[0])
            big = [t for t, n in self.rows.items() if n >= REBUILD_MIN_ROWS and n >= share * (n + row_estimate(t))]
            self.rebuild = share > 0 and bool(big)
            if self.rebuild:
                tables = ", ".join(self.rows)
                cur.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
                self.locked |= set(self.rows)
                for table in self.rows:
                    cur.execute(
                        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                        "JOIN pg_class c ON c.oid = i.indexrelid "
                        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
                        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
                        "ORDER BY c.relname",
                        [table],
                    )
                    self.dropped += [(name, sql) for name, sql in cur.fetchall()]
                for name, _sql in self.dropped:
                    cur.execute(f'DROP INDEX "{name}"')
        self.replica = _may_skip_triggers(list(self.rows))

    @contextlib.contextmanager
    def appending(self) -> Iterator[None]:
        """Around plain appends of new rows (COPY): per-row foreign-key triggers skipped when allowed."""
        if not (is_postgres() and self.replica):
            yield
            return
        with connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cur:
                cur.execute("SET LOCAL session_replication_role = origin")

    def finish(self) -> None:
        """Rebuild the dropped indexes and check the foreign keys of the appended rows, set-based."""
        if not is_postgres():
            return
        with connection.cursor() as cur:
            if self.dropped:
                cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
                for _name, sql in self.dropped:
                    cur.execute(sql)
                self.dropped = []
        if self.replica:
            verify_foreign_keys(self.first_new_id, locked=self.locked, appended=self.rows)


def row_estimate(table: str) -> int:
    """Rows of ``table``: the planner's estimate, counted when the table was never analysed."""
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        estimate = float(cur.fetchone()[0])
        if estimate >= 0:
            return int(estimate)
        cur.execute(f"SELECT COUNT(*) FROM {table}")
        return int(cur.fetchone()[0])


def _may_skip_triggers(tables: list[str]) -> bool:
    """True when this role may set ``session_replication_role`` and the tables have no triggers but the
    internal ones of foreign keys."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal", [tables]
        )
        if int(cur.fetchone()[0]):
            return False
        cur.execute("SELECT current_setting('is_superuser') = 'on'")
        if cur.fetchone()[0]:
            return True
    try:
        with transaction.atomic(), connection.cursor() as cur:  # a savepoint: the probe may fail
            cur.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
            return bool(cur.fetchone()[0])
    except Exception:  # PostgreSQL before 15 has no parameter privileges: superusers only
        return False


def foreign_keys(table: str) -> list[ForeignKey]:
    """The foreign keys of ``table`` as the catalogue has them (every one, whatever the models say)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT k.conname, p.relname, "
            "ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o) "
            "      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o), "
            "ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o) "
            "      JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o) "
            "FROM pg_constraint k JOIN pg_class p ON p.oid = k.confrelid "
            "WHERE k.contype = 'f' AND k.conrelid = %s::regclass ORDER BY k.conname",
            [table],
        )
        return [ForeignKey(table, list(cols), parent, list(pcols), name) for name, parent, cols, pcols in cur.fetchall()]


def verify_foreign_keys(first_new_id: dict[str, int], *, locked: Collection[str] = (),
                        appended: dict[str, int] | None = None) -> None:
    """For every foreign key of every table: the rows with ``id >= first_new_id[table]`` whose parent is
    missing, found by one anti-join each; raises ``ForeignKeyViolation`` naming the constraint and a few
    of the keys. Parents in tables others may still write to (not in ``locked``) are locked
    ``FOR KEY SHARE``, as the skipped triggers would have, so they cannot be deleted before we commit.
    ``appended``: the rows appended per table when known (they choose index lookups or a hash of the parent)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        for table, first in first_new_id.items():
            if appended is not None and table in appended:
                count = appended[table]  # as planned: counting them took 0.3-0.7 s for two million incomes
            else:
                cur.execute(f"SELECT COUNT(*) FROM {qn(table)} WHERE id >= %s", [first])
                count = int(cur.fetchone()[0])
            for fk in foreign_keys(table):
                # a hash of the whole parent pays when the appended rows are many against it (a first load); a
                # county's part of a national registry is checked by one index lookup per row (LOOKUP_FACTOR)
                lookups = count * LOOKUP_FACTOR < row_estimate(fk.parent)
                for join in ("enable_hashjoin", "enable_mergejoin"):
                    set_local(cur, join, "off" if lookups else "on")
                cols = ", ".join(f"c.{qn(c)}" for c in fk.columns)
                new = f"SELECT {cols} FROM {qn(table)} c WHERE c.id >= %s AND " + " AND ".join(
                    f"c.{qn(c)} IS NOT NULL" for c in fk.columns
                )
                match = " AND ".join(f"p.{qn(pc)} = c.{qn(c)}" for c, pc in zip(fk.columns, fk.parent_columns, strict=True))
                # a plain anti-join: three times faster than de-duplicating first (a per-row scalar subquery instead
                # of the join settings: five times slower than the nested-loop anti-join)
                cur.execute(
                    f"SELECT DISTINCT {cols} FROM ({new}) c "
                    f"WHERE NOT EXISTS (SELECT 1 FROM {qn(fk.parent)} p WHERE {match}) LIMIT 5",
                    [first],
                )
                missing = cur.fetchall()
                if missing:
                    raise ForeignKeyViolation(
                        f"{fk.name}: {table}({', '.join(fk.columns)}) references missing {fk.parent} rows "
                        f"{', '.join(str(m[0] if len(m) == 1 else m) for m in missing)}"
                    )
                if fk.parent not in locked:
                    pcols = ", ".join(f"p.{qn(c)}" for c in fk.parent_columns)
                    cur.execute(
                        f"SELECT 1 FROM {qn(fk.parent)} p WHERE ({pcols}) IN ({new}) FOR KEY SHARE OF p",
                        [first],
                    )
        # back to the planner's defaults for the rest of the transaction (on a violation the import rolls back)
        for join in ("enable_hashjoin", "enable_mergejoin"):
            set_local(cur, join, "on")
