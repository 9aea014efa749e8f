"""The national snapshot (``fupin snapshot``): the registry exported from the database to Parquet, one partition per
province (``<relation>/province=<code>/part-0.parquet``), incrementally — only the provinces whose data changed since
the last snapshot are written again — with the snapshot's time recorded in ``_snapshot.json``. The batch jobs read it
on any engine (``exchange.engine``: DuckDB, Spark, PostgreSQL): the quality relations of ``quality.snapshot``
(persons, households, incomes, measures, monitoring, risks, villages; lines and id_regions for the whole country) and
the comparison's persons (``comparison_persons``, the columns of ``exchange.snapshot``).

The jobs read it when asked: ``fupin run_quality --snapshot DIR`` (``quality.services.run_quality(snapshot_dir=…)``)
takes the relations its enabled rules name from it — on DuckDB as views over the files (``attach``), on Spark or
PostgreSQL the files themselves (``paths_for``) — and ``fupin run_comparison --snapshot DIR`` its persons
(``exchange.snapshot.national_persons``); both default to the snapshot's reference date, record the snapshot they
read (directory, time taken, reference date) in the run's summary, and merge their hits into the findings and
doubts as a run over the database does. The columns that depend on the reference date (a person's age, the months
a household has been monitored) are recomputed for the run's date when a province's files were written for another.

A province changed when its fingerprint differs: the count and the latest change time or id of its households,
dossier versions (every edit through the services writes one), members, incomes, measures, monitoring records and
village records, computed in one set-based query per table.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from django.db import connection
from django.utils import timezone

from fupin.exchange import snapshot as persons_snapshot
from fupin.exchange.snapshot import COMPARISON, MANIFEST, National, dated, parquet_source, read_manifest
from fupin.quality import snapshot

PER_PROVINCE = ("persons", "households", "incomes", "measures", "monitoring", "risks", "villages")
WHOLE_COUNTRY = ("lines", "id_regions")

# table, the household id column or NULL (villages), the change column(s)
_MARKS = (
    ("registry_household", "h.id", "COUNT(*), MAX(h.updated_at)"),
    ("registry_householdversion", "x.household_id", "COUNT(*), MAX(x.recorded_at)"),
    ("registry_member", "x.household_id", "COUNT(*), MAX(x.id)"),
    ("registry_income", "x.household_id", "COUNT(*), MAX(x.id)"),
    ("lifecycle_measure", "x.household_id", "COUNT(*), MAX(x.updated_at)"),
    ("lifecycle_monitoringrecord", "x.household_id", "COUNT(*), MAX(x.id), MAX(x.ended_on)"),
)


@dataclass
class SnapshotResult:
    directory: Path
    taken_at: str
    written: dict[str, dict[str, int]] = field(default_factory=dict)  # province → relation → rows
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0


def fingerprints() -> dict[str, str]:
    """Province → a text that changes whenever any of its registry data changes."""
    parts: dict[str, list[str]] = {}
    with connection.cursor() as cur:
        for table, hid, marks in _MARKS:
            join = "" if table == "registry_household" else f" JOIN registry_household h ON h.id = {hid}"
            alias = "h" if table == "registry_household" else "x"
            cur.execute(f"SELECT substr(h.village_id, 1, 2), {marks} FROM {table} {alias}{join} "
                        f"GROUP BY substr(h.village_id, 1, 2)")
            for province, *values in cur.fetchall():
                parts.setdefault(province, []).append(f"{table}:" + ",".join(str(v) for v in values))
        cur.execute("SELECT substr(region_id, 1, 2), COUNT(*), MAX(id) FROM quality_villagerecord "
                    "GROUP BY substr(region_id, 1, 2)")
        for province, *values in cur.fetchall():
            parts.setdefault(province, []).append("villages:" + ",".join(str(v) for v in values))
    return {p: "|".join(v) for p, v in sorted(parts.items())}


def take(directory: Path, as_of: dt.date | None = None, *, provinces: list[str] | None = None,
         force: bool = False) -> SnapshotResult:
    """Write the provinces whose data changed since the last snapshot in ``directory`` (all with ``force``;
    ``provinces`` limits the set); record the time. A province is replaced whole (written beside, then swapped)."""
    started = time.perf_counter()
    directory.mkdir(parents=True, exist_ok=True)
    taken = timezone.now()
    as_of = as_of or timezone.localdate()
    manifest = read_manifest(directory)
    known: dict[str, dict] = manifest.get("provinces", {})
    marks = fingerprints()
    result = SnapshotResult(directory, taken.isoformat())
    wanted = sorted(marks) if provinces is None else sorted(set(provinces))
    for province in wanted:
        mark = marks.get(province)
        if mark is None:
            if province in known:  # the province has no data any more
                for relation in (*PER_PROVINCE, COMPARISON):
                    shutil.rmtree(directory / relation / f"province={province}", ignore_errors=True)
                known.pop(province)
                result.removed.append(province)
            continue
        if not force and known.get(province, {}).get("fingerprint") == mark:
            result.unchanged.append(province)
            continue
        result.written[province] = _write_province(directory, province, as_of)
        known[province] = {"fingerprint": mark, "taken_at": taken.isoformat(), "as_of": as_of.isoformat(),
                           "rows": result.written[province]}
    work = directory / ".whole-country"
    shutil.rmtree(work, ignore_errors=True)
    paths = snapshot.export(work, as_of, villages=set())  # the relations without households: lines, id_regions
    for name in WHOLE_COUNTRY:
        shutil.move(str(paths[name]), directory / f"{name}.parquet")
    shutil.rmtree(work, ignore_errors=True)
    manifest = {"taken_at": taken.isoformat(), "as_of": as_of.isoformat(), "provinces": known}
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    result.seconds = time.perf_counter() - started
    return result


def _write_province(directory: Path, province: str, as_of: dt.date) -> dict[str, int]:
    work = directory / f".work-{province}"
    shutil.rmtree(work, ignore_errors=True)
    paths = snapshot.export(work, as_of, province=province)
    rows = {}
    comparison = work / f"{COMPARISON}.parquet"
    rows[COMPARISON] = persons_snapshot.export_persons(comparison, as_of, province=province)
    paths = {**paths, COMPARISON: comparison}
    import pyarrow.parquet as pq

    for relation in (*PER_PROVINCE, COMPARISON):
        target = directory / relation / f"province={province}"
        staged = work / relation
        staged.mkdir()
        shutil.move(str(paths[relation]), staged / "part-0.parquet")
        rows.setdefault(relation, pq.ParquetFile(staged / "part-0.parquet").metadata.num_rows)
        old = directory / relation / f".old-{province}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.rename(old)
        staged.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    return rows


def relations(directory: Path) -> dict[str, Path]:
    """The snapshot's relations by name, for ``engine`` backends (directories are read with their partitions)."""
    out = {name: directory / name for name in PER_PROVINCE if (directory / name).is_dir()}
    out.update({name: directory / f"{name}.parquet" for name in WHOLE_COUNTRY})
    return out


# --- reading it: the quality run -----------------------------------------------------------------------------

def needed(words: set[str]) -> list[str]:
    """The snapshot's relations that SQL with the identifiers ``words`` (``snapshot.words``) reads."""
    return [name for name in snapshot.NAMES if name in words]


def _dated_columns(name: str) -> dict[str, str]:
    """Column → DuckDB expression of the columns of relation ``name`` that depend on the reference date."""
    for rel in snapshot.FROM_DATABASE:
        if rel.name == name:
            return {d: expr for d, expr, _inputs in rel.derived if "{as_of" in expr}
    return {}


def _select(found: National, name: str, as_of: dt.date, latest_incomes: bool) -> str:
    replace = ", ".join(f"{dated(expr, as_of)} AS {column}" for column, expr in _dated_columns(name).items())
    where = " WHERE is_latest" if name == "incomes" and latest_incomes else ""
    return (f"SELECT *{f' REPLACE ({replace})' if replace else ''} FROM {parquet_source(found.paths[name])}"
            f"{where}")


def attach(con: duckdb.DuckDBPyConnection, found: National, as_of: dt.date, *, latest_incomes: bool = False) -> None:
    """The snapshot's relations as views of ``con`` under their names, as ``snapshot.load`` creates them from the
    database: without the partition column, the dated columns computed for ``as_of``, ``incomes`` limited to each
    household's latest year with ``latest_incomes``. The rules then read the files, only the columns they name."""
    for name in found.paths:
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {_select(found, name, as_of, latest_incomes)}")


def paths_for(con: duckdb.DuckDBPyConnection, found: National, as_of: dt.date, work: Path) -> dict[str, Path]:
    """The snapshot's relations as files for another engine (Spark, PostgreSQL): the snapshot's own, except a
    relation with dated columns when a province was written for another date than ``as_of`` — that one is written
    under ``work`` from the view of ``attach`` (which ``con`` must hold)."""
    stale = found.stale(as_of)
    redo = [name for name in found.paths if stale and _dated_columns(name)]
    return {**found.paths, **(snapshot.write(con, work, redo) if redo else {})}
