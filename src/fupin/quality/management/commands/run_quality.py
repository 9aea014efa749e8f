"""``fupin run_quality``: run every enabled quality rule over the registry in one job and upsert the findings — the
registry read from the database, or with ``--snapshot DIR`` from the national snapshot there (``fupin snapshot``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.audit import set_channel
from fupin.core.permissions import SYSTEM
from fupin.exchange import engine
from fupin.quality import services


class Command(BaseCommand):
    help = ("Run every enabled data-quality rule in one job (DuckDB by default) and upsert the findings; the registry is "
            "read from the database, or with --snapshot DIR from the national snapshot there.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--postgres", default="", help="run the rule SQL on this PostgreSQL DSN instead of DuckDB")
        parser.add_argument("--engine", choices=engine.ENGINES, default="",
                            help="run the rule SQL on duckdb (default), spark (--master) or postgres (--postgres DSN)")
        parser.add_argument("--master", default="local[*]",
                            help="Spark master: local[*] (default), local[N] or a cluster's spark://host:7077")
        parser.add_argument("--rule", action="append", default=None)
        parser.add_argument("--snapshot", type=Path, default=None, metavar="DIR",
                            help="read the relations the rules name from the national snapshot in DIR (fupin snapshot) "
                                 "instead of the database; --as-of defaults to the snapshot's reference date")
        parser.add_argument("--enqueue", action="store_true", help="queue the run for the background worker")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:run_quality")
        if opts["enqueue"]:
            if opts["postgres"] or opts["engine"]:
                raise CommandError("--enqueue runs on the default engine; --engine and --postgres are for a run in this process")
            from fupin.quality.tasks import run_quality

            result = run_quality.enqueue(as_of=opts["as_of"].isoformat() if opts["as_of"] else None,
                                         snapshot=str(opts["snapshot"]) if opts["snapshot"] else None,
                                         rules=opts["rule"])
            self.stdout.write(f"queued {result.id}")
            return
        name = opts["engine"] or ("postgres" if opts["postgres"] else "")
        try:
            backend = engine.backend(name, master=opts["master"], dsn=opts["postgres"]) if name else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            run = services.run_quality(actor=SYSTEM, as_of=opts["as_of"], backend=backend, rule_codes=opts["rule"],
                                       snapshot_dir=opts["snapshot"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        finally:
            if backend is not None:
                backend.close()
        s = run.summary
        self.stdout.write(f"run {run.pk} as of {run.as_of}: {s['rules']} rules; snapshot {s['snapshot_seconds']} s, "
                          f"rules {s['rule_seconds']} s, merge {s['merge_seconds']} s")
        if "snapshot" in s:
            self.stdout.write(f"  read the snapshot in {s['snapshot']['directory']} taken {s['snapshot']['taken_at']} "
                              f"(as of {s['snapshot']['as_of']})")
        for code, n in sorted(s["hits"].items()):
            if n:
                self.stdout.write(f"  {code:40} {n:>8,}")
        for code, why in sorted(s["errors"].items()):
            self.stdout.write(f"  {code:40} not run: {why}")
        self.stdout.write(f"findings: {s['new']} new, {s['fixed']} fixed, {s['reopened']} reopened")
