"""The registry snapshot the quality rules read, as tables of a DuckDB connection (``load``: what a run reads) or one
Parquet file per relation (``export``: the national snapshot, the other engines). The rows come from the database as
``COPY … TO STDOUT`` parsed by Arrow (``core.bulk.read_arrow``, no Python value per cell), two relations at once on
their own connections sharing one REPEATABLE READ snapshot when no transaction is open; persons and measures are read
without the household join, which DuckDB does; the derived columns (age, id_ok, months, risks, members) are computed
by DuckDB. ``load`` reads only the relations and columns the rules to run name (``needs``) and, unless a rule reads
other years, each household's latest income year only. Every relation tied to a household carries ``record_id``,
``household_id``, ``region_code`` (the village) and ``status`` (the household's), so that the engine can limit
any of them to a rule's statuses and a parameter set's provinces.

Relations and their columns:

- ``persons`` — active members: record_id (member id), household_id, region_code, status, attribute (the
  household's), id_type, id_number, sex, birth_date, age (completed years on the reference date), relation,
  education, schooling, health, disability_category, disability_grade, labour_skill, work_location,
  work_months, welfare_job_months, has_medical_insurance, has_serious_illness_insurance,
  has_pension_insurance, receives_dibao, receives_tekun, id_ok (a resident ID number of 18 characters whose
  first 17 are digits: the rules that read its parts check it first);
- ``households`` — record_id (= household_id), household_id, region_code, status, number, standard, attribute,
  main_cause, phone, identified_year, exit_year, has_production_power, has_living_power, road_type,
  housing_area, housing_safety, water_safe, water_difficult, fuel_type, latest_income_year, latest_per_capita,
  cultivated_land, members (active members);
- ``incomes`` — one row per household and year: record_id (household id), household_id, region_code, status,
  year, household_size, the components of ``registry.INCOME_FIELDS``, business_expense, net_total, per_capita,
  is_latest;
- ``measures`` — record_id (measure id), household_id, region_code, status, type, start_date, end_date, funds;
- ``monitoring`` — record_id (monitoring record id), household_id, region_code, status, category, started_on,
  ended_on, elimination_method, risk_count, months (whole months monitored up to the end or the reference date);
- ``risks`` — one row per risk of a monitoring record: record_id (the record's id), household_id,
  region_code, status, risk, open (the record has not ended);
- ``villages`` — villages with registered households, basic data or the poor-village flag: record_id (code),
  household_id (NULL), region_code (code), status (''), is_poor_village, poor_exit_year, and from the latest
  village basic data (``VillageRecord``; NULL without one) data_as_of, data_households, data_persons,
  hardened_road, unsafe_water_households, dangerous_housing_households;
- ``lines`` — year, standard (national, provincial, monitoring), province, amount (registry.PovertyLine);
- ``id_regions`` — code, from_year, to_year: the region codes of resident ID numbers and the years they were
  in force (python-stdnum's database).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
from django.db import connection, connections, transaction

from fupin.core.bulk import read_arrow
from fupin.core.sql import is_postgres
from fupin.core.tree import is_code, subtree_bounds
from fupin.exchange.snapshot import AGE
from fupin.quality.catalogue import REGISTERED
from fupin.registry.models import INCOME_FIELDS

S, N, F, B, D = pa.string(), pa.int64(), pa.float64(), pa.bool_(), pa.date32()  # N: whole numbers
KEYS = ("record_id", "household_id", "region_code", "status")  # read always (the runner limits relations by them)

# The households the snapshot holds: registered now or before (monitored ones included).
SNAPSHOT_STATUSES = REGISTERED


def _statuses() -> str:
    return ", ".join(f"'{s}'" for s in SNAPSHOT_STATUSES)


HOUSEHOLD_JOIN = f"JOIN registry_household h ON h.id = x.household_id AND h.status IN ({_statuses()})"


@dataclass(frozen=True)
class Relation:
    """A relation of the snapshot: the columns read from the database (name, Arrow type, SQL expression) from
    ``source`` (``{only}``/``{only_villages}``: the villages or province asked for), then the ``derived`` columns
    DuckDB computes over them (name, expression, the read columns it needs; ``{as_of}``, ``{as_of_md}``).
    ``prunable``: ``load`` may leave out the columns no rule names."""

    name: str
    columns: tuple[tuple[str, pa.DataType, str], ...]
    source: str
    derived: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    prunable: bool = True
    hidden: tuple[str, ...] = ()  # read columns the relation does not show (inputs of derived columns)
    # Read without the household: ``source`` names ``x`` only, and the columns of ``h`` (``h.village_id`` …) come
    # from the households relation in DuckDB, joined there (which also drops the rows of other statuses): the
    # database then only scans and prints the table, the costliest part of the snapshot for the largest ones.
    bare: bool = False

    def from_household(self, name: str) -> bool:
        return self.bare and {c: e for c, _t, e in self.columns}[name].startswith("h.")

    def sql(self, names: Iterable[str], only: str, only_villages: str) -> str:
        exprs = {c: e for c, _t, e in self.columns}
        select = ", ".join(exprs[n] for n in names if not self.from_household(n))
        if self.bare and only:
            only = f"AND x.household_id IN (SELECT h.id FROM registry_household h WHERE h.status IN ({_statuses()}) {only})"
        return f"SELECT {select} {self.source}".replace("{only}", only).replace("{only_villages}", only_villages)

    def schema(self, names: Iterable[str]) -> pa.Schema:
        """The Arrow schema of ``sql``'s rows."""
        types = {c: t for c, t, _e in self.columns}
        return pa.schema([(n, types[n]) for n in names if not self.from_household(n)])


def _household_keys(record_id: str = "x.id") -> tuple[tuple[str, pa.DataType, str], ...]:
    return (("record_id", N, record_id), ("household_id", N, "x.household_id"), ("region_code", S, "h.village_id"),
            ("status", S, "h.status"))


END = "COALESCE(ended_on, DATE '{as_of}')"
MONTHS = (f"year({END}) * 12 + month({END}) - year(started_on) * 12 - month(started_on) - "
          f"CASE WHEN day({END}) < day(started_on) THEN 1 ELSE 0 END")
RISK_LIST = "from_json(risks_text, '[\"VARCHAR\"]')"
# A resident ID number (type 1) of 18 characters whose first 17 are digits: the rules on its parts need it.
ID_OK = "id_type = '1' AND length(id_number) = 18 AND translate(substr(id_number, 1, 17), '0123456789', '') = ''"

PERSONS = Relation("persons", (
    *_household_keys(), ("attribute", S, "h.attribute"),
    *((c, S, f"x.{c}") for c in ("id_type", "id_number", "sex")), ("birth_date", D, "x.birth_date"),
    *((c, S, f"x.{c}") for c in ("relation", "education", "schooling", "health", "disability_category",
                                 "disability_grade", "labour_skill", "work_location")),
    ("work_months", N, "x.work_months"), ("welfare_job_months", N, "x.welfare_job_months"),
    *((c, B, f"x.{c}") for c in ("has_medical_insurance", "has_serious_illness_insurance", "has_pension_insurance",
                                 "receives_dibao", "receives_tekun")),
), "FROM registry_member x WHERE x.is_active {only}",
    (("age", AGE, ("birth_date",)), ("id_ok", ID_OK, ("id_type", "id_number"))), bare=True)

HOUSEHOLDS = Relation("households", (
    ("record_id", N, "h.id"), ("household_id", N, "h.id"), ("region_code", S, "h.village_id"), ("status", S, "h.status"),
    *((c, S, f"h.{c}") for c in ("number", "standard", "attribute", "main_cause", "phone")),
    ("identified_year", N, "h.identified_year"), ("exit_year", N, "h.exit_year"),
    ("has_production_power", B, "h.has_production_power"), ("has_living_power", B, "h.has_living_power"),
    ("road_type", S, "h.road_type"), ("housing_area", F, "h.housing_area"), ("housing_safety", S, "h.housing_safety"),
    ("water_safe", B, "h.water_safe"), ("water_difficult", B, "h.water_difficult"), ("fuel_type", S, "h.fuel_type"),
    ("latest_income_year", N, "h.latest_income_year"), ("latest_per_capita", F, "h.latest_per_capita"),
    ("cultivated_land", F, "h.cultivated_land"),
), f"FROM registry_household h WHERE h.status IN ({_statuses()}) {{only}}",
    # active members: the persons relation holds exactly the active members of these households
    (("members", "(SELECT COUNT(*) FROM persons m WHERE m.household_id = t.household_id)", ()),))

INCOMES = Relation("incomes", (
    *_household_keys("x.household_id"), ("year", N, "x.year"), ("household_size", N, "x.household_size"),
    *((f, F, f"x.{f}") for f in INCOME_FIELDS), ("business_expense", F, "x.business_expense"),
    ("net_total", F, "x.net_total"),
    ("is_latest", B, "CASE WHEN x.year = h.latest_income_year THEN 1 ELSE 0 END"),
), f"FROM registry_income x {HOUSEHOLD_JOIN} WHERE 1 = 1 {{only}}",
    (("per_capita", "round(net_total / household_size, 2)", ("net_total", "household_size")),))

MEASURES = Relation("measures", (
    *_household_keys(), ("type", S, "x.type"), ("start_date", D, "x.start_date"), ("end_date", D, "x.end_date"),
    ("funds", F, "x.funds"),
), "FROM lifecycle_measure x WHERE 1 = 1 {only}", bare=True)

MONITORING = Relation("monitoring", (
    *_household_keys(), ("category", S, "x.category"), ("started_on", D, "x.started_on"),
    ("ended_on", D, "x.ended_on"), ("elimination_method", S, "x.elimination_method"),
    ("risks_text", S, "CAST(x.risks AS TEXT)"),
), f"FROM lifecycle_monitoringrecord x {HOUSEHOLD_JOIN} WHERE 1 = 1 {{only}}",
    (("risk_count", f"CAST(len({RISK_LIST}) AS BIGINT)", ("risks_text",)), ("months", MONTHS, ())),
    prunable=False, hidden=("risks_text",))

VILLAGES = Relation("villages", (
    ("record_id", S, "r.code"), ("household_id", N, "NULL"), ("region_code", S, "r.code"), ("status", S, "''"),
    ("is_poor_village", B, "r.is_poor_village"), ("poor_exit_year", N, "r.poor_exit_year"),
    ("data_as_of", D, "v.as_of"), ("data_households", N, "v.households"), ("data_persons", N, "v.persons"),
    ("hardened_road", B, "v.hardened_road"), ("unsafe_water_households", N, "v.unsafe_water_households"),
    ("dangerous_housing_households", N, "v.dangerous_housing_households"),
), f"""FROM regions_region r
    LEFT JOIN quality_villagerecord v ON v.region_id = r.code
        AND v.as_of = (SELECT MAX(w.as_of) FROM quality_villagerecord w WHERE w.region_id = r.code)
    WHERE r.level = 5 AND (r.is_poor_village OR v.id IS NOT NULL OR EXISTS (
        SELECT 1 FROM registry_household h WHERE h.village_id = r.code AND h.status IN ({_statuses()}))) {{only_villages}}""",
    prunable=False)

LINES = Relation("lines", (("year", N, "year"), ("standard", S, "standard"), ("province", S, "province"),
                           ("amount", F, "amount")), "FROM lifecycle_povertyline", prunable=False)

FROM_DATABASE = (PERSONS, HOUSEHOLDS, INCOMES, MEASURES, MONITORING, VILLAGES, LINES)
NAMES = ("persons", "households", "incomes", "measures", "monitoring", "risks", "villages", "lines", "id_regions")
WORD = re.compile(r"[a-z_][a-z0-9_]*")


def words(texts: Iterable[str]) -> set[str]:
    """The identifiers in SQL texts: what ``load`` must provide for them (relation and column names)."""
    return set(WORD.findall(" ".join(texts).lower()))


def _chosen(needs: set[str] | None) -> dict[str, list[str]]:
    """Relation → the columns to read from the database, for the rules' words ``needs`` (None: everything)."""
    out: dict[str, list[str]] = {}
    wanted = None if needs is None else set(needs)
    if wanted is not None:
        if "risks" in wanted:
            wanted.add("monitoring")
        if "members" in wanted:
            wanted.add("persons")
    if wanted is not None and wanted & {r.name for r in FROM_DATABASE if r.bare}:
        wanted.add("households")  # they take their region, status (persons: attribute) from it
        for rel in FROM_DATABASE:
            if rel.bare and rel.name in wanted:
                wanted.update(c for c, _t, _e in rel.columns if rel.from_household(c))
    for rel in FROM_DATABASE:
        if wanted is not None and rel.name not in wanted:
            continue
        if wanted is None or not rel.prunable:
            out[rel.name] = [c for c, _t, _e in rel.columns]
            continue
        keep = set(KEYS) | (wanted & {c for c, _t, _e in rel.columns})
        for name, _expr, inputs in rel.derived:
            if name in wanted:
                keep.update(inputs)
        out[rel.name] = [c for c, _t, _e in rel.columns if c in keep]
    return out


def _filters(villages: set[str] | None, province: str | None) -> tuple[str, str]:
    codes = ", ".join(f"'{v}'" for v in sorted(villages or ()) if is_code(v)) or "''"
    only, only_villages = ("", "") if villages is None else (f"AND h.village_id IN ({codes})", f"AND r.code IN ({codes})")
    if province is not None:
        if not is_code(province):
            raise ValueError(f"not a province code: {province!r}")
        lo, hi = subtree_bounds(province)
        only += f" AND h.village_id BETWEEN '{lo}' AND '{hi}'"
        only_villages += f" AND r.code BETWEEN '{lo}' AND '{hi}'"
    return only, only_villages


def _read_all(jobs: dict[str, tuple[str, pa.Schema]], parallel: int) -> dict[str, pa.Table]:
    """Each job's rows as Arrow, all from one consistent state of the database. On PostgreSQL outside a
    transaction: one read-only REPEATABLE READ transaction whose snapshot (``pg_export_snapshot``) up to
    ``parallel - 1`` helper threads share on their own connections, each taking the next relation not yet read —
    the database works on one relation while Arrow parses another, and every relation still sees the same rows
    (as ``pg_dump --jobs`` does). Inside a caller's transaction (a test, an atomic block) on this connection only,
    which alone sees its rows."""
    if not is_postgres() or connection.in_atomic_block:
        return {name: read_arrow(sql, schema) for name, (sql, schema) in jobs.items()}
    # the largest first, so that the small ones fill in beside it
    order = sorted(jobs, key=lambda n: ("persons", "incomes", "households").index(n)
                   if n in ("persons", "incomes", "households") else 9)
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            row = cur.fetchone()
        snapshot_id = row[0] if row else ""

        out: dict[str, pa.Table] = {}
        queue = iter(order)
        lock = threading.Lock()

        def take() -> str | None:
            with lock:
                return next(queue, None)

        def helper() -> None:
            try:
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    cur.execute("SET TRANSACTION SNAPSHOT %s", [snapshot_id])
                    while (name := take()) is not None:
                        out[name] = read_arrow(*jobs[name])
            finally:
                connections.close_all()  # this thread's connection

        with ThreadPoolExecutor(max_workers=max(1, parallel - 1)) as pool:
            helpers = [pool.submit(helper) for _ in range(parallel - 1)]
            while (name := take()) is not None:  # this connection takes its share of the relations too
                out[name] = read_arrow(*jobs[name])
            for h in helpers:
                h.result()
    return out


def load(con: duckdb.DuckDBPyConnection, as_of: dt.date, *, villages: set[str] | None = None,
         province: str | None = None, needs: set[str] | None = None, latest_incomes: bool = False,
         parallel: int = 2) -> dict[str, int]:
    """Create the snapshot's relations as tables of ``con`` (replacing any of the same name); relation → rows.
    ``villages``: only those villages' households (the check of a few households at entry); ``province``: only
    that province's (``national``); ``needs``: the words of the SQL that will run (``words``) — only the relations
    and columns they name are read (None: all of them); ``latest_incomes``: ``incomes`` holds each household's
    latest year only (its ``is_latest`` rows — an eighth of the relation), for rules that read no other year."""
    chosen = _chosen(needs)
    only, only_villages = _filters(villages, province)
    rels = {r.name: r for r in FROM_DATABASE}
    latest = " AND x.year = h.latest_income_year" if latest_incomes else ""
    jobs = {name: (rels[name].sql(cols, only + (latest if name == "incomes" else ""), only_villages),
                   rels[name].schema(cols)) for name, cols in chosen.items()}
    tables = _read_all(jobs, parallel)
    values = {"as_of": f"{as_of.isoformat()}", "as_of_md": str(as_of.month * 100 + as_of.day)}
    rows: dict[str, int] = {}
    if "households" in tables:  # first: the bare relations join it (and its ``members`` counts persons, after)
        con.register("_raw", tables["households"])
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE _households AS SELECT * FROM _raw")
        finally:
            con.unregister("_raw")
    for name in ("persons", "measures", "households", "incomes", "monitoring", "villages", "lines"):
        if name not in tables:
            continue
        rel, cols = rels[name], chosen[name]
        derived = [f"{expr.format(**values)} AS {d}" for d, expr, inputs in rel.derived
                   if (needs is None or d in needs or not rel.prunable) and set(inputs) <= set(cols)]
        shown = [f"h.{c}" if rel.from_household(c) else f"t.{c}" for c in cols if c not in rel.hidden]
        source = ("_raw t JOIN _households h ON h.household_id = t.household_id" if rel.bare
                  else "_households t" if name == "households" else "_raw t")
        con.register("_raw", tables.pop(name))
        try:
            if name == "monitoring":
                con.execute("CREATE OR REPLACE TABLE risks AS SELECT * FROM (SELECT record_id, household_id, "
                            f"region_code, status, unnest({RISK_LIST}) AS risk, ended_on IS NULL AS \"open\" FROM _raw) "
                            "WHERE risk IS NOT NULL")
                rows["risks"] = _count(con, "risks")
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {', '.join(shown + derived)} FROM {source}")
        finally:
            con.unregister("_raw")
        rows[name] = _count(con, name)
    con.execute("DROP TABLE IF EXISTS _households")
    if needs is None or "id_regions" in needs:
        con.register("_raw", _id_regions())
        try:
            con.execute("CREATE OR REPLACE TABLE id_regions AS SELECT * FROM _raw")
        finally:
            con.unregister("_raw")
        rows["id_regions"] = _count(con, "id_regions")
    return rows


def _count(con: duckdb.DuckDBPyConnection, name: str) -> int:
    row = con.execute(f"SELECT COUNT(*) FROM {name}").fetchone()
    return int(row[0]) if row else 0


def _id_regions() -> pa.Table:
    from fupin.registry.idnumber import region_periods

    rows = [(code, a, b) for code, spans in region_periods().items() for a, b in spans]
    return pa.table({"code": pa.array([r[0] for r in rows], S), "from_year": pa.array([r[1] for r in rows], N),
                     "to_year": pa.array([r[2] for r in rows], N)})


def write(con: duckdb.DuckDBPyConnection, directory: Path, names: Iterable[str]) -> dict[str, Path]:
    """The tables ``names`` of ``con`` as Parquet files under ``directory``; name → path."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in names:
        paths[name] = directory / f"{name}.parquet"
        quoted = str(paths[name]).replace("'", "''")
        con.execute(f"COPY {name} TO '{quoted}' (FORMAT parquet)")
    return paths


def export(directory: Path, as_of: dt.date, villages: set[str] | None = None, province: str | None = None
           ) -> dict[str, Path]:
    """Write every relation under ``directory`` as Parquet; returns name → path. ``villages``: only those villages'
    households (the check of a few households at entry); ``province``: only that province's (``national``)."""
    con = duckdb.connect()
    try:
        load(con, as_of, villages=villages, province=province)
        return write(con, directory, NAMES)
    finally:
        con.close()

