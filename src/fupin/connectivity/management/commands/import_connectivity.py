from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.connectivity.services import EventDataError, import_events
from fupin.core.audit import set_channel
from fupin.core.permissions import SYSTEM


class Command(BaseCommand):
    help = ("Import connectivity events from a CSV (UTF-8, BOM or GB18030) or XLSX with the columns 区划代码, 日期, "
            "类型, 值 and optionally 资金（万元）, 来源. All or nothing: any bad row and nothing is written.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:import_connectivity")
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"file not found: {path}")
        try:
            r = import_events(content=path.read_bytes(), filename=path.name, actor=SYSTEM)
        except EventDataError as exc:
            for err in exc.errors:
                self.stderr.write(str(err))
            raise CommandError(str(exc)) from exc
        kinds = ", ".join(f"{k}: {n:,}" for k, n in sorted(r.counts["by_kind"].items()))
        self.stdout.write(f"{r.created:,} events for {r.counts['villages']:,} villages imported ({kinds})")
