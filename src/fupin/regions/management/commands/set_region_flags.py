from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.audit import set_channel
from fupin.regions.services import FlagFileError, RegionDataError, set_region_flags


class Command(BaseCommand):
    help = (
        "Set region flags from a CSV with a 区划代码 column and any of 贫困县, 三区三州, 定点县, 片区县, 移民地区, "
        "贫困村, 退出年度 (是/否 or 1/0; empty leaves a flag unchanged). Area flags apply to the whole subtree."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:set_region_flags")
        path: Path = opts["csv"]
        if not path.is_file():
            raise CommandError(f"file not found: {path}")
        try:
            result = set_region_flags(content=path.read_bytes(), filename=path.name)
        except FlagFileError as exc:
            for err in exc.conflicts[1:]:
                self.stderr.write(str(err))
            raise CommandError(str(exc)) from exc
        except RegionDataError as exc:
            raise CommandError(str(exc)) from exc
        changes = ", ".join(f"{k}: {v:,}" for k, v in sorted(result.counts.items())) or "none"
        self.stdout.write(f"{result.updated} rows applied; nodes updated — {changes}")
