"""``fupin demo_workbench``: work waiting on the demo users' workbenches, some of it overdue (demo data; runs after
``run_monitoring`` and ``demo_exchange`` in ``make db``). See ``home.demo``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fupin.core.audit import set_channel
from fupin.home import demo


class Command(BaseCommand):
    help = "Visit and dismiss a few demo alerts and make a few alerts and doubts overdue (demo data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing when it was done already")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:demo_workbench")
        if opts["if_empty"] and demo.has_demo_work():
            self.stdout.write("demo work exists: nothing written")
            return
        done = demo.generate()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in done.items()))
