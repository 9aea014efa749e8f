"""SQL dialect differences between PostgreSQL and SQLite: the one module that asks which database runs.

Raw SQL elsewhere calls these helpers (or branches on ``is_postgres()`` where a whole statement differs, such as
COPY against executemany) instead of reading ``connection.vendor`` itself; ``tools/custom_check.py`` enforces it.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone


def is_postgres(conn: Any = None) -> bool:
    """The default database (or the connection ``conn``) is PostgreSQL."""
    return (conn or connection).vendor == "postgresql"


def vendor() -> str:
    """The database's name as Django knows it ("postgresql", "sqlite"), for benchmark reports."""
    return str(connection.vendor)


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (28 February for a 29 February); used for ages on a date."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def date_param(day: dt.date) -> Any:
    """A date as a query parameter: SQLite stores ISO text; PostgreSQL wants a date."""
    return day if is_postgres() else day.isoformat()


def distinct(a: str, b: str) -> str:
    """``a`` and ``b`` differ, NULLs compared as values."""
    return f"{a} IS DISTINCT FROM {b}" if is_postgres() else f"{a} IS NOT {b}"


def least() -> str:
    """The name of the scalar minimum of several values (LEAST on PostgreSQL ignores NULLs; SQLite's MIN does not)."""
    return "LEAST" if is_postgres() else "MIN"


def json_object() -> str:
    """The name of the function building a JSON object from key, value, … arguments."""
    return "jsonb_build_object" if is_postgres() else "json_object"


def local_date(expr: str) -> tuple[str, list[Any]]:
    """The local calendar date (settings.TIME_ZONE) of a timestamp column, with its parameters."""
    if is_postgres():
        return f"CAST(timezone(%s, {expr}) AS date)", [settings.TIME_ZONE]
    offset = timezone.now().astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).utcoffset() or dt.timedelta(0)
    return f"date({expr}, %s)", [f"{int(offset.total_seconds() // 60):+d} minutes"]


def on_commit_drop() -> str:
    """The clause that drops a temporary table at commit (PostgreSQL); SQLite keeps it for the connection."""
    return "ON COMMIT DROP" if is_postgres() else ""


def analyze(cur: Any, *tables: str) -> None:
    """Give the planner the size of freshly filled (temporary) tables, which autovacuum never sees, or of the whole
    database after a bulk load when no table is named (PostgreSQL)."""
    if is_postgres():
        for table in tables or ("",):
            cur.execute(f"ANALYZE {table}".strip())


def set_local(cur: Any, setting: str, value: str) -> None:
    """``SET LOCAL`` a planner or memory setting for this transaction (PostgreSQL, inside a transaction only)."""
    if is_postgres() and not connection.get_autocommit():
        cur.execute(f"SET LOCAL {setting} = {value}")


def big_sorts(cur: Any) -> None:
    """Let PostgreSQL sort a whole country's rows in memory rather than on disk (this transaction only)."""
    set_local(cur, "work_mem", "'256MB'")


def reset_sequences(tables: Iterable[str]) -> None:
    """Move each table's id sequence past its largest id after rows were written with explicit ids (PostgreSQL;
    SQLite's AUTOINCREMENT follows the largest id by itself)."""
    if not is_postgres():
        return
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))",
                [table],
            )


def row_estimate(sql: str, params: Sequence[Any]) -> int | None:
    """The planner's row estimate for a query (PostgreSQL; None elsewhere)."""
    if not is_postgres():
        return None
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def days_before(day: str, days: str) -> str:
    """SQL: the date ``days`` (an integer expression) days before the date ``day`` (an expression or ``%s``)."""
    if is_postgres():
        return f"CAST({day} AS DATE) - CAST({days} AS INTEGER)"
    return f"date({day}, '-' || {days} || ' days')"
