"""``fupin demo_quality``: plant a few errors of each kind the demo generator never makes in the demo county's
households, then run the quality rules, so that the demo shows findings (make run calls it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fupin.core.audit import set_channel
from fupin.core.permissions import SYSTEM
from fupin.quality import demo, services
from fupin.quality.models import Run


class Command(BaseCommand):
    help = "Plant demo errors in the demo county (泸水市 by default) and run the data-quality rules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", default="533301", help="region code of the households to plant errors in")
        parser.add_argument("--per-rule", type=int, default=8, help="households per kind of error")
        parser.add_argument("--seed", type=int, default=14)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when a quality run exists already")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:demo_quality")
        if opts["if_empty"] and Run.objects.exists():
            self.stdout.write("quality runs exist: nothing planted")
            return
        planted = demo.plant_errors(area=opts["area"], per_rule=opts["per_rule"], seed=opts["seed"])
        for code, n in planted.items():
            self.stdout.write(f"  planted {code:32} {n:>4}")
        run = services.run_quality(actor=SYSTEM)
        self.stdout.write(f"quality run {run.pk}: {sum(run.summary['hits'].values()):,} findings, "
                          f"{run.summary['new']:,} new")
