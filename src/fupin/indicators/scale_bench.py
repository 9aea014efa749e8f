"""``fupin bench pgscale --from DIR [--milestones 1000000,3000000,10000000] [--partitioning N]`` (issue 19, PostgreSQL
only; ``make bench-pgscale``): the national registry in PostgreSQL at a third of the nation.

Input: the generator's Parquet (``DIR/<table>/province=<code>/part-<n>.parquet``, ``registry.synth``'s
layout and columns). The registry is imported province by province (provinces in code order, 11 … 65) through the real
import service (``registry.services.import_registry``) from the collection form's three CSV files, written from the
Parquet with polars and the exporter's own conversion (``exporter.to_template``), in parts of at most
``--part-households`` households (default 250,000): whole counties in code order, a county larger than a part split
by its villages in code order. Each part is timed (persons/s; the sustained rate over all parts so far as the tables
grow) and, in the same run, a bare COPY of the same rows (households, members, incomes, from the same Parquet) into
unindexed tables (``CREATE TABLE … (LIKE … INCLUDING DEFAULTS)``: no index, no key; emptied after each part, dropped
at the end): the import / bare-COPY ratio is printed for every part, for the parts up to each milestone and overall.
The CSV files are deleted after each part. ``--streams N`` imports N parts at a time (threads, each with its own
connection and transaction, as N workers of the job queue): the parts are converted in waves of ``WAVE``, imported,
then COPYed bare one after another with nothing else running; the rate is the wave's wall time.

``--measure floor``: one part COPYed into the real, indexed tables (no foreign-key triggers, as the import appends) in
a transaction rolled back, beside its bare COPY — the least the import / bare-COPY ratio can be with these indexes.

At each milestone (the first part boundary at or past it; whole parts, so the printed counts are the actual ones):
ANALYZE; table and index sizes; the list, search and dossier pages at county, province and nation scope
(``registry.bench.page_rows``); indicators: full refresh of 2020 then the incremental refresh after 1,000 households
changed (``indicators.bench._change``); exit evaluation of every household (``lifecycle.evaluation.summary``); every
warning rule (``monitoring.services.run_rules``, with the provinces' monitoring lines and the medical-expense batch
and risk reports of ``monitoring.bench.plant``).

At the ``--partitioning`` milestone (default the largest reached): copies of registry_household and registry_member
with a ``province`` column, once plain and once LIST-partitioned by province (one partition per province), with the
same indexes as the real tables (unique ones as plain indexes: a unique index of a partitioned table must contain the
province), loaded with INSERT … SELECT from the real tables, then the same representative queries timed on both; the
copies are dropped afterwards. Only one pair of copies exists at a time (plain first, then partitioned)."""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings

from fupin.core.benchmarks import Row, load, timed
from fupin.core.sql import analyze, is_postgres

PART_HOUSEHOLDS = 250_000
DEFAULT_MILESTONES = (1_000_000, 3_000_000, 10_000_000)
TABLES = ("households", "members", "incomes")
REAL = {"households": "registry_household", "members": "registry_member", "incomes": "registry_income"}
BARE = {t: f"pgscale_bare_{t}" for t in TABLES}


def _peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------------------------- parts and conversion


@dataclass(frozen=True)
class Part:
    """Households of ``province`` whose village code lies in ``lo`` … ``hi`` (whole counties, or villages of one)."""

    province: str
    lo: str
    hi: str
    households: int


def _files(root: Path, table: str, province: str) -> str:
    return str(root / table / f"province={province}" / "*.parquet")


def provinces_in(root: Path) -> list[str]:
    """The provinces of the input, in code order (the order of the import)."""
    return sorted(p.name.split("=", 1)[1] for p in (root / "households").glob("province=*") if p.is_dir())


def _greedy(counts: list[tuple[str, int]], limit: int) -> list[list[tuple[str, int]]]:
    groups: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    total = 0
    for key, n in counts:
        if current and total + n > limit:
            groups.append(current)
            current, total = [], 0
        current.append((key, n))
        total += n
    if current:
        groups.append(current)
    return groups


def plan_parts(root: Path, province: str, limit: int = PART_HOUSEHOLDS) -> list[Part]:
    """The parts of a province: counties in code order grouped up to ``limit`` households; a larger county split by
    its villages in code order."""
    villages = (pl.scan_parquet(_files(root, "households", province), hive_partitioning=False)
                .group_by("village_id").agg(pl.len().alias("n")).sort("village_id").collect())
    counties = (villages.group_by(pl.col("village_id").str.slice(0, 6).alias("county")).agg(pl.col("n").sum())
                .sort("county"))
    parts: list[Part] = []
    for group in _greedy([(str(c), int(n)) for c, n in counties.iter_rows()], limit):
        total = sum(n for _c, n in group)
        if total <= limit or len(group) > 1:
            parts.append(Part(province, group[0][0] + "0" * 6, group[-1][0] + "9" * 6, total))
            continue
        county = group[0][0]
        inner = [(str(v), int(n)) for v, n in villages.filter(pl.col("village_id").str.starts_with(county)).iter_rows()]
        for sub in _greedy(inner, limit):
            parts.append(Part(province, sub[0][0], sub[-1][0], sum(n for _v, n in sub)))
    return parts


def _typed(frame: pl.DataFrame, sheet: Any) -> pl.DataFrame:
    """Generator rows (the registry's columns, Arrow types of ``demo.arrow_schema``) in the typed form of
    ``exporter.read_subtree``: decimals as exact text, code lists as lists, dates as text."""
    from fupin.registry.template import CADRE_FIELD, cents_text

    exprs = []
    for c in sheet.columns:
        if c.field == CADRE_FIELD:  # team members are not in the collection form: blank keeps none
            exprs.append(pl.lit(None, pl.Utf8).alias(c.field))
        elif c.field == "household":
            exprs.append(pl.col("number").alias(c.field))
        elif c.kind == "decimal":
            exprs.append(cents_text((pl.col(c.field).cast(pl.Float64) * 100).round(0).cast(pl.Int64)).alias(c.field))
        elif c.kind == "codes":
            exprs.append(pl.col(c.field).str.json_decode(pl.List(pl.Utf8)).alias(c.field))
        elif c.kind == "date":
            exprs.append(pl.col(c.field).cast(pl.Utf8).alias(c.field))
        elif c.kind == "bool":
            exprs.append(pl.col(c.field).cast(pl.Boolean).alias(c.field))
        else:
            exprs.append(pl.col(c.field))
    return frame.select(exprs)


def read_part(root: Path, part: Part) -> dict[str, pl.DataFrame]:
    """The part's households, active members and incomes from the Parquet (registry columns)."""
    in_part = pl.col("village_id").is_between(pl.lit(part.lo), pl.lit(part.hi))
    hh = (pl.scan_parquet(_files(root, "households", part.province), hive_partitioning=False).filter(in_part)
          .sort("number").collect())
    keys = hh.lazy().select(pl.col("id").alias("household_id"), "number")
    members = (pl.scan_parquet(_files(root, "members", part.province), hive_partitioning=False)
               .filter(pl.col("is_active")).join(keys, on="household_id").sort("number", "id").collect())
    incomes = (pl.scan_parquet(_files(root, "incomes", part.province), hive_partitioning=False)
               .join(keys, on="household_id").sort("number", "year").collect())
    return {"households": hh, "members": members, "incomes": incomes}


def write_template_csv(frames: dict[str, pl.DataFrame], out: Path) -> list[Path]:
    """The collection form's three CSV files (UTF-8 with BOM, Chinese headers and code names) of ``frames``
    (``read_part``), as ``exporter.export_registry`` writes them."""
    from fupin.registry.exporter import to_template
    from fupin.registry.template import HOUSEHOLDS, INCOMES, MEMBERS, SHEETS

    typed = {HOUSEHOLDS.name: _typed(frames["households"], HOUSEHOLDS),
             MEMBERS.name: _typed(frames["members"], MEMBERS),
             INCOMES.name: _typed(frames["incomes"], INCOMES)}
    text = to_template(typed, masked=False)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for sheet in SHEETS:
        path = out / f"{sheet.name}.csv"
        text[sheet.name].write_csv(path, include_bom=True)
        paths.append(path)
    return paths


# ------------------------------------------------------------------------------------------------------- bare COPY


def _bare_csv(frames: dict[str, pl.DataFrame], out: Path) -> dict[str, tuple[list[str], Path]]:
    """The part's rows in the registry tables' own columns as CSV for COPY (written beforehand, not timed)."""
    import duckdb

    from fupin.registry.demo import HOUSEHOLD_COLUMNS, INCOME_COLUMNS, MEMBER_COLUMNS

    columns = {"households": list(HOUSEHOLD_COLUMNS), "members": list(MEMBER_COLUMNS), "incomes": list(INCOME_COLUMNS)}
    con = duckdb.connect()
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for table in TABLES:
        frame = frames[table].select(columns[table])  # noqa: F841 - read by DuckDB by name
        path = out / f"bare-{table}.csv"
        con.execute(f"COPY (SELECT * FROM frame) TO '{path}' (FORMAT csv, HEADER false)")
        written[table] = (columns[table], path)
    con.close()
    return written


def _bare_tables(create: bool) -> None:
    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"DROP TABLE IF EXISTS {BARE[table]}")
            if create:
                cur.execute(f"CREATE TABLE {BARE[table]} (LIKE {REAL[table]} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED)")


def _copy_file(cur: Any, table: str, cols: list[str], path: Path) -> float:
    """Seconds of a COPY of the CSV file ``path`` into ``table``."""
    started = time.perf_counter()
    with open(path, "rb") as f, cur.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN WITH (FORMAT csv)") as copy:
        while block := f.read(8 << 20):
            copy.write(block)
    return time.perf_counter() - started


def bare_copy(files: dict[str, tuple[list[str], Path]]) -> float:
    """Seconds of a bare COPY of the part's rows into the unindexed tables (emptied afterwards)."""
    with connection.cursor() as cur:
        spent = sum(_copy_file(cur, BARE[table], cols, path) for table, (cols, path) in files.items())
        cur.execute(f"TRUNCATE {', '.join(BARE.values())}")
    return spent


# ---------------------------------------------------------------------------------------------------------- floor

FLOOR_SHIFT = 1_000_000_000  # ids of the floor's copy: clear of the registry's


def floor(rows: list[Row], label: str, root: Path) -> None:
    """What the database alone needs to take a part: the rows of one part (the first of the largest province, keys
    changed so that they collide with nothing) COPYed into the real tables, with their indexes and checks but no
    foreign-key triggers (as the import appends), in a transaction rolled back; the same rows COPYed bare beside it.
    Their ratio is the least the import / bare-COPY ratio can be while the tables keep their indexes."""
    provinces = provinces_in(root)
    sizes = {p: pl.scan_parquet(_files(root, "households", p), hive_partitioning=False).select(pl.len()).collect().item()
             for p in provinces}
    part = plan_parts(root, max(provinces, key=lambda p: sizes[p]))[0]
    frames = read_part(root, part)
    frames = {
        "households": frames["households"].with_columns(pl.col("id") + FLOOR_SHIFT, number=pl.lit("F") + pl.col("number")),
        "members": frames["members"].with_columns(pl.col("id") + FLOOR_SHIFT, pl.col("household_id") + FLOOR_SHIFT,
                                                  id_number=pl.lit("F") + pl.col("id_number").str.slice(1)),
        "incomes": frames["incomes"].with_columns(pl.col("household_id") + FLOOR_SHIFT),
    }
    persons = frames["members"].height
    with tempfile.TemporaryDirectory(dir=settings.VAR_DIR) as folder:
        files = _bare_csv(frames, Path(folder))
        del frames
        _bare_tables(create=True)  # empty ones (an import's own are emptied after each part)
        bare = bare_copy(files)
        spent: dict[str, float] = {}

        class _RolledBack(Exception):
            pass

        try:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("SET LOCAL session_replication_role = replica")
                for table, (cols, path) in files.items():
                    spent[table] = _copy_file(cur, REAL[table], cols, path)
                raise _RolledBack
        except _RolledBack:
            pass
    indexed = sum(spent.values())
    rows.append((f"[{label}] floor: one part ({part.province} {part.lo[:6]}–{part.hi[:6]}, {persons:,} persons) COPYed "
                 f"into the real indexed tables (rolled back)", indexed,
                 f"bare COPY {bare:.1f} s; indexed / bare {indexed / max(bare, 1e-9):.2f}× (the least the import's "
                 f"ratio can be with these indexes); " + ", ".join(f"{t} {v:.1f} s" for t, v in spent.items())
                 + f"; {load()}"))


# ------------------------------------------------------------------------------------------------------ milestones


def _sizes(rows: list[Row]) -> None:
    tables = ("registry_household", "registry_member", "registry_income", "registry_historychunk",
              "registry_householdversion")
    with connection.cursor() as cur:
        for table in tables:
            cur.execute("SELECT pg_total_relation_size(%s), pg_relation_size(%s), pg_indexes_size(%s), "
                        "(SELECT reltuples FROM pg_class WHERE oid = %s::regclass)", [table] * 4)
            total, heap, indexes, tuples = cur.fetchone()
            per_row = f"; {total / tuples:,.0f} bytes/row" if tuples and tuples > 0 else ""
            rows.append((f"size {table}", 0.0, f"total {total / 2**20:,.0f} MiB = table {heap / 2**20:,.0f} MiB + "
                                                f"indexes {indexes / 2**20:,.0f} MiB; ~{max(tuples, 0):,.0f} rows{per_row}"))
            cur.execute("SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes "
                        "WHERE relname = %s ORDER BY 2 DESC", [table])
            rows.append((f"  indexes of {table}", 0.0, ", ".join(f"{n} {s / 2**20:,.0f} MiB" for n, s in cur.fetchall())))
        cur.execute("SELECT pg_database_size(current_database())")
        rows.append(("size of the whole database", 0.0, f"{cur.fetchone()[0] / 2**30:,.1f} GiB"))


def _users(province: str, county: str) -> list[tuple[str, Any]]:
    """Users of each scope who see personal data in clear (else a search by name or ID number finds nothing without
    a query): a county administrator of the county, one of the province, and (roles only a test can combine) a
    nationwide system administrator who is also a county administrator."""
    from fupin.core.models import User
    from fupin.core.roles import Role
    from fupin.regions.models import Region
    from fupin.testing import make_user

    out = []
    for username, region, roles in (("bench_pgscale_county", county, (Role.COUNTY_ADMIN,)),
                                    ("bench_pgscale_province", province, (Role.COUNTY_ADMIN,)),
                                    ("bench_pgscale_nation", None, (Role.SYSADMIN, Role.COUNTY_ADMIN))):
        node = Region.objects.get(code=region) if region else None
        user = User.objects.filter(username=username).first()
        if user is None:
            user = make_user(username, node, *roles)
        elif user.region_id != (node.code if node else None):
            user.region = node
            user.save(update_fields=["region"])
            user = User.objects.get(pk=user.pk)
        out.append((username.rsplit("_", 1)[1], user))
    return out


def _sample() -> tuple[str, str, Any, Any]:
    """The province with the most households, its county with the most, and a household in the middle of it."""
    from fupin.registry.models import Household

    with connection.cursor() as cur:
        cur.execute("SELECT substr(village_id, 1, 2), count(*) FROM registry_household GROUP BY 1 ORDER BY 2 DESC, 1 "
                    "LIMIT 1")
        province = cur.fetchone()[0]
        cur.execute("SELECT substr(village_id, 1, 6), count(*) FROM registry_household WHERE village_id BETWEEN %s AND %s "
                    "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1", [province + "0" * 10, province + "9" * 10])
        county, n = cur.fetchone()
    sample = (Household.objects.filter(village__code__range=(county + "0" * 6, county + "9" * 6)).order_by("id")
              [n // 2 : n // 2 + 1].get())
    member = sample.members.filter(is_active=True).order_by("id").first()
    return province, county, sample, member


def _monitoring_lines() -> int:
    """The monitoring line of every province for 2020 to this year (the warning rules compare incomes after 2020
    with the province's line only), with the demo values of ``lifecycle.demo_cases``."""
    from fupin.lifecycle.demo_cases import add_monitoring_lines
    from fupin.regions.models import Level, Region

    return add_monitoring_lines(dt.date.today().year,
                                Region.objects.filter(level=Level.PROVINCE).values_list("code", flat=True))


MEASURES = ("pages", "indicators", "exit", "warnings", "partitioning", "floor")


def measures(opts: dict[str, Any]) -> set[str]:
    """The ``--measure`` list (sizes are always measured); 'none' for sizes only."""
    given = {m.strip() for m in str(opts.get("measure") or ",".join(MEASURES)).split(",") if m.strip()} - {"none"}
    unknown = given - set(MEASURES)
    if unknown:
        raise CommandError(f"--measure: unknown {', '.join(sorted(unknown))} (choose from {', '.join(MEASURES)}, none)")
    return given


def milestone(rows: list[Row], label: str, measure: set[str] | None = None) -> None:
    """The figures of ``--measure`` (default all) on the registry as it is, after ANALYZE and the sizes."""
    from fupin.registry.models import Household

    measure = set(MEASURES) if measure is None else measure

    def analyze_all() -> None:
        with connection.cursor() as cur:
            analyze(cur)

    timed(f"[{label}] ANALYZE (whole database)", analyze_all, rows, lambda _r: load())
    _sizes(rows)
    total = Household.objects.count()
    if "pages" in measure:
        _pages(rows, label)
    if "indicators" in measure:
        _indicators(rows, label, total)
    if "exit" in measure:
        _exit(rows, label, total)
    if "warnings" in measure:
        _warnings(rows, label, total)


def _pages(rows: list[Row], label: str) -> None:
    from fupin.registry.bench import page_rows
    from fupin.registry.models import Member

    persons = Member.objects.filter(is_active=True).count()
    province, county, sample, member = _sample()
    rows.append((f"[{label}] pages: scopes county {county}, province {province}, nation; household {sample.number}",
                 0.0, load()))
    rows += page_rows(_users(province, county), sample, member, persons,
                      probes=("household list, ", "search by exact ID", "search by name", "dossier"))


def _indicators(rows: list[Row], label: str, total: int) -> None:
    from fupin.indicators import services as indicators
    from fupin.indicators.bench import _change, _change_incomes, _timings

    period = indicators.ensure_period("2020")
    timed(f"[{label}] indicators: full refresh 2020, {total:,} households", lambda: indicators.refresh(period, full=True),
          rows, lambda r: f"{_timings(r)}; {load()}")
    changed, villages = _change(1000)
    with override_settings(FUPIN_INDICATOR_REFRESH_OVERLAP=0):
        timed(f"[{label}] indicators: incremental refresh 2020 after {changed:,} household changes "
              f"({villages:,} villages, one UPDATE)", lambda: indicators.refresh("2020"), rows,
              lambda r: f"{_timings(r)}; {load()}")
        changed, villages = _change_incomes(1000)
        timed(f"[{label}] indicators: incremental refresh 2020 after {changed:,} income corrections "
              f"({villages:,} villages)", lambda: indicators.refresh("2020"), rows,
              lambda r: f"{_timings(r)}; {load()}")


def _exit(rows: list[Row], label: str, total: int) -> None:
    from fupin.lifecycle import evaluation
    from fupin.registry.models import Household

    def exit_summary() -> dict[str, int]:
        return evaluation.summary(Household.objects.all(), 2020)

    timed(f"[{label}] exit evaluation 2020, all {total:,} households (one aggregate query)", exit_summary, rows,
          lambda s: f"{s['passing']:,} pass of {s['households']:,}; {load()}")


def _warnings(rows: list[Row], label: str, total: int) -> None:
    from django.utils import timezone

    from fupin.core.permissions import SYSTEM
    from fupin.monitoring import services as monitoring
    from fupin.monitoring.bench import plant
    from fupin.monitoring.models import RiskReport

    lines = _monitoring_lines()
    RiskReport.objects.filter(description="演示报告（合成数据）").delete()  # planted again over every household
    timed(f"[{label}] warning-rule inputs: medical-expense batch (1 person in 10), risk reports (1 household in 500)",
          lambda: plant(timezone.localdate()), rows,
          lambda r: f"{r['expense_rows']:,} expense rows, {r['reports']:,} reports; {lines} monitoring lines added")

    def figures(run: Any) -> str:
        s = run.summary
        return (f"{sum(s['hits'].values()):,} hits, {s['new']:,} new, {s['cleared']:,} cleared; "
                f"{total / max(s['seconds'], 1e-9):,.0f} households/s; skipped {sorted(s['skipped']) or 'none'}; "
                f"{load()}")

    timed(f"[{label}] all warning rules, {total:,} households", lambda: monitoring.run_rules(actor=SYSTEM), rows, figures)


# ---------------------------------------------------------------------------------------------------- partitioning


def _median_ms(sql: str, params: list[Any], runs: int = 7) -> tuple[float, int]:
    times, n = [], 0
    with connection.cursor() as cur:
        for _ in range(runs):
            started = time.perf_counter()
            cur.execute(sql, params)
            n = len(cur.fetchall())
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[1:]), n


def _index_statements(real: str, copy: str) -> list[str]:
    """The real table's indexes (constraint-backed ones too) as plain CREATE INDEX statements on ``copy``."""
    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s "
                    "ORDER BY indexname", [real])
        found = cur.fetchall()
    return [f"CREATE INDEX {copy}_i{n} ON {copy} USING {definition.split(' USING ', 1)[1]}"
            for n, (_name, definition) in enumerate(found)]


def _build(kind: str, provinces: list[str]) -> dict[str, float]:
    """Copies ``pgscale_<kind>_household`` / ``_member`` (kind: plain or part) with the real tables' indexes,
    loaded by INSERT … SELECT; returns the seconds of each step."""
    spent: dict[str, float] = {}
    with connection.cursor() as cur:
        for table, real in (("household", "registry_household"), ("member", "registry_member")):
            name = f"pgscale_{kind}_{table}"
            cur.execute(f"DROP TABLE IF EXISTS {name}")
            tail = " PARTITION BY LIST (province)" if kind == "part" else ""
            cur.execute(f"CREATE TABLE {name} (LIKE {real}, province varchar(2) NOT NULL){tail}")
            if kind == "part":
                for p in provinces:
                    cur.execute(f"CREATE TABLE {name}_{p} PARTITION OF {name} FOR VALUES IN ('{p}')")
            for statement in _index_statements(real, name):
                cur.execute(statement)
            started = time.perf_counter()
            if table == "household":
                cur.execute(f"INSERT INTO {name} SELECT h.*, substr(h.village_id, 1, 2) FROM {real} h")
            else:
                cur.execute(f"INSERT INTO {name} SELECT m.*, substr(h.village_id, 1, 2) FROM {real} m "
                            f"JOIN registry_household h ON h.id = m.household_id")
            spent[f"load {table}s (INSERT … SELECT, indexes in place)"] = time.perf_counter() - started
            started = time.perf_counter()
            cur.execute(f"ANALYZE {name}")
            spent[f"ANALYZE {table}s"] = time.perf_counter() - started
    return spent


def _drop(kind: str) -> None:
    with connection.cursor() as cur:
        for table in ("member", "household"):
            cur.execute(f"DROP TABLE IF EXISTS pgscale_{kind}_{table}")


def _copy_size(kind: str) -> str:
    with connection.cursor() as cur:
        parts = []
        for table in ("household", "member"):
            name = f"pgscale_{kind}_{table}"
            cur.execute("SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0), COALESCE(sum(pg_indexes_size(c.oid)), 0) "
                        "FROM pg_class c WHERE c.relname = %s OR c.oid IN (SELECT inhrelid FROM pg_inherits "
                        "WHERE inhparent = %s::regclass)", [name, name])
            total, indexes = cur.fetchone()
            parts.append(f"{table}s {total / 2**20:,.0f} MiB (indexes {indexes / 2**20:,.0f})")
    return ", ".join(parts)


def _queries(province: str, county: str, sample: Any, member: Any) -> list[tuple[str, str, list[Any]]]:
    """(label, SQL with {h} and {m} for the tables, parameters): what the list, search and dossier pages ask."""
    plo, phi = province + "0" * 10, province + "9" * 10
    clo, chi = county + "0" * 6, county + "9" * 6
    head = ("(SELECT m2.name FROM {m} m2 WHERE m2.household_id = h.id AND m2.relation = '01' AND m2.is_active LIMIT 1) "
            "AS head, (SELECT count(*) FROM {m} m3 WHERE m3.household_id = h.id AND m3.is_active) AS size")
    page = f"SELECT h.id, h.number, h.status, {head} FROM {{h}} h"
    return [
        ("exact ID number, nation (no province known)",
         page + " WHERE EXISTS (SELECT 1 FROM {m} m WHERE m.household_id = h.id AND m.id_number = %s AND m.is_active) "
         "ORDER BY h.number, h.id LIMIT 20", [member.id_number]),
        ("exact ID number, within the province",
         page + " WHERE h.province = %s AND h.village_id BETWEEN %s AND %s AND EXISTS (SELECT 1 FROM {m} m "
         "WHERE m.household_id = h.id AND m.province = %s AND m.id_number = %s AND m.is_active) ORDER BY h.number, h.id LIMIT 20",
         [province, plo, phi, province, member.id_number]),
        ("name search, within the province",
         page + " WHERE h.province = %s AND h.village_id BETWEEN %s AND %s AND EXISTS (SELECT 1 FROM {m} m "
         "WHERE m.household_id = h.id AND m.province = %s AND m.name = %s AND m.is_active) ORDER BY h.number, h.id LIMIT 20",
         [province, plo, phi, province, member.name]),
        ("name search, within the county",
         page + " WHERE h.province = %s AND h.village_id BETWEEN %s AND %s AND EXISTS (SELECT 1 FROM {m} m "
         "WHERE m.household_id = h.id AND m.province = %s AND m.name = %s AND m.is_active) ORDER BY h.number, h.id LIMIT 20",
         [province, clo, chi, province, member.name]),
        ("dossier by id with its members (no province known)",
         "SELECT h.*, m.* FROM {h} h LEFT JOIN {m} m ON m.household_id = h.id AND m.is_active WHERE h.id = %s",
         [sample.pk]),
        ("dossier by id with its members (province known)",
         "SELECT h.*, m.* FROM {h} h LEFT JOIN {m} m ON m.household_id = h.id AND m.is_active AND m.province = %s "
         "WHERE h.id = %s AND h.province = %s", [province, sample.pk, province]),
        ("province count", "SELECT count(*) FROM {h} h WHERE h.province = %s AND h.village_id BETWEEN %s AND %s",
         [province, plo, phi]),
        ("province list page 1 (by number)",
         page + " WHERE h.province = %s AND h.village_id BETWEEN %s AND %s ORDER BY h.number, h.id LIMIT 20",
         [province, plo, phi]),
        ("county list page 1 (by number)",
         page + " WHERE h.province = %s AND h.village_id BETWEEN %s AND %s ORDER BY h.number, h.id LIMIT 20",
         [province, clo, chi]),
        ("county count", "SELECT count(*) FROM {h} h WHERE h.province = %s AND h.village_id BETWEEN %s AND %s",
         [province, clo, chi]),
        ("nation list page 1 (by number)", page + " ORDER BY h.number, h.id LIMIT 20", []),
        ("nation count", "SELECT count(*) FROM {h} h", []),
    ]


def partitioning(rows: list[Row], label: str) -> None:
    """Plain against LIST-partitioned copies of the household and member tables: load and queries, side by side."""
    from fupin.regions.models import Level, Region

    provinces = list(Region.objects.filter(level=Level.PROVINCE).order_by("code").values_list("code", flat=True))
    province, county, sample, member = _sample()
    queries = _queries(province, county, sample, member)
    results: dict[str, dict[str, tuple[float, int]]] = {}
    loads: dict[str, dict[str, float]] = {}
    sizes: dict[str, str] = {}
    for kind in ("plain", "part"):
        try:
            loads[kind] = _build(kind, provinces)
            sizes[kind] = _copy_size(kind)
            h, m = f"pgscale_{kind}_household", f"pgscale_{kind}_member"
            results[kind] = {q: _median_ms(sql.format(h=h, m=m), params) for q, sql, params in queries}
        finally:
            _drop(kind)
    rows.append((f"[{label}] partitioning: copies of registry_household/member, plain vs LIST by province "
                 f"({len(provinces)} partitions); province {province}, county {county}", 0.0, load()))
    for step in loads["plain"]:
        plain, part = loads["plain"][step], loads["part"][step]
        rows.append((f"  {step}", part, f"plain {plain:.1f} s, partitioned {part:.1f} s ({part / max(plain, 1e-9):.2f}×)"))
    rows.append(("  sizes", 0.0, f"plain: {sizes['plain']}; partitioned: {sizes['part']}"))
    for q, _sql, _params in queries:
        (plain_ms, n1), (part_ms, n2) = results["plain"][q], results["part"][q]
        same = "" if n1 == n2 else f" (rows differ: {n1} vs {n2})"
        rows.append((f"  {q}", part_ms / 1000, f"plain {plain_ms:.1f} ms, partitioned {part_ms:.1f} ms "
                                                f"({part_ms / max(plain_ms, 1e-6):.2f}×), {n1} rows{same}"))


# ------------------------------------------------------------------------------------------------------------- run


@dataclass
class _Tally:
    households: int = 0
    persons: int = 0
    imported: float = 0.0
    bare: float = 0.0
    since: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # persons, import s, bare s since a milestone
    phases: dict[str, float] = field(default_factory=dict)  # the import's own laps (read, validate.*, write.*) summed


WAVE = 8  # parts converted ahead and imported by the streams between two rounds of bare COPYs


@dataclass
class _Job:
    """One part of the import: its files (written beforehand, not timed) and, once imported, its figures."""

    province: str
    i: int
    n: int
    part: Part
    paths: list[Path]
    bare_files: dict[str, tuple[list[str], Path]]
    households: int
    persons: int
    actor: Any = None  # resolved beforehand, in the main thread (two threads would both create a new one)
    convert: float = 0.0
    seconds: float = 0.0
    bare: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def _import(job: _Job) -> None:
    from fupin.registry import services

    started = time.perf_counter()
    result = services.import_registry(job.paths, actor=job.actor)
    job.seconds = time.perf_counter() - started
    if not result.ok:
        raise CommandError(f"import of {job.part} rejected: {[str(e) for e in result.errors[:5]]}")
    job.timings = result.timings


def _import_in_thread(job: _Job) -> None:
    from django.db import connections

    try:
        _import(job)
    finally:
        connections.close_all()  # this worker thread's own connection


def _import_wave(wave: list[_Job], streams: int) -> None:
    """Import the parts of a wave through the import service, ``streams`` at a time (each in its own thread and
    connection, as concurrent imports by the job queue's workers: while one writes under its table locks, another
    reads and checks its files)."""
    if streams == 1:
        for job in wave:
            _import(job)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=streams) as pool:
        for future in [pool.submit(_import_in_thread, job) for job in wave]:
            future.result()


def _profile(timings: dict[str, float], top: int = 8) -> str:
    """The largest phases of the import (its ``Laps``), seconds."""
    laps = sorted(((k, v) for k, v in timings.items() if "." in k and v >= 0.05), key=lambda kv: -kv[1])[:top]
    return ", ".join(f"{k} {v:.1f}" for k, v in laps)


def _actor(province: str) -> Any:
    """A county administrator of the province (may write the registry of all its villages)."""
    from fupin.core.models import User
    from fupin.core.roles import Role
    from fupin.regions.models import Region
    from fupin.testing import make_user

    name = f"bench_pgscale_import_{province}"  # one per province: parts of two provinces may run at once
    user = User.objects.filter(username=name).first()
    return user or make_user(name, Region.objects.get(code=province), Role.COUNTY_ADMIN)


def bench_pgscale(cmd: Any, opts: dict[str, Any]) -> list[Row]:
    from fupin.registry.models import Household

    if not is_postgres():
        raise CommandError("bench pgscale measures PostgreSQL only: set DATABASE_URL to a PostgreSQL database "
                           "(make bench-pgscale makes one)")
    measure = measures(opts)
    if opts.get("existing"):
        rows_now: list[Row] = []
        label = f"{Household.objects.count():,} households (existing)"
        milestone(rows_now, label, measure)
        if "floor" in measure:
            source = Path(opts.get("from_dir") or "")
            if not (source / "households").is_dir():
                raise CommandError("--measure floor: --from DIR, the generator's Parquet, gives the part copied")
            try:
                floor(rows_now, label, source)
            finally:
                _bare_tables(create=False)
        if "partitioning" in measure:
            partitioning(rows_now, label)
        return rows_now
    root = Path(opts.get("from_dir") or "")
    if not (root / "households").is_dir():
        raise CommandError(f"--from {root}: no generator Parquet there (households/province=XX/…)")
    resume = bool(opts.get("resume"))
    if Household.objects.exists() and not resume:
        raise CommandError("bench pgscale needs an empty registry (make bench-pgscale makes a fresh database)")
    milestones = sorted(int(m) for m in str(opts.get("milestones") or ",".join(map(str, DEFAULT_MILESTONES))).split(",")
                        if m.strip())
    limit = int(opts.get("part_households") or PART_HOUSEHOLDS)
    want_partitioning = int(opts.get("partitioning") or 0)
    rows: list[Row] = []
    echoed = 0

    def echo() -> None:
        """The rows so far on stderr as they come (a long run that fails late still leaves its figures)."""
        nonlocal echoed
        for label, seconds, extra in rows[echoed:]:
            cmd.stderr.write(f"| {label} | {seconds:.1f} | {extra} |")
        echoed = len(rows)

    tally = _Tally()
    reached: list[str] = []
    pending = list(milestones)
    streams = max(1, int(opts.get("streams") or 1))
    work = Path(tempfile.mkdtemp(prefix="bench-pgscale-", dir=settings.VAR_DIR))
    _bare_tables(create=True)
    parts_done = 0
    try:
        queue = [(province, i, n, part) for province in provinces_in(root)
                 for parts in [plan_parts(root, province, limit)] for i, part in enumerate(parts, 1) for n in [len(parts)]]
        while queue and pending:
            # A wave: the parts up to the next milestone (whole parts), at most WAVE of them with several streams
            # (their files wait on disk), one part with one stream.
            wave: list[_Job] = []
            planned = tally.households
            while queue and planned < pending[0] and len(wave) < (WAVE if streams > 1 else 1):
                province, i, n, part = queue.pop(0)
                if resume:  # a part is written whole or not at all: one that has households was imported before
                    there = Household.objects.filter(village_id__gte=part.lo, village_id__lte=part.hi).count()
                    if there:
                        tally.households += there
                        planned += there
                        rows.append((f"import part: province {province} ({i}/{n}) {part.lo[:6]}–{part.hi[:6]} "
                                     f"imported before (--resume), {there:,} households", 0.0, ""))
                        continue
                started = time.perf_counter()
                frames = read_part(root, part)
                folder = work / f"part-{len(wave)}"
                job = _Job(province, i, n, part, write_template_csv(frames, folder / "csv"),
                           _bare_csv(frames, folder / "bare"), frames["households"].height, frames["members"].height,
                           _actor(province))
                del frames
                job.convert = time.perf_counter() - started
                wave.append(job)
                planned += job.households
            if not wave:
                echo()
                continue
            started = time.perf_counter()
            _import_wave(wave, streams)
            wall = time.perf_counter() - started
            for job in wave:  # the bare COPYs alone, after the wave, so that nothing else shares the machine
                job.bare = bare_copy(job.bare_files)
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            wave_persons = sum(j.persons for j in wave)
            wave_bare = sum(j.bare for j in wave)
            for job in wave:
                parts_done += 1
                tally.households += job.households
                tally.persons += job.persons
                t = job.timings
                for k, v in t.items():
                    tally.phases[k] = tally.phases.get(k, 0.0) + v
                rows.append((f"import part {parts_done}: province {job.province} ({job.i}/{job.n}) "
                             f"{job.part.lo[:6]}–{job.part.hi[:6]}, {job.households:,} households, {job.persons:,} persons",
                             job.seconds,
                             f"{job.persons / job.seconds:,.0f} persons/s (read {t.get('read', 0):.1f}, validate "
                             f"{t.get('validate', 0):.1f}, write {t.get('write', 0):.1f}; {_profile(t, 5)}); bare COPY "
                             f"{job.bare:.1f} s, ratio {job.seconds / max(job.bare, 1e-9):.2f}×; CSV written in "
                             f"{job.convert:.1f} s (not counted); registry now {tally.households:,} households, "
                             f"{tally.persons:,} persons; {load()}"))
            tally.imported += wall
            tally.bare += wave_bare
            tally.since = [tally.since[0] + wave_persons, tally.since[1] + wall, tally.since[2] + wave_bare]
            if streams > 1:
                rows.append((f"import wave of {len(wave)} parts, {streams} streams: {wave_persons:,} persons", wall,
                             f"{wave_persons / wall:,.0f} persons/s (wall time of the wave); bare COPY of its parts "
                             f"{wave_bare:.1f} s, ratio {wall / max(wave_bare, 1e-9):.2f}×; sustained "
                             f"{tally.persons / tally.imported:,.0f} persons/s; {load()}"))
            else:
                rows[-1] = (rows[-1][0], rows[-1][1], f"{rows[-1][2]}; sustained {tally.persons / tally.imported:,.0f} "
                                                      f"persons/s")
            echo()
            if tally.households < pending[0]:
                continue
            crossed = [m for m in pending if m <= tally.households]
            pending = [m for m in pending if m > tally.households]
            label = f"{tally.households:,} households"
            reached.append(label)
            persons, imp, bare_s = tally.since
            rows.append((f"[{label}] MILESTONE {', '.join(f'{m:,}' for m in crossed)} reached: "
                         f"{tally.households:,} households, {tally.persons:,} persons", tally.imported,
                         f"import sustained {tally.persons / tally.imported:,.0f} persons/s over all {parts_done} parts, "
                         f"{streams} stream(s) ({persons / max(imp, 1e-9):,.0f} persons/s since the last milestone); "
                         f"import / bare COPY {tally.imported / max(tally.bare, 1e-9):.2f}× overall, "
                         f"{imp / max(bare_s, 1e-9):.2f}× since the last milestone (bare COPY of the same rows, every "
                         f"part, same run); peak memory {_peak_mib():,.0f} MiB; {load()}"))
            rows.append((f"[{label}] import profile, all parts so far (the import's phases, seconds)",
                         tally.imported, f"read {tally.phases.get('read', 0):.1f}, validate "
                                         f"{tally.phases.get('validate', 0):.1f}, write {tally.phases.get('write', 0):.1f}; "
                                         f"{_profile(tally.phases, 14)}"))
            tally.since = [0.0, 0.0, 0.0]
            milestone(rows, label, measure)
            if "floor" in measure:
                floor(rows, label, root)
            if "partitioning" in measure and want_partitioning and want_partitioning in crossed:
                partitioning(rows, label)
            echo()
        if pending and tally.households and (not reached or reached[-1] != f"{tally.households:,} households"):
            label = f"{tally.households:,} households"
            rows.append((f"[{label}] END OF INPUT before milestone {pending[0]:,}", tally.imported,
                         f"import sustained {tally.persons / tally.imported:,.0f} persons/s; import / bare COPY "
                         f"{tally.imported / max(tally.bare, 1e-9):.2f}×"))
            reached.append(label)
            milestone(rows, label, measure)
        if "partitioning" in measure and not want_partitioning and reached:
            partitioning(rows, reached[-1])
        echo()
    finally:
        _bare_tables(create=False)
        shutil.rmtree(work, ignore_errors=True)
    return rows
