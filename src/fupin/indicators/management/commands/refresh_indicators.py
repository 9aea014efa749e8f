"""``fupin refresh_indicators [--period P] [--full]``: recompute indicator values (incrementally by default)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from fupin.core.audit import set_channel
from fupin.indicators import services
from fupin.indicators.models import Period

STEPS = ("changed villages", "households", "villages", "events", "connectivity", "roll-up", "median", "write")


class Command(BaseCommand):
    help = ("Refresh indicator values: one period (--period 2026 or 2026-11) or the current year and month and every "
            "period not frozen; incremental unless --full.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", default="", help="a year (2026) or a month (2026-11); default: all open")
        parser.add_argument("--full", action="store_true", help="rebuild every value instead of the changed regions")
        parser.add_argument("--enqueue", action="store_true", help="queue the refresh for the background worker")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:refresh_indicators")
        if opts["enqueue"]:
            from fupin.indicators.tasks import refresh_indicators

            result = refresh_indicators.enqueue(period=opts["period"], full=opts["full"])
            self.stdout.write(f"queued {result.id}")
            return
        try:
            if opts["period"]:
                services.ensure_period(opts["period"])
                codes = [opts["period"]]
            else:
                codes = services.current_codes()
                for code in codes:
                    services.ensure_period(code)
                codes = list(Period.objects.filter(frozen_at__isnull=True).order_by("code")
                             .values_list("code", flat=True))
            console = Console(stderr=True)
            with Progress(TextColumn("{task.description:<28}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                          TimeElapsedColumn(), console=console, disable=opts["verbosity"] == 0) as bar:
                for code in codes:
                    task = bar.add_task(code, total=len(STEPS))

                    def step(label: str, task: Any = task, code: str = code) -> None:
                        bar.update(task, description=f"{code}: {label}",
                                   completed=STEPS.index(label) if label in STEPS else 0)

                    r = services.refresh(code, full=opts["full"], progress=step)
                    bar.update(task, description=f"{code}: done", completed=len(STEPS))
                    what = ("full rebuild" if r.full else
                            f"{r.households:,} households in {r.villages:,} changed villages, {r.regions:,} regions")
                    self.stdout.write(f"{r.period}: {what}; {r.written:,} values written, {r.deleted:,} deleted, "
                                      f"{r.seconds:.2f} s")
        except services.IndicatorError as exc:
            raise CommandError(str(exc)) from exc
