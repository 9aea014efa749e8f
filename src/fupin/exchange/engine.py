"""The comparison engine: rule SQL run set-based over Parquet snapshots (R4.2).

``Backend`` is all the rules need: register relations by name (Parquet files or directories of them) and run
one SQL text to an Arrow table. DuckDB, embedded, is the default; ``PostgresBackend`` runs the same rule text on a
PostgreSQL database; ``SparkBackend`` registers the same Parquet files as temporary views of a Spark session (local
or a cluster's master) and returns ``toArrow()`` — the rules do not change: the few dialect differences are
rewritten in one place, ``spark_sql``. ``backend(engine, …)`` makes one by name (``--engine``).

``evaluate`` runs a set of rules in one job and returns, per rule, the hits with their evidence as a
JSON text and a fingerprint (md5 of the evidence) by which a resolved doubt is reopened only when the
data behind it changes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from fupin.core.tree import is_code
from fupin.exchange.rules import RuleSpec

KEY = ("id_number", "household_id", "village_code")


class Backend(Protocol):
    name: str

    def run(self, sql: str, relations: Mapping[str, Path]) -> pa.Table:
        """Run ``sql`` with each name of ``relations`` readable as a table; the result as Arrow."""
        ...

    def close(self) -> None: ...


class DuckDBBackend:
    name = "duckdb"

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None, temp_dir: Path | None = None):
        self.con = duckdb.connect()
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.con.execute("SET memory_limit = ?", [memory_limit])
        if temp_dir:
            self.con.execute("SET temp_directory = ?", [str(temp_dir)])
        self.con.execute("SET preserve_insertion_order = false")
        self._views: dict[str, Path] = {}

    def _register(self, relations: Mapping[str, Path]) -> None:
        for name, path in relations.items():
            if self._views.get(name) != path:
                source = str(Path(path) / "**" / "*.parquet") if Path(path).is_dir() else str(path)
                quoted = source.replace("'", "''")
                self.con.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM '
                                 f'read_parquet(\'{quoted}\', hive_partitioning = true)')
                self._views[name] = path

    def run(self, sql: str, relations: Mapping[str, Path]) -> pa.Table:
        self._register(relations)
        return self.con.execute(sql).fetch_arrow_table()

    def close(self) -> None:
        self.con.close()


class PostgresBackend:
    """The same rule SQL on PostgreSQL: each relation is COPYed into a temporary table of its own session
    (a deployment keeping department data in PostgreSQL would point the names at real tables instead)."""

    name = "postgresql"

    def __init__(self, dsn: str):
        import psycopg

        self.conn = psycopg.connect(dsn, autocommit=True)
        self._tables: dict[str, Path] = {}

    _TYPES = {"string": "text", "large_string": "text", "int64": "bigint", "int32": "integer", "double": "double precision",
              "bool": "boolean", "date32[day]": "date", "uint32": "bigint"}

    def _register(self, relations: Mapping[str, Path]) -> None:
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        for name, path in relations.items():
            if self._tables.get(name) == path:
                continue
            table = pq.read_table(path)
            cols = ", ".join(f'"{f.name}" {self._TYPES.get(str(f.type), "text")}' for f in table.schema)
            with self.conn.cursor() as cur:
                cur.execute(f'DROP TABLE IF EXISTS "{name}"')
                cur.execute(f'CREATE TEMP TABLE "{name}" ({cols})')
                sink = pa.BufferOutputStream()
                pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False))
                with cur.copy(f'COPY "{name}" FROM STDIN WITH (FORMAT csv)') as copy:
                    copy.write(sink.getvalue().to_pybytes())
                if "id_number" in table.column_names:
                    cur.execute(f'CREATE INDEX ON "{name}" (id_number)')
                cur.execute(f'ANALYZE "{name}"')
            self._tables[name] = path

    def run(self, sql: str, relations: Mapping[str, Path]) -> pa.Table:
        self._register(relations)
        with self.conn.cursor() as cur:
            cur.execute(sql)
            names = [d.name for d in cur.description or []]
            rows = cur.fetchall()
        return pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in rows]) if rows else pa.table(
            {n: pa.array([], pa.string()) for n in names})

    def close(self) -> None:
        self.conn.close()


# Spark SQL differs from the rules' SQL (DuckDB's and PostgreSQL's) in these forms only:
# string_agg(x, sep ORDER BY y) is string_agg(x, sep) WITHIN GROUP (ORDER BY y); VARCHAR needs a length (STRING).
_STRING_AGG = re.compile(r"string_agg\(([^()]*?),\s*('[^']*')\s+ORDER BY\s+([^()]*?)\)", re.IGNORECASE)
_VARCHAR = re.compile(r"\bAS\s+VARCHAR\b", re.IGNORECASE)


def spark_sql(sql: str) -> str:
    """A rule's SQL in Spark SQL's dialect."""
    sql = _STRING_AGG.sub(r"string_agg(\1, \2) WITHIN GROUP (ORDER BY \3)", sql)
    return _VARCHAR.sub("AS STRING", sql)


class SparkBackend:
    """The same rule SQL on Spark (pyspark; Java 17): each relation a temporary view over its Parquet file or
    directory (hive partitions, e.g. ``province=53``, become a column); results come back as Arrow. ``master``:
    ``local[*]`` (every core of this machine), ``local[1]``, or a cluster's ``spark://host:7077``."""

    name = "spark"

    def __init__(self, master: str = "local[*]", *, shuffle_partitions: int | None = None,
                 config: Mapping[str, str] | None = None, session: Any = None):
        if session is None:
            import os

            from pyspark.sql import SparkSession

            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # this machine's name may resolve elsewhere

            builder = (SparkSession.builder.master(master).appName("fupin")
                       .config("spark.ui.enabled", "false")
                       .config("spark.ui.showConsoleProgress", "false")
                       .config("spark.sql.session.timeZone", "UTC")
                       .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
            if shuffle_partitions:
                builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
            for key, value in (config or {}).items():
                builder = builder.config(key, value)
            session = builder.getOrCreate()
            session.sparkContext.setLogLevel("ERROR")
            self._own = True
        else:
            self._own = False
        self.spark = session
        self._views: dict[str, Path] = {}

    def _register(self, relations: Mapping[str, Path]) -> None:
        for name, path in relations.items():
            if self._views.get(name) != path:
                self.spark.read.parquet(str(path)).createOrReplaceTempView(name)
                self._views[name] = path

    def run(self, sql: str, relations: Mapping[str, Path]) -> pa.Table:
        self._register(relations)
        return self.spark.sql(spark_sql(sql)).toArrow()

    def close(self) -> None:
        for name in self._views:
            self.spark.catalog.dropTempView(name)
        self._views.clear()
        if self._own:
            self.spark.stop()


ENGINES = ("duckdb", "spark", "postgres")


def backend(engine: str = "duckdb", *, master: str = "local[*]", dsn: str = "", **kw: Any) -> Backend:
    """The backend named by ``--engine``: duckdb (embedded), spark (``master``), postgres (``dsn``)."""
    if engine == "duckdb":
        return DuckDBBackend(**kw)
    if engine == "spark":
        return SparkBackend(master, **kw)
    if engine in ("postgres", "postgresql"):
        if not dsn:
            raise ValueError("the postgres engine needs a database URL (DATABASE_URL)")
        return PostgresBackend(dsn)
    raise ValueError(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")


@dataclass
class Batchref:
    """A department relation for the engine: the Parquet file and the region it covers ("" = everywhere)."""

    path: Path
    coverage: str = ""


@dataclass
class RuleResult:
    code: str
    hits: pa.Table  # id_number, household_id, village_code, evidence (JSON text), fingerprint
    seconds: float


@dataclass
class Evaluation:
    results: dict[str, RuleResult] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def hit_count(self) -> int:
        return sum(r.hits.num_rows for r in self.results.values())


def persons_expression(spec: RuleSpec, batches: Mapping[str, Batchref]) -> str | None:
    """``persons`` limited to the area all of the rule's lists cover; None when they cover disjoint areas."""
    if not spec.absence:
        return "persons"
    prefix = ""
    for code in spec.datasets:
        cov = batches[code].coverage
        if cov.startswith(prefix):
            prefix = cov
        elif not prefix.startswith(cov):
            return None
    if not prefix:
        return "persons"
    if not is_code(prefix):
        raise ValueError(f"bad coverage {prefix!r}")
    return f"(SELECT * FROM persons WHERE village_code LIKE '{prefix}%')"


def evaluate(
    persons: Path, batches: Mapping[str, Batchref], rules: list[tuple[RuleSpec, dict[str, Any]]],
    backend: Backend | None = None,
) -> Evaluation:
    """Run ``rules`` (each with its threshold overrides) over the persons snapshot and the batches in one job."""
    started = time.perf_counter()
    own = backend is None
    backend = backend or DuckDBBackend()
    local = backend if isinstance(backend, DuckDBBackend) else DuckDBBackend()
    out = Evaluation()
    relations = {"persons": persons, **{k: b.path for k, b in batches.items()}}
    try:
        for spec, params in rules:
            missing = [d for d in spec.datasets if d not in batches]
            if missing:
                out.skipped[spec.code] = "no batch of " + ", ".join(missing)
                continue
            expr = persons_expression(spec, batches)
            if expr is None:
                out.skipped[spec.code] = "the batches cover disjoint areas"
                continue
            t0 = time.perf_counter()
            raw = backend.run(spec.render(params, expr), relations)
            out.results[spec.code] = RuleResult(spec.code, _with_evidence(local, raw), time.perf_counter() - t0)
    finally:
        if own:
            backend.close()
        if local is not backend:
            local.close()
    out.seconds = time.perf_counter() - started
    return out


def _with_evidence(con: DuckDBBackend, raw: pa.Table) -> pa.Table:
    """One row per (person, household): the evidence columns as a JSON object and its md5."""
    return with_evidence(con, raw, {"id_number": "VARCHAR", "household_id": "BIGINT", "village_code": "VARCHAR"},
                         unique=("id_number", "household_id"))


def with_evidence(con: DuckDBBackend, raw: pa.Table, key: Mapping[str, str], unique: tuple[str, ...]) -> pa.Table:
    """The ``key`` columns (name → DuckDB type), the other columns as a JSON object ``evidence`` and its md5
    ``fingerprint``; one row per ``unique`` key. Shared with the quality rules (``quality.runner``)."""
    con.con.register("_raw_hits", raw)
    try:
        return con.con.execute(evidence_sql(raw.column_names, key, unique, "_raw_hits")).fetch_arrow_table()
    finally:
        con.con.unregister("_raw_hits")


def evidence_sql(columns: list[str], key: Mapping[str, str], unique: tuple[str, ...], source: str) -> str:
    """DuckDB SQL of ``with_evidence`` over ``source`` (a table name or a parenthesised query) whose result has
    ``columns``: for a rule run where its hits stay (the quality runner's in-database path), with the same
    evidence and fingerprint as ``with_evidence`` gives."""
    evidence = [c for c in columns if c not in key]
    struct = ", ".join(f'"{c}" := "{c}"' for c in evidence)
    json = f"CAST(to_json(struct_pack({struct})) AS VARCHAR)" if struct else "'{}'"
    keys = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in key.items())
    return f"""
        SELECT {keys}, evidence, md5(evidence) AS fingerprint
        FROM (SELECT *, {json} AS evidence FROM {source})
        QUALIFY row_number() OVER (PARTITION BY {', '.join(unique)} ORDER BY evidence) = 1"""
