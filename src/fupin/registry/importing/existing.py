"""Stage 3, existing state: the dossiers of the file's households as they are in the database (one query per
table, in the typed form of a parsed file), and the active holders of the file's ID numbers."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.db import connection

from fupin.core.bulk import is_postgres
from fupin.core.bulkload import row_estimate
from fupin.registry.models import Household, Income, Member
from fupin.registry.template import HOUSEHOLDS, INCOMES, MEMBERS, db_dtype, db_expr, typed_from_db

IN_CHUNK = 5000


def array_literal(values: Sequence[Any] | pl.Series) -> str:
    """A PostgreSQL array literal (``{"a","b"}``) of ``values``, quoted and escaped, built without a Python loop."""
    text = (values if isinstance(values, pl.Series) else pl.Series(values)).cast(pl.Utf8)
    quoted = text.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)
    return "{" + ('"' + quoted + '"').str.join(",").item() + "}"


def _typed_csv(data: bytes, dtypes: dict[str, Any]) -> pl.DataFrame:
    """Rows COPYed out of PostgreSQL as CSV (``\\N`` for NULL, booleans as t/f) in a frame with ``dtypes``."""
    if not data:
        return pl.DataFrame(schema=dtypes)
    frame = pl.read_csv(io.BytesIO(data), has_header=False, new_columns=list(dtypes), infer_schema=False,
                        null_values="\\N")
    return frame.select([
        (pl.col(name) == "t").alias(name) if dtype == pl.Boolean
        else pl.col(name).cast(dtype).alias(name)
        for name, dtype in dtypes.items()
    ])


SCAN_FACTOR = 4  # a table with fewer rows than 4 per looked-up key is read whole rather than probed per key


def select_in(
    sql: str, values: Sequence[Any] | pl.Series, dtypes: dict[str, Any], *, scan: tuple[str, str] | None = None
) -> pl.DataFrame:
    """Rows of ``sql`` (with ``{in}`` after the key column, where the list goes) for many values: one ``= ANY``
    array on PostgreSQL, chunks of IN lists on SQLite. Returned as a polars frame with ``dtypes``.

    ``scan=(table, output column)``: on PostgreSQL, when ``table`` holds fewer than ``SCAN_FACTOR`` rows per
    value (a first load, or re-importing most of a registry), the rows are read in one sequential scan
    (``{in}`` becomes ``IS NOT NULL``) and filtered by polars — far cheaper than a million index probes."""
    rows: list[tuple[Any, ...]] = []
    series = values if isinstance(values, pl.Series) else pl.Series(list(values))
    with connection.cursor() as cur:
        if is_postgres():
            if not len(series):
                return pl.DataFrame(schema=dtypes)
            if scan is not None and row_estimate(scan[0]) < SCAN_FACTOR * len(series):
                every = _copy_out(sql.replace("{in}", "IS NOT NULL"), dtypes)
                return every.filter(pl.col(scan[1]).is_in(series.cast(dtypes[scan[1]]).implode()))
            # One array literal built by polars and parsed by the server (adapting a Python list of a million
            # strings element by element takes seconds), and the rows back as CSV read by polars.
            array = "= ANY(%s::bigint[])" if series.dtype.is_integer() else "= ANY(%s::text[])"
            return _copy_out(sql.replace("{in}", array), dtypes, [array_literal(series)])
        else:
            items = series.to_list()
            for i in range(0, len(items), IN_CHUNK):
                chunk = items[i : i + IN_CHUNK]
                cur.execute(sql.replace("{in}", f"IN ({', '.join(['%s'] * len(chunk))})"), chunk)
                rows.extend(cur.fetchall())
    return pl.DataFrame(rows, schema=dtypes, orient="row", strict=False)


def _copy_out(sql: str, dtypes: dict[str, Any], params: Sequence[Any] = ()) -> pl.DataFrame:
    """PostgreSQL: all rows of ``sql`` read back as CSV (``COPY … TO STDOUT``) into a polars frame."""
    buf = io.BytesIO()
    with connection.cursor() as cur, cur.cursor.copy(
        f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, NULL '\\N', FORCE_QUOTE *)", params or None
    ) as copy:
        for block in copy:
            buf.write(block)
    return _typed_csv(buf.getvalue(), dtypes)


HOLDERS_SQL = ("SELECT m.id_number, h.number FROM registry_member m JOIN registry_household h ON h.id = m.household_id "
               "WHERE m.is_active")  # the partial index's own condition, so SQLite uses it


def holders(ids: pl.Series) -> pl.DataFrame:
    """Active members anywhere with one of these ID numbers, and their household's number."""
    return select_in(HOLDERS_SQL + " AND m.id_number {in}", ids, {"id_number": pl.Utf8, "holder": pl.Utf8},
                      scan=(Member._meta.db_table, "id_number"))


def existing_state(numbers: Sequence[str]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The households with these numbers as they are in the database, with active members and incomes,
    in the same typed form as a parsed file (three queries)."""
    hh_cols = [c for c in HOUSEHOLDS.columns]
    select = ", ".join(f"{db_expr(c)} AS {c.field}" for c in hh_cols)
    dtypes: dict[str, Any] = {"id": pl.Int64, "cadre_id": pl.Int64, "source": pl.Utf8}
    dtypes.update({c.field: db_dtype(c) for c in hh_cols})
    hh = select_in(
        f"SELECT id, cadre_id, source, {select} FROM registry_household WHERE number {{in}}", numbers, dtypes,
        scan=(Household._meta.db_table, "number"),
    )
    hh = typed_from_db(hh, HOUSEHOLDS)
    ids = hh["id"].to_list()
    m_cols = [c for c in MEMBERS.columns if c.field != "household"]
    m_dtypes: dict[str, Any] = {"id": pl.Int64, "household_id": pl.Int64}
    m_dtypes.update({c.field: db_dtype(c) for c in m_cols})
    members = select_in(
        f"SELECT id, household_id, {', '.join(f'{db_expr(c)} AS {c.field}' for c in m_cols)} "
        "FROM registry_member WHERE is_active AND household_id {in}",
        ids, m_dtypes, scan=(Member._meta.db_table, "household_id"),
    )
    members = typed_from_db(members, MEMBERS)
    i_cols = [c for c in INCOMES.columns if c.field != "household"]
    i_dtypes: dict[str, Any] = {"household_id": pl.Int64}
    i_dtypes.update({c.field: db_dtype(c) for c in i_cols})
    incomes = select_in(
        f"SELECT household_id, {', '.join(f'{db_expr(c)} AS {c.field}' for c in i_cols)} "
        "FROM registry_income WHERE household_id {in}",
        ids, i_dtypes, scan=(Income._meta.db_table, "household_id"),
    )
    incomes = typed_from_db(incomes, INCOMES)
    return hh, members, incomes

