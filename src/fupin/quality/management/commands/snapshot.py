"""``fupin snapshot``: the registry as Parquet partitioned by province, only the changed provinces (quality.national)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from fupin.core.audit import set_channel
from fupin.quality import national


class Command(BaseCommand):
    help = ("Export the registry (households, members, incomes, measures, monitoring records, villages) to Parquet "
            "partitioned by province, writing only the provinces whose data changed since the last snapshot.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", type=Path, default=None, help="directory (default var/snapshot)")
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="reference date for ages")
        parser.add_argument("--province", action="append", default=None, help="only this province (repeatable)")
        parser.add_argument("--force", action="store_true", help="write every province, changed or not")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:snapshot")
        directory = opts["to"] or Path(settings.VAR_DIR) / "snapshot"
        r = national.take(directory, opts["as_of"], provinces=opts["province"], force=opts["force"])
        for province, rows in sorted(r.written.items()):
            self.stdout.write(f"  province {province}: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
        self.stdout.write(f"snapshot {r.taken_at} in {directory}: {len(r.written)} provinces written, "
                          f"{len(r.unchanged)} unchanged, {len(r.removed)} removed, {r.seconds:.1f} s")
