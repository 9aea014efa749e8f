"""``fupin import_registry PATH... [--dry-run] [--user USERNAME]``: import the collection form (.xlsx, or
the three .csv files). All or nothing; on errors the report is written next to the input (…-errors.xlsx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from fupin.core.audit import set_channel
from fupin.core.models import User
from fupin.registry.services import import_registry


class Command(BaseCommand):
    help = "Import households, members and incomes from the collection form (.xlsx or .csv files)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="one .xlsx workbook, or the .csv files (户, 家庭成员, 收入)")
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
        parser.add_argument("--user", help="import as this user (scope and roles); default: a superuser")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:import_registry")
        paths = [Path(p) for p in opts["paths"]]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise CommandError(f"no such file: {', '.join(missing)}")
        if opts["user"]:
            actor = User.objects.filter(username=opts["user"]).first()
            if actor is None:
                raise CommandError(f"no user {opts['user']!r}")
        else:
            actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if actor is None:
                raise CommandError("no superuser; pass --user USERNAME")
        first = paths[0]
        report = first.with_name(f"{first.stem}-errors.xlsx")
        console = Console(stderr=True)
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                      TimeElapsedColumn(), console=console, disable=opts["verbosity"] == 0) as bar:
            task = bar.add_task("读取 / reading", total=1.0)
            try:
                r = import_registry(
                    paths, actor=actor, dry_run=opts["dry_run"], report_path=report,
                    progress=lambda stage, f: bar.update(task, description=stage, completed=f),
                )
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from exc
        s = r.as_dict()  # mark_changed: inside services.import_registry
        self.stdout.write(
            f"created {s['created']:,}, updated {s['updated']:,}, unchanged {s['unchanged']:,}, "
            f"rejected {s['rejected']:,}; {s['members']:,} members, {s['incomes']:,} income years written "
            f"in {r.seconds:.1f}s" + (" (dry run, nothing written)" if r.dry_run else "")
        )
        if r.errors:
            for e in r.errors[:20]:
                self.stderr.write(f"{e.sheet} 第{e.row}行 {e.column}: {e.message}")
            if len(r.errors) > 20:
                self.stderr.write(f"… {len(r.errors) - 20:,} more")
            raise CommandError(f"{len(r.errors):,} errors, nothing written; error report: {r.error_report}")
