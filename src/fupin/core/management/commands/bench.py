"""``fupin bench NAME``: benchmarks that print the figures the issues ask for (docs/benchmarks.md).
They measure; they do not assert. Run them on a fresh database (``make bench-foundation`` does)."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection


def _machine() -> str:
    cpus = os.cpu_count()
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return f"{platform.machine()} {cpus} cores{mem}, Python {platform.python_version()}, {connection.vendor}"


def _timed(label: str, fn: Callable[[], Any], rows: list[tuple[str, float, str]], extra: Callable[[Any], str]) -> Any:
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    rows.append((label, seconds, extra(result)))
    return result


def bench_foundation(cmd: BaseCommand, opts: dict[str, Any]) -> list[tuple[str, float, str]]:
    from fupin.regions.services import load_regions
    from fupin.registry.demo import generate
    from fupin.registry.models import Household

    if Household.objects.exists():
        raise CommandError("bench foundation needs an empty database (make bench-foundation creates one)")
    rows: list[tuple[str, float, str]] = []
    d = settings.DIVISIONS_DIR
    _timed("load_regions, whole country (first load)", lambda: load_regions(directory=d), rows,
           lambda r: f"{r.total:,} nodes, {r.by_level.get(5, 0):,} villages, {r.total / r.seconds:,.0f} nodes/s")
    _timed("load_regions, whole country (re-run, idempotent)", lambda: load_regions(directory=d), rows,
           lambda r: f"created {r.created:,}, updated {r.updated:,}")
    _timed("load_regions --province 53", lambda: load_regions(directory=d, provinces=["53"]), rows,
           lambda r: f"{r.total:,} nodes")
    n = opts["households"]
    _timed(f"demo --households {n:,}", lambda: generate(households=n, area="53", seed=1), rows,
           lambda r: f"{r.members:,} members, {r.incomes:,} income years; generate {r.timings['generate']:.1f}s, "
                     f"write {r.timings['write']:.1f}s; {r.households / r.seconds:,.0f} households/s")
    return rows


BENCHES = {"foundation": bench_foundation}


class Command(BaseCommand):
    help = "Run a benchmark and print its figures: " + ", ".join(BENCHES)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=sorted(BENCHES))
        parser.add_argument("--households", type=int, default=100_000)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["households"] <= 0:
            raise CommandError("--households must be positive")
        rows = BENCHES[opts["name"]](self, opts)
        self.stdout.write(f"# bench {opts['name']} — {_machine()} — {time.strftime('%Y-%m-%d %H:%M')}")
        self.stdout.write("| step | seconds | figures |")
        self.stdout.write("|---|---:|---|")
        for label, seconds, extra in rows:
            self.stdout.write(f"| {label} | {seconds:.1f} | {extra} |")
