"""Benchmark of a full comparison (issue 5): N registered persons against 10 department batches of 5·N rows
in all, generated straight to Parquet with DuckDB (the OLTP database is not involved at these sizes),
then every rule run in one DuckDB job."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path
from typing import Any

import duckdb

from fupin.core.benchmarks import load
from fupin.exchange import engine
from fupin.exchange.rules import RULES, RuleSpec

AS_OF = dt.date(2026, 3, 1)

# dataset → SELECT producing its rows; {n} persons. Fractions of N: 1 + .2 + .2 + .5 + .3 + .7 + .1 + .2 + 1 + .8 = 5.
BATCHES = {
    "ps_household": """SELECT id_number, 'H' || household_number AS hukou_no,
        CASE WHEN relation = '01' THEN '1' ELSE '0' END AS is_hukou_head FROM persons
        WHERE relation = '01' OR hash(member_id) % 1000 <> 0
        UNION ALL SELECT id_number, 'H' || printf('%010d', (household_id + 7) % {households}), '0'
        FROM persons WHERE relation <> '01' AND hash(member_id) % 1000 = 0""",
    "ps_death": """SELECT printf('52%016d', i) AS id_number, DATE '2025-01-01' + CAST(i % 300 AS INTEGER) AS death_date
        FROM range(CAST({n} * 0.2 AS BIGINT) - {n} // 2000) t(i)
        UNION ALL SELECT id_number, DATE '2025-06-01' FROM persons WHERE member_id % 2000 = 0""",
    "ca_dibao": """SELECT id_number, DATE '2019-01-01' AS start_date, 300.0 AS monthly_amount FROM persons
        WHERE receives_dibao AND hash(member_id) % 100 <> 0""",
    "vehicles": """SELECT printf('53%016d', hash(i) % {n}) AS id_number, printf('云Q%07d', i) AS plate,
        CASE WHEN i % 100 = 0 THEN 'K' ELSE 'M' END AS vehicle_type, DATE '2020-01-01' AS registered_on
        FROM range(CAST({n} * 0.5 AS BIGINT)) t(i)""",
    "market_business": """SELECT printf('53%016d', hash(i + 11) % {n}) AS id_number, printf('92530000MA%08d', i) AS credit_code,
        '演示公司' AS company_name, CASE WHEN i % 3 = 0 THEN 'legal' ELSE 'sole' END AS role,
        CAST(CASE WHEN i % 100 = 0 THEN 500000 ELSE 20000 END AS DOUBLE) AS registered_capital
        FROM range(CAST({n} * 0.3 AS BIGINT)) t(i)""",
    "real_estate": """SELECT printf('53%016d', hash(i + 23) % {n}) AS id_number, printf('C%09d', i) AS certificate_no,
        CASE WHEN i % 500 = 0 THEN 'commercial' ELSE 'residential' END AS use,
        CAST(60 + i % 120 AS DOUBLE) AS area, '' AS address
        FROM range(CAST({n} * 0.7 AS BIGINT)) t(i)""",
    "payroll": """SELECT CASE WHEN i % 200 = 0 THEN printf('53%016d', hash(i + 31) % {n}) ELSE printf('51%016d', i) END
        AS id_number, '某局' AS employer, DATE '2010-09-01' AS start_date FROM range(CAST({n} * 0.1 AS BIGINT)) t(i)""",
    "edu_enrolment": """SELECT id_number, '学校' AS school, '' AS grade, 'enrolled' AS status FROM persons
        WHERE age BETWEEN 5 AND 20 AND hash(member_id) % 100 <> 0""",
    "medical_insurance": """SELECT id_number, 'resident' AS scheme, 2026 AS year FROM persons
        WHERE hash(member_id) % 200 <> 0""",
    "medical_expense": """SELECT printf('53%016d', hash(i + 47) % {n}) AS id_number, 2025 AS year,
        CAST(i % 30000 AS DOUBLE) AS total_cost, CAST(i % 12000 AS DOUBLE) AS out_of_pocket
        FROM range(CAST({n} * 0.8 AS BIGINT)) t(i)""",
}

PERSONS = """SELECT printf('53%016d', i) AS id_number, i AS member_id, i // 4 AS household_id,
    printf('%010d', i // 4) AS household_number, printf('5333%08d', (i // 4) % 40000) AS village_code,
    'poor' AS status, '01' AS attribute, DATE '1940-01-01' + CAST(hash(i) % 29000 AS INTEGER) AS birth_date,
    CASE WHEN i % 2 = 0 THEN '1' ELSE '2' END AS sex, CASE WHEN i % 4 = 0 THEN '01' ELSE '03' END AS relation,
    '01' AS schooling, CASE WHEN hash(i + 3) % 20 = 0 THEN '04' ELSE '01' END AS health,
    TRUE AS has_medical_insurance, hash(i + 5) % 5 = 0 AS receives_dibao, FALSE AS receives_tekun,
    CAST(hash(i // 4) % 9000 AS DOUBLE) AS per_capita, 'A' AS housing_safety
    FROM range({n}) t(i)"""


def generate(directory: Path, persons: int) -> dict[str, int]:
    """Write persons.parquet and one Parquet file per batch; returns rows per file."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    con = duckdb.connect()
    con.execute(f"SET temp_directory = '{directory / 'tmp'}'")
    con.execute("SET preserve_insertion_order = false")
    rows: dict[str, int] = {}
    target = directory / "persons.parquet"
    con.execute(f"""COPY (SELECT *, CAST(date_diff('year', birth_date, DATE '{AS_OF}') AS INTEGER) AS age
                   FROM ({PERSONS.format(n=persons)})) TO '{target}' (FORMAT parquet)""")
    con.execute(f"CREATE VIEW persons AS SELECT * FROM read_parquet('{target}')")
    rows["persons"] = persons
    for name, sql in BATCHES.items():
        path = directory / f"{name}.parquet"
        con.execute(f"COPY ({sql.format(n=persons, households=persons // 4)}) TO '{path}' (FORMAT parquet)")
        rows[name] = int(con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0])  # type: ignore[index]
    con.close()
    return rows


def run(directory: Path, persons: int, *, regenerate: bool = True) -> list[tuple[str, float, str]]:
    out: list[tuple[str, float, str]] = []
    t0 = time.perf_counter()
    if regenerate or not (directory / "persons.parquet").exists():
        rows = generate(directory, persons)
    else:
        rows = {p.stem: 0 for p in directory.glob("*.parquet")}
    batch_rows = sum(v for k, v in rows.items() if k != "persons")
    out.append((f"generate {persons:,} persons + 10 batches (Parquet, DuckDB)", time.perf_counter() - t0,
                f"{batch_rows:,} batch rows"))
    refs = {k: engine.Batchref(directory / f"{k}.parquet") for k in BATCHES}
    backend = engine.DuckDBBackend(temp_dir=directory / "tmp")
    rules: list[tuple[RuleSpec, dict[str, Any]]] = [(spec, {}) for spec in RULES.values()]
    result = engine.evaluate(directory / "persons.parquet", refs, rules, backend)
    backend.close()
    total = persons + batch_rows
    out.append((f"full comparison: {persons:,} persons × {len(refs)} batches ({batch_rows:,} rows), "
                f"{len(result.results)} rules, one DuckDB job", result.seconds,
                f"{result.hit_count:,} hits; {total / result.seconds:,.0f} rows/s"))
    for code, r in result.results.items():
        out.append((f"  rule {code}", r.seconds, f"{r.hits.num_rows:,} hits"))
    for code, why in result.skipped.items():
        out.append((f"  rule {code}", 0.0, f"skipped: {why}"))
    return out


def bench_exchange(cmd: Any, opts: dict[str, Any]) -> list[tuple[str, float, str]]:
    """Full department comparison (issue 5): --persons registered persons against 10 batches of 5 × as many rows,
    synthetic Parquet under var/bench-exchange/, every rule in one DuckDB job."""
    from django.conf import settings

    return run(Path(settings.VAR_DIR) / "bench-exchange" / f"n{opts['persons']}", opts["persons"])


BENCHMARKS = {"exchange": bench_exchange}


# --- national scale (issue 19) -------------------------------------------------------------------------------

# The comparison's persons from the generator's Parquet (registry/<table>/province=XX/...), as exchange.snapshot
# writes them from the database.
NATIONAL_PERSONS = """SELECT m.id_number, m.id AS member_id, m.household_id, h.number AS household_number,
    h.village_id AS village_code, h.status, h.attribute, m.birth_date, m.sex, m.relation, m.schooling, m.health,
    m.has_medical_insurance, m.receives_dibao, m.receives_tekun, h.latest_per_capita AS per_capita,
    coalesce(h.housing_safety, '') AS housing_safety,
    CAST(date_diff('year', m.birth_date, DATE '{as_of}') AS INTEGER) AS age
    FROM read_parquet('{registry}/members/**/*.parquet', hive_partitioning = true) m
    JOIN read_parquet('{registry}/households/**/*.parquet', hive_partitioning = true) h ON h.id = m.household_id
    WHERE m.is_active AND h.status IN ('poor', 'exited', 'monitored', 'returned', 'newly_poor')"""


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_national(cmd: Any, opts: dict[str, Any]) -> list[tuple[str, float, str]]:
    """National scale (issue 19): --households demo households over the whole country to Parquet (streaming, bounded
    memory) and a bare rewrite of the same rows; the comparison's persons and 10 department batches of 5 × as many
    rows; every comparison rule on each of --engines (duckdb, spark: local[*]) with the hits compared. (PostgreSQL at
    size, the registry import against a bare COPY, is ``bench pgscale``.)"""
    from django.conf import settings

    from fupin.registry.demo import generate

    n = opts["households"]
    root = Path(settings.VAR_DIR) / "bench-national" / f"h{n}"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    out: list[tuple[str, float, str]] = []
    try:
        t0 = time.perf_counter()
        r = generate(households=n, area="all", seed=1, to=root / "registry")
        gen = time.perf_counter() - t0
        rows_written = r.households + r.members + r.incomes + r.cadres
        k = int(r.timings["processes"])
        size = sum(p.stat().st_size for p in (root / "registry").rglob("*.parquet")) / 2**30
        out.append((f"generate {n:,} households, whole country, to Parquet by province ({k} processes)", gen,
                    f"{r.members:,} persons, {r.incomes:,} income years, {size:,.1f} GiB; {r.members / gen:,.0f} "
                    f"persons/s; peak memory {_peak_mb():,.0f} MiB in this process + at most "
                    f"{r.timings['peak_mib_per_process']:,.0f} MiB in each of the {k} drawing processes; {load()}"))
        con = duckdb.connect()
        con.execute(f"SET temp_directory = '{root / 'tmp'}'")
        con.execute("SET preserve_insertion_order = false")
        t0 = time.perf_counter()
        for table in ("households", "members", "incomes", "cadres"):
            con.execute(f"""COPY (SELECT * FROM read_parquet('{root}/registry/{table}/**/*.parquet',
                            hive_partitioning = true)) TO '{root}/bare-{table}.parquet' (FORMAT parquet)""")
        bare = time.perf_counter() - t0
        out.append(("bare rewrite of the same rows (DuckDB, Parquet to Parquet)", bare,
                    f"{rows_written:,} rows; generator / bare = {gen / bare:.1f}×; {load()}"))
        for table in ("households", "members", "incomes", "cadres"):
            (root / f"bare-{table}.parquet").unlink()
        t0 = time.perf_counter()
        persons_path = root / "persons.parquet"
        con.execute(f"COPY ({NATIONAL_PERSONS.format(as_of=AS_OF, registry=root / 'registry')}) TO '{persons_path}' "
                    "(FORMAT parquet)")
        persons = int(con.execute(f"SELECT count(*) FROM read_parquet('{persons_path}')").fetchone()[0])  # type: ignore[index]
        con.execute(f"CREATE VIEW persons AS SELECT * FROM read_parquet('{persons_path}')")
        batch_rows = 0
        batches = root / "batches"
        batches.mkdir()
        for name, sql in BATCHES.items():
            path = batches / f"{name}.parquet"
            con.execute(f"COPY ({sql.format(n=persons, households=max(1, persons // 4))}) TO '{path}' (FORMAT parquet)")
            batch_rows += int(con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0])  # type: ignore[index]
        con.close()
        out.append(("comparison persons + 10 department batches (DuckDB)", time.perf_counter() - t0,
                    f"{persons:,} persons, {batch_rows:,} batch rows; {load()}"))
        refs = {k: engine.Batchref(batches / f"{k}.parquet") for k in BATCHES}
        rules: list[tuple[RuleSpec, dict[str, Any]]] = [(spec, {}) for spec in RULES.values()]
        first: dict[str, list[tuple[Any, ...]]] | None = None
        for name in opts.get("engines", "duckdb,spark").split(","):
            backend = engine.backend(name, temp_dir=root / "tmp") if name == "duckdb" else engine.backend(name)
            result = engine.evaluate(persons_path, refs, rules, backend)
            backend.close()
            hits = {c: sorted(zip(r.hits.column("id_number").to_pylist(), r.hits.column("fingerprint").to_pylist(),
                                  strict=True)) for c, r in result.results.items()}
            same = "" if first is None else ("; same hits as the first engine" if hits == first else
                                             "; hits DIFFER from the first engine")
            first = first or hits
            out.append((f"comparison on {name}: {persons:,} persons × {batch_rows:,} rows, {len(result.results)} rules",
                        result.seconds, f"{result.hit_count:,} hits{same}; {load()}"))
    finally:
        if not opts.get("keep"):
            shutil.rmtree(root, ignore_errors=True)
    return out


BENCHMARKS["national"] = bench_national
