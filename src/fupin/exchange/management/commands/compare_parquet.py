"""``fupin compare_parquet``: every comparison rule over Parquet files on any engine, hits counted, nothing written
to the database — the national comparison over ``fupin snapshot``'s ``comparison_persons`` and department batches,
on DuckDB, Spark (local or a cluster's master) or PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.exchange import engine
from fupin.exchange.rules import RULES, RuleSpec


class Command(BaseCommand):
    help = ("Run the comparison rules over a persons snapshot (a Parquet file or a directory partitioned by province) "
            "and a directory of department batches (<dataset>.parquet each); print the hits per rule.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=Path, required=True,
                            help="persons Parquet file, or directory (e.g. var/snapshot/comparison_persons)")
        parser.add_argument("--batches", type=Path, required=True, help="directory of <dataset>.parquet files")
        parser.add_argument("--engine", choices=engine.ENGINES, default="duckdb")
        parser.add_argument("--master", default="local[*]", help="Spark master: local[*], local[N], spark://host:7077")
        parser.add_argument("--postgres", default="", help="database URL for --engine postgres")
        parser.add_argument("--rule", action="append", default=None, help="only this rule (repeatable)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["persons"].exists():
            raise CommandError(f"no persons snapshot at {opts['persons']}")
        refs = {p.stem: engine.Batchref(p) for p in sorted(opts["batches"].glob("*.parquet"))}
        if not refs:
            raise CommandError(f"no <dataset>.parquet files in {opts['batches']}")
        unknown = [c for c in opts["rule"] or () if c not in RULES]
        if unknown:
            raise CommandError(f"unknown rules: {', '.join(unknown)}")
        rules: list[tuple[RuleSpec, dict[str, Any]]] = [(RULES[c], {}) for c in (opts["rule"] or RULES)]
        t0 = time.perf_counter()
        try:
            backend = engine.backend(opts["engine"], master=opts["master"], dsn=opts["postgres"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        started = time.perf_counter() - t0
        try:
            result = engine.evaluate(opts["persons"], refs, rules, backend)
        finally:
            backend.close()
        self.stdout.write(f"engine {opts['engine']}" + (f" ({opts['master']})" if opts["engine"] == "spark" else "")
                          + f": {len(result.results)} rules in {result.seconds:.1f} s (engine start {started:.1f} s), "
                          f"{result.hit_count:,} hits")
        for code, r in sorted(result.results.items()):
            self.stdout.write(f"  {code:22} {r.hits.num_rows:>10,} hits  {r.seconds:8.1f} s")
        for code, why in sorted(result.skipped.items()):
            self.stdout.write(f"  {code:22} skipped: {why}")
