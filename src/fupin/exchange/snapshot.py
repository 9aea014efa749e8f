"""The registry snapshot the rules read: one row per active member of a registered household, written
to Parquet straight from the database cursor in chunks (no ORM objects), with the age on the reference
date computed in polars.

A run may read the national snapshot instead (``fupin snapshot``, written by ``quality.national``: one directory per
relation, partitioned by province, and the manifest ``_snapshot.json`` with the time it was taken and each province's
reference date). ``national`` opens one for a batch job and refuses a directory that holds none or lacks a relation
the job needs; ``national_persons`` gives the comparison its persons from it — the snapshot's files as they are when
every province was written for the run's reference date, else a copy with the ages recomputed for it (an incremental
snapshot keeps the files, and so the ages, of the provinces that did not change).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow.parquet as pq
from django.core.exceptions import ValidationError
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
    # month and day are Int8: widened before ``* 100`` (which overflowed, and made many ages a year off)
    before_birthday = (birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day().cast(pl.Int32)) > (
        as_of.month * 100 + as_of.day)
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


# --- the national snapshot, as the batch jobs read it --------------------------------------------------------

MANIFEST = "_snapshot.json"
COMPARISON = "comparison_persons"
# Completed years on the reference date (DuckDB; ``{as_of}``, ``{as_of_md}``: month * 100 + day), as ``_frame`` counts
# them: the quality snapshot's ``age`` and a stale comparison snapshot's recomputed one.
AGE = ("CAST(year(DATE '{as_of}') - year(birth_date) - CASE WHEN month(birth_date) * 100 + day(birth_date) "
       "> {as_of_md} THEN 1 ELSE 0 END AS INTEGER)")


def dated(expression: str, as_of: dt.date) -> str:
    """``expression`` (``AGE`` …) on the reference date ``as_of``."""
    return expression.format(as_of=as_of.isoformat(), as_of_md=str(as_of.month * 100 + as_of.day))


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    return json.loads(path.read_text()) if path.exists() else {"provinces": {}}


def relation_path(directory: Path, name: str) -> Path | None:
    """Where the snapshot in ``directory`` keeps ``name``: a directory of province partitions or one file (the
    relations of the whole country); None when it holds no rows of it."""
    if (directory / name).is_dir():
        return directory / name if any((directory / name).glob("province=*/*.parquet")) else None
    single = directory / f"{name}.parquet"
    return single if single.is_file() else None


@dataclass(frozen=True)
class National:
    """A national snapshot opened for a batch job: the manifest's dates and the relations the job reads."""

    directory: Path
    taken_at: str
    as_of: dt.date  # the reference date of the latest snapshot taken into the directory
    provinces: dict[str, dt.date]  # province → the reference date its files were written for
    paths: dict[str, Path] = field(default_factory=dict)  # the relations the job reads (``require``)

    def require(self, names: Iterable[str]) -> National:
        """This snapshot with the relations ``names``; refuses (``ValidationError``, "中文 / English") when it lacks
        one of them."""
        paths = {name: relation_path(self.directory, name) for name in sorted(set(names))}
        missing = [name for name, path in paths.items() if path is None]
        if missing:
            raise ValidationError(f"全国快照 {self.directory} 缺少所需的数据：{', '.join(missing)} / the national "
                                  f"snapshot in {self.directory} lacks relations the run needs: {', '.join(missing)}")
        return replace(self, paths={name: path for name, path in paths.items() if path is not None})

    def stale(self, as_of: dt.date) -> list[str]:
        """The provinces whose files were written for another reference date than ``as_of``."""
        return sorted(p for p, d in self.provinces.items() if d != as_of)

    def record(self, **extra: Any) -> dict[str, Any]:
        """What a run records of the snapshot it read (its summary's ``snapshot``)."""
        return {"directory": str(self.directory), "taken_at": self.taken_at, "as_of": self.as_of.isoformat(),
                "provinces": len(self.provinces), **extra}


def national(directory: Path) -> National:
    """The national snapshot in ``directory``; refuses (``ValidationError``, "中文 / English") a directory without one."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    if not (directory / MANIFEST).is_file() or "taken_at" not in manifest:
        raise ValidationError(f"{directory} 中没有全国快照（缺少 {MANIFEST}，请先运行 fupin snapshot） / no national "
                              f"snapshot in {directory} (no {MANIFEST}: run fupin snapshot first)")
    provinces = {p: dt.date.fromisoformat(v["as_of"]) for p, v in manifest.get("provinces", {}).items()}
    return National(directory, manifest["taken_at"], dt.date.fromisoformat(manifest["as_of"]), provinces)


def count_rows(path: Path) -> int:
    """The rows of a Parquet file or of every file of a partitioned directory, from their footers."""
    files = sorted(path.glob("**/*.parquet")) if path.is_dir() else [path]
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def parquet_source(path: Path) -> str:
    """DuckDB's reader of a snapshot relation (a partitioned directory or a file), without the partition column."""
    if path.is_dir():
        quoted = str(path / "**" / "*.parquet").replace("'", "''")
        return f"(SELECT * EXCLUDE (province) FROM read_parquet('{quoted}', hive_partitioning = true))"
    quoted = str(path).replace("'", "''")
    return f"read_parquet('{quoted}')"


def national_persons(found: National, as_of: dt.date, work: Path) -> tuple[Path, bool]:
    """The comparison's persons from the national snapshot for the reference date ``as_of``: its directory as it is
    when every province was written for ``as_of`` (False: nothing to remove), else ``work``, a copy with the ages
    recomputed for ``as_of`` (True: the caller removes it)."""
    path = found.paths[COMPARISON]
    if not found.stale(as_of):
        return path, False
    work.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        quoted = str(work).replace("'", "''")
        con.execute(f"COPY (SELECT * REPLACE ({dated(AGE, as_of)} AS age) FROM {parquet_source(path)}) "
                    f"TO '{quoted}' (FORMAT parquet)")
    finally:
        con.close()
    return work, True
