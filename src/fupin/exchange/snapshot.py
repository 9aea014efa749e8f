"""The registry snapshot the rules read: one row per active member of a registered household, written
to Parquet straight from the database cursor in chunks (no ORM objects), with the age on the reference
date computed in polars."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
from django.db import connection

from fupin.core.tree import is_code, subtree_bounds
from fupin.registry.models import Household, Member
from fupin.registry.statuses import REGISTERED_STATUSES

# Households the comparison is about: everyone registered now or before (not applicants, not removed).
CHUNK = 200_000

SCHEMA = {
    "id_number": pl.Utf8, "member_id": pl.Int64, "household_id": pl.Int64, "household_number": pl.Utf8,
    "village_code": pl.Utf8, "status": pl.Utf8, "attribute": pl.Utf8, "birth_date": pl.Utf8, "sex": pl.Utf8,
    "relation": pl.Utf8, "schooling": pl.Utf8, "health": pl.Utf8, "has_medical_insurance": pl.Int64,
    "receives_dibao": pl.Int64, "receives_tekun": pl.Int64, "per_capita": pl.Float64, "housing_safety": pl.Utf8,
}


def _sql(province: str | None = None) -> str:
    m, h = Member._meta.db_table, Household._meta.db_table
    statuses = ", ".join(f"'{s}'" for s in REGISTERED_STATUSES)
    only = ""
    if province is not None:
        if not is_code(province):
            raise ValueError(f"not a province code: {province!r}")
        lo, hi = subtree_bounds(province)
        only = f"AND h.village_id BETWEEN '{lo}' AND '{hi}'"
    return f"""
        SELECT m.id_number, m.id, m.household_id, h.number, h.village_id, h.status, h.attribute, m.birth_date, m.sex,
               m.relation, m.schooling, m.health, m.has_medical_insurance, m.receives_dibao, m.receives_tekun,
               h.latest_per_capita, h.housing_safety
        FROM {m} m JOIN {h} h ON h.id = m.household_id
        WHERE m.is_active AND h.status IN ({statuses}) {only}
        ORDER BY m.id
    """


def _frame(rows: list[tuple[object, ...]], as_of: dt.date) -> pl.DataFrame:
    cols = list(SCHEMA)
    data = {c: [None if r[i] is None else (str(r[i]) if SCHEMA[c] == pl.Utf8 else r[i]) for r in rows]
            for i, c in enumerate(cols)}
    df = pl.DataFrame({c: pl.Series(c, data[c], dtype=SCHEMA[c], strict=False) for c in cols})
    birth = pl.col("birth_date").str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    before_birthday = (birth.dt.month() * 100 + birth.dt.day()) > (as_of.month * 100 + as_of.day)
    return df.with_columns(
        birth_date=birth,
        age=(pl.lit(as_of.year) - birth.dt.year() - before_birthday.cast(pl.Int32)).cast(pl.Int32),
        has_medical_insurance=pl.col("has_medical_insurance").cast(pl.Boolean),
        receives_dibao=pl.col("receives_dibao").cast(pl.Boolean),
        receives_tekun=pl.col("receives_tekun").cast(pl.Boolean),
        housing_safety=pl.col("housing_safety").fill_null(""),
    )


def export_persons(path: Path, as_of: dt.date, province: str | None = None) -> int:
    """Write the persons snapshot to ``path`` (``province``: only its persons); returns the number of persons."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    writer: pq.ParquetWriter | None = None
    with connection.cursor() as cur:
        cur.execute(_sql(province))
        while True:
            rows = cur.fetchmany(CHUNK)
            if not rows and writer is not None:
                break
            table = _frame(rows, as_of).to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(str(path), table.schema)
            writer.write_table(table)
            n += len(rows)
            if not rows:
                break
    assert writer is not None
    writer.close()
    return n
