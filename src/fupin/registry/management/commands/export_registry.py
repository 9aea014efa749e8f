"""``fupin export_registry --region CODE OUTPUT``: the registry of a subtree in the collection-form template,
as one .xlsx (OUTPUT ends in .xlsx) or three .csv files (OUTPUT is a directory)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.audit import set_channel
from fupin.core.models import User
from fupin.registry.exporter import export_registry


class Command(BaseCommand):
    help = "Export the registry of a region (xlsx, or a directory of csv files) in the import template."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", help="a .xlsx file, or a directory for the three .csv files")
        parser.add_argument("--region", default="", help="region code (default: the whole scope of the user)")
        parser.add_argument("--user", help="export as this user (scope and masking); default: a superuser")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:export_registry")
        if opts["user"]:
            actor = User.objects.filter(username=opts["user"]).first()
        else:
            actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError("no such user; pass --user USERNAME")
        output = Path(opts["output"])
        fmt = "xlsx" if output.suffix.lower() == ".xlsx" else "csv"
        try:
            r, _ = export_registry(actor=actor, region=opts["region"], output=output, fmt=fmt,
                                   console=not opts["user"])
        except (PermissionDenied, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{r.households:,} households, {r.members:,} members, {r.incomes:,} income years "
            f"({'clear' if r.clear else 'masked: cannot be imported again'}) → {', '.join(map(str, r.paths))} "
            f"in {r.seconds:.1f}s"
        )
