"""``fupin run_comparison``: compare the registry with the latest department batches and upsert doubts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.audit import set_channel
from fupin.core.permissions import SYSTEM
from fupin.exchange import engine, services


class Command(BaseCommand):
    help = "Run every enabled comparison rule in one job (DuckDB by default) and upsert the doubts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--postgres", default="", help="run the rules on this PostgreSQL DSN instead of DuckDB")
        parser.add_argument("--rule", action="append", default=None)
        parser.add_argument("--enqueue", action="store_true", help="queue the run for the background worker")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:run_comparison")
        if opts["enqueue"]:
            if opts["postgres"]:
                raise CommandError("--enqueue runs on the default engine; --postgres is for a run in this process")
            from fupin.exchange.tasks import run_comparison

            result = run_comparison.enqueue(as_of=opts["as_of"].isoformat() if opts["as_of"] else None,
                                            rules=opts["rule"])
            self.stdout.write(f"queued {result.id}")
            return
        backend = engine.PostgresBackend(opts["postgres"]) if opts["postgres"] else None
        try:
            run = services.run_comparison(actor=SYSTEM, as_of=opts["as_of"], backend=backend, rule_codes=opts["rule"])
        finally:
            if backend is not None:
                backend.close()
        s = run.summary
        self.stdout.write(f"run {run.pk} as of {run.as_of}: {s['persons']:,} persons, {s['seconds']} s")
        for code, n in sorted(s["hits"].items()):
            self.stdout.write(f"  {code:22} {n:>8,} hits")
        for code, why in sorted(s["skipped"].items()):
            self.stdout.write(f"  {code:22} skipped: {why}")
        self.stdout.write(f"doubts: {s['new']} new, {s['updated']} updated, {s['reopened']} reopened, "
                          f"{s['unchanged_resolved']} resolved unchanged, {s['cleared']} no longer found")
