"""Runs quality rules over the snapshot on the comparison engine's ``Backend`` (``exchange.engine``: DuckDB, or the
same SQL on Spark or PostgreSQL over Parquet) — no engine of its own.

For each rule the parameters are resolved per province for the reference year (``parameter_sets``); the rule's
SQL is rendered once per distinct set, with its relations limited to the provinces of the set and to the
statuses the rule applies to. Hits get their evidence as JSON and a fingerprint (``engine.with_evidence``).

Two ways: ``evaluate`` runs over Parquet files on any backend and returns each rule's hits as Arrow;
``evaluate_loaded`` runs in the DuckDB connection that holds the snapshot as tables (``snapshot.load``) and keeps
the hits there, in the table ``hits`` (``HITS``), where the findings are merged from (``services``) — the rows
never pass through Python. ``stage`` puts ``evaluate``'s hits into the same table.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from fupin.core.tree import is_code
from fupin.exchange.engine import Backend, DuckDBBackend, evidence_sql, with_evidence
from fupin.quality.catalogue import LINE_MATCH, RELATIONS, ParameterSet, QualityRule, parameter_sets  # noqa: F401

KEY = {"record_id": "VARCHAR", "household_id": "BIGINT", "region_code": "VARCHAR"}


HITS = ("CREATE OR REPLACE TABLE hits (rule_id VARCHAR, record VARCHAR, household_id BIGINT, region_code VARCHAR, "
        "evidence VARCHAR, fingerprint VARCHAR)")
Rules = list[tuple[QualityRule, list[str], list[ParameterSet]]]


@dataclass
class Evaluation:
    hits: dict[str, pa.Table] = field(default_factory=dict)  # ``evaluate`` only
    counts: dict[str, int] = field(default_factory=dict)  # rule → hits (records)
    errors: dict[str, str] = field(default_factory=dict)  # rule → why it did not run
    seconds: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0


def _digits(code: str) -> str:
    if not is_code(code):
        raise ValueError(f"not a province code: {code!r}")
    return code


def relations(spec: QualityRule, pset: ParameterSet, statuses: Iterable[str]) -> dict[str, str]:
    """The ``{name}`` expressions of a rule: each relation limited to the statuses and the set's provinces."""
    where: list[str] = []
    if pset.provinces:
        where.append("(" + " OR ".join(f"region_code LIKE '{_digits(p)}%'" for p in pset.provinces) + ")")
    where += [f"region_code NOT LIKE '{_digits(p)}%'" for p in pset.excluded]
    status = ", ".join("'" + s.replace("'", "''") + "'" for s in statuses)
    out = {}
    for name in RELATIONS:
        conds = list(where) + ([f"status IN ({status})"] if name != "villages" and status else [])
        out[name] = f"(SELECT * FROM {name} WHERE {' AND '.join(conds)})" if conds else name
    return out


LAST_NATIONAL_YEAR = 2020
MISSING_LINES = f"""SELECT DISTINCT CASE WHEN i.year <= {LAST_NATIONAL_YEAR} THEN CAST(i.year AS VARCHAR)
                  ELSE CAST(i.year AS VARCHAR) || '/' || substr(i.region_code, 1, 2) END AS what
              FROM incomes i WHERE i.is_latest AND i.status IN ({{statuses}}) AND NOT EXISTS (SELECT 1 FROM lines l
              WHERE {LINE_MATCH}) ORDER BY 1"""


def texts(rules: Rules) -> list[str]:
    """The SQL the rules will run (unrendered) — what ``snapshot.words`` reads to know the relations and columns
    the snapshot must hold."""
    out = [spec.sql for spec, _statuses, _sets in rules]
    if any(spec.needs_lines for spec, _statuses, _sets in rules):
        out.append(MISSING_LINES)
    return out


def missing_lines(spec: QualityRule, local: DuckDBBackend, paths: Mapping[str, Path], statuses: Iterable[str]
                  ) -> str:
    """For a rule that reads the lines: the latest income years (with the province, after 2020) that have no
    line — the national line to 2020, the province's monitoring line after it. A year with no line is an
    error, never a silent fallback."""
    if not spec.needs_lines:
        return ""
    status = ", ".join("'" + s.replace("'", "''") + "'" for s in statuses) or "''"
    missing = local.run(MISSING_LINES.format(statuses=status), paths).column("what").to_pylist()
    if not missing:
        return ""
    return (f"缺少扶贫标准或监测收入标准（年度/省）：{', '.join(missing)} / no poverty line (to {LAST_NATIONAL_YEAR}) "
            f"or monitoring income line (after) for year/province {', '.join(missing)}")


def evaluate(paths: Mapping[str, Path], rules: Rules, backend: Backend | None = None) -> Evaluation:
    """Run ``rules`` (each with its statuses and parameter sets) in one job; hits keyed by record."""
    started = time.perf_counter()
    own = backend is None
    backend = backend or DuckDBBackend()
    local = backend if isinstance(backend, DuckDBBackend) else DuckDBBackend()
    out = Evaluation()
    try:
        for spec, statuses, sets in rules:
            t0 = time.perf_counter()
            why = missing_lines(spec, local, paths, statuses)
            if why:
                out.errors[spec.code] = why
                continue
            parts = [backend.run(spec.render(s.values, relations(spec, s, statuses)), paths) for s in sets]
            parts = [p for p in parts if p.num_rows]
            if parts:
                raw = pa.concat_tables([p.cast(parts[0].schema) for p in parts]) if len(parts) > 1 else parts[0]
                out.hits[spec.code] = with_evidence(local, raw, KEY, unique=("record_id",))
            else:
                out.hits[spec.code] = pa.table({"record_id": pa.array([], pa.string())})
            out.counts[spec.code] = out.hits[spec.code].num_rows
            out.seconds[spec.code] = round(time.perf_counter() - t0, 3)
    finally:
        if own:
            backend.close()
        if local is not backend:
            local.close()
    out.total_seconds = time.perf_counter() - started
    return out


def evaluate_loaded(local: DuckDBBackend, rules: Rules) -> Evaluation:
    """Run ``rules`` in ``local``, which holds the snapshot as tables (``snapshot.load``): each rule's hits (all its
    parameter sets, one row per record, evidence and fingerprint as ``evaluate`` gives them) are appended to the
    table ``hits`` of ``local`` — rule_id, record ("subject:id"), household_id, region_code, evidence,
    fingerprint."""
    started = time.perf_counter()
    local.con.execute(f"SET threads = {os.cpu_count() or 1}")
    local.con.execute(HITS)
    out = Evaluation()
    for spec, statuses, sets in rules:
        t0 = time.perf_counter()
        why = missing_lines(spec, local, {}, statuses)
        if why:
            out.errors[spec.code] = why
            continue
        query = " UNION ALL ".join(f"SELECT * FROM ({spec.render(s.values, relations(spec, s, statuses))})"
                                   for s in sets)
        columns = local.con.sql(query).columns
        subject = spec.subject.replace("'", "''")
        code = spec.code.replace("'", "''")
        row = local.con.execute(f"""INSERT INTO hits SELECT '{code}', '{subject}:' || record_id, household_id,
                                           region_code, evidence, fingerprint
                                    FROM ({evidence_sql(columns, KEY, ("record_id",), f"({query})")})""").fetchone()
        out.counts[spec.code] = int(row[0]) if row else 0
        out.seconds[spec.code] = round(time.perf_counter() - t0, 3)
    out.total_seconds = time.perf_counter() - started
    return out


def stage(local: DuckDBBackend, result: Evaluation, rules: Rules) -> None:
    """``evaluate``'s hits (from another backend) into the table ``hits`` of ``local``, as ``evaluate_loaded``
    writes them."""
    subjects = {spec.code: spec.subject for spec, _statuses, _sets in rules}
    local.con.execute(HITS)
    for code, table in result.hits.items():
        if not table.num_rows:
            continue
        local.con.register("_rule_hits", table)
        try:
            subject = subjects[code].replace("'", "''")
            local.con.execute(f"""INSERT INTO hits SELECT '{code.replace("'", "''")}', '{subject}:' ||
                                         CAST(record_id AS VARCHAR), CAST(household_id AS BIGINT),
                                         CAST(region_code AS VARCHAR), CAST(evidence AS VARCHAR), fingerprint
                                  FROM _rule_hits""")
        finally:
            local.con.unregister("_rule_hits")
