from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.connectivity.services import EventDataError, import_facilities
from fupin.core.audit import set_channel
from fupin.core.permissions import SYSTEM


class Command(BaseCommand):
    help = ("Upsert facilities from a CSV (UTF-8, BOM or GB18030) or XLSX with the columns 类型, 区划代码, 名称 and the "
            "typed attributes of each type (see the template on /connectivity/facilities/). All or nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:import_facilities")
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"file not found: {path}")
        try:
            r = import_facilities(content=path.read_bytes(), filename=path.name, actor=SYSTEM)
        except EventDataError as exc:
            for err in exc.errors:
                self.stderr.write(str(err))
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{r.counts['rows']:,} facilities: {r.created:,} created, {r.updated:,} updated, "
                          f"{r.unchanged:,} unchanged")
