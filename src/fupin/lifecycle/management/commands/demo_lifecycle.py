"""``fupin demo_lifecycle``: the living demo of the lifecycle up to today (incomes after 2020 where absent, the
monitoring lines of each year, monitoring objects since 2021, and cases of every procedure at every step in the demo
users' township). Runs after ``fupin demo_users``; ``make db`` calls it. See ``lifecycle.demo_cases``."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.audit import set_channel
from fupin.lifecycle import demo_cases


class Command(BaseCommand):
    help = "Demo cases of every procedure at every step, monitoring objects and recent incomes (demo data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=21)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the demo cases exist already")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:demo_lifecycle")
        if opts["if_empty"] and demo_cases.has_demo_cases():
            self.stdout.write("demo cases exist: nothing written")
            return
        started = time.monotonic()
        try:
            result = demo_cases.generate(seed=opts["seed"])
        except demo_cases.DemoCasesError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"incomes after 2020 written: {result.incomes:,}; monitoring lines: {result.lines}; "
                          f"monitoring objects: {result.monitoring}")
        for kind, n in result.cases.items():
            self.stdout.write(f"  cases {kind:16} {n:>3}")
        for s in result.skipped:
            self.stdout.write(f"  skipped {s}")
        self.stdout.write(f"done in {time.monotonic() - started:.1f} s")
