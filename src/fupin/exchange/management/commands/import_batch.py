"""``fupin import_batch TYPE FILE --as-of DATE``: validate and store a department batch (R4.1)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.audit import set_channel
from fupin.core.permissions import SYSTEM
from fupin.exchange import catalogue, services


class Command(BaseCommand):
    help = "Validate a department file (CSV, XLSX, Parquet, JSON) and store it as a new batch version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset", choices=sorted(catalogue.DATASETS))
        parser.add_argument("file")
        parser.add_argument("--as-of", required=True, type=dt.date.fromisoformat, help="date of the data, YYYY-MM-DD")
        parser.add_argument("--region", default="", help="region the batch covers (code prefix; default nationwide)")
        parser.add_argument("--department", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:import_batch")
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        batch = services.upload_batch(actor=SYSTEM, dataset=opts["dataset"], content=path.read_bytes(),
                                      file_name=path.name, as_of=opts["as_of"], region_code=opts["region"],
                                      department=opts["department"])
        if batch.status != batch.Status.ACCEPTED:
            report = batch.report
            self.stderr.write(f"rejected: {report.get('file_error') or ''} {report.get('error_count', 0)} errors")
            for msg, n in report.get("by_message", {}).items():
                self.stderr.write(f"  {n} × {msg}")
            for e in report.get("errors", [])[:20]:
                self.stderr.write(f"  row {e['row']} {e['column']}: {e['value']!r} — {e['message']}")
            raise CommandError(json.dumps({"batch": batch.pk, "status": batch.status}))
        self.stdout.write(f"batch {batch.pk}: {batch.dataset} as of {batch.as_of} v{batch.version}, {batch.rows:,} rows")
