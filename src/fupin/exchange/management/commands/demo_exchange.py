"""``fupin demo_exchange``: synthetic department batches over the demo registry, with planted cases,
then one comparison run (演示数据，纯属虚构)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fupin.core.audit import set_channel
from fupin.core.permissions import SYSTEM
from fupin.exchange import demo, services


class Command(BaseCommand):
    help = "Generate department batches with a known number of planted cases per rule, and compare."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--planted", type=int, default=5, help="planted cases per rule")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--no-run", action="store_true", help="only upload the batches")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when batches exist already")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:demo_exchange")
        if opts["if_empty"]:
            from fupin.exchange.models import Batch

            if Batch.objects.exists():
                self.stdout.write("department batches exist; demo batches not generated")
                return
        as_of = opts["as_of"] or dt.date.today()
        result = demo.generate(as_of=as_of, planted=opts["planted"], seed=opts["seed"])
        for dataset, rows in result.batches.items():
            self.stdout.write(f"batch {dataset:18} {rows:>8,} rows")
        if opts["no_run"]:
            return
        run = services.run_comparison(actor=SYSTEM, as_of=as_of)
        for code, expected in sorted(result.expected.items()):
            found = run.summary["hits"].get(code, 0)
            self.stdout.write(f"{code:22} planted {expected:>3}  found {found:>3}{'' if found == expected else '  ≠'}")
        self.stdout.write(f"doubts: {run.summary['new']} new, {run.summary['updated']} updated")
