"""``fupin run_monitoring``: run the warning rules over every household and upsert the alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fupin.core.audit import set_channel
from fupin.core.permissions import SYSTEM
from fupin.monitoring import services


class Command(BaseCommand):
    help = "Run every enabled early-warning rule over all households and upsert the alerts (no duplicates)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--rule", action="append", default=None)
        parser.add_argument("--enqueue", action="store_true", help="queue the run for the background worker")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:run_monitoring")
        if opts["enqueue"]:
            from fupin.monitoring.tasks import run_monitoring

            result = run_monitoring.enqueue()
            self.stdout.write(f"queued {result.id}")
            return
        run = services.run_rules(actor=SYSTEM, as_of=opts["as_of"], rule_codes=opts["rule"])
        s = run.summary
        self.stdout.write(f"warning run {run.pk} as of {run.as_of}: {s['seconds']} s")
        for code, n in sorted(s["hits"].items()):
            self.stdout.write(f"  {code:22} {n:>8,} households")
        for code, why in sorted(s.get("skipped", {}).items()):
            self.stdout.write(f"  {code:22} skipped: {why}")
        self.stdout.write(f"alerts: {s['new']} new, {s['reopened']} reopened, {s['cleared']} no longer found")
