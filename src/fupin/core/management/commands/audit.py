import csv
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.auditchain import seal, verify
from fupin.core.exports import safe_row
from fupin.core.models import AuditEvent

EXPORT_FIELDS = ("id", "at", "username", "action", "object_type", "object_id", "region_code", "summary", "detail",
                 "ip", "channel", "chain_seq", "chain_hash")


class Command(BaseCommand):
    help = ("The audit log's hash chain: `seal` chains the rows written since the last seal, `verify` detects "
            "removed or edited rows, `export` writes the log (or a period of it) as CSV for inspectors.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("seal")
        sub.add_parser("verify")
        export = sub.add_parser("export")
        export.add_argument("--from", dest="start", type=dt.date.fromisoformat, help="first day (YYYY-MM-DD)")
        export.add_argument("--to", dest="end", type=dt.date.fromisoformat, help="last day (YYYY-MM-DD)")
        export.add_argument("--region", default="", help="division code: this region's subtree only")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["what"] == "seal":
            self.stdout.write(f"sealed {seal():,} audit events")
        elif opts["what"] == "verify":
            seal()
            result = verify()
            for problem in result.problems:
                self.stderr.write(problem)
            if not result.ok:
                raise CommandError(f"the audit log was tampered with: {len(result.problems)} problem(s)")
            self.stdout.write(f"audit log intact: {result.checked:,} events in the chain")
        else:
            self._export(opts)

    def _export(self, opts: dict[str, Any]) -> None:
        qs = AuditEvent.objects.order_by("id")
        if opts["start"]:
            qs = qs.filter(at__date__gte=opts["start"])
        if opts["end"]:
            qs = qs.filter(at__date__lte=opts["end"])
        if opts["region"]:
            from fupin.core.scoping import Scope
            from fupin.core.tree import is_code

            if not is_code(opts["region"]):
                raise CommandError(f"not a division code: {opts['region']}")
            qs = qs.filter(Scope(opts["region"]).q("region_code"))
        writer = csv.writer(self.stdout)  # OutputWrapper has write()
        writer.writerow(EXPORT_FIELDS)
        for row in qs.values_list(*EXPORT_FIELDS).iterator(chunk_size=5000):
            writer.writerow(safe_row(row))

