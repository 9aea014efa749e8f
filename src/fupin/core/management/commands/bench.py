"""``fupin bench NAME``: benchmarks that print the figures the issues ask for (docs/benchmarks.md).
Each app's ``bench.py`` defines its own (``BENCHMARKS``); they measure, they do not assert. Run them on a fresh
database (``make bench-*`` does)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.benchmarks import benchmarks, machine


class Command(BaseCommand):
    help = "Run a benchmark (defined in an app's bench.py) and print its figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=sorted(benchmarks()))
        parser.add_argument("--households", type=int, default=100_000)
        parser.add_argument("--purchases", type=int, default=100_000, help="bench commerce: rows of the upload")
        parser.add_argument("--persons", type=int, default=1_000_000, help="bench registry: persons in the registry")
        parser.add_argument("--xlsx-persons", type=int, default=100_000, help="bench registry: persons in the xlsx")
        parser.add_argument("--rows", type=int, default=100_000, help="bench projects, team: rows uploaded")
        parser.add_argument("--engines", default="duckdb,spark", help="bench national: engines of the comparison")
        parser.add_argument("--keep", action="store_true", help="bench national: keep the generated files")
        parser.add_argument("--clear-findings", action="store_true",
                            help="bench quality: empty the findings first (a database kept between measurements)")
        parser.add_argument("--from", dest="from_dir", default="",
                            help="bench pgscale: the generator's Parquet (DIR/<table>/province=XX/...)")
        parser.add_argument("--milestones", default="1000000,3000000,10000000",
                            help="bench pgscale: registry sizes (households) at which everything is measured")
        parser.add_argument("--partitioning", type=int, default=0,
                            help="bench pgscale: the milestone at which partitioning is measured (default the largest "
                                 "reached)")
        parser.add_argument("--measure", default="pages,indicators,exit,warnings,partitioning",
                            help="bench pgscale: what is measured at each milestone (sizes always); 'none' for sizes only")
        parser.add_argument("--resume", action="store_true",
                            help="bench pgscale: skip the parts imported before (an interrupted run's database); the "
                                 "rates count the parts imported now")
        parser.add_argument("--existing", action="store_true",
                            help="bench pgscale: no import: the --measure figures once, on the registry as it is")
        parser.add_argument("--part-households", type=int, default=250_000,
                            help="bench pgscale: households imported at a time")
        parser.add_argument("--streams", type=int, default=1,
                            help="bench pgscale: imports running at once (each part still one import, in its own "
                                 "transaction; with more than one the parts are converted in waves of eight)")
        parser.add_argument("--xlsx-mb", type=float, default=0,
                            help="bench registry: also import a workbook of about this many MiB in a child process "
                                 "and print its peak memory")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["households"] <= 0:
            raise CommandError("--households must be positive")
        rows = benchmarks()[opts["name"]](self, opts)
        self.stdout.write(f"# bench {opts['name']} — {machine()} — {time.strftime('%Y-%m-%d %H:%M')}")
        self.stdout.write("| step | seconds | figures |")
        self.stdout.write("|---|---:|---|")
        for label, seconds, extra in rows:
            self.stdout.write(f"| {label} | {seconds:.1f} | {extra} |")
