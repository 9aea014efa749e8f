from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.audit import record, set_channel
from fupin.core.backup import BackupError, read_manifest, restore


class Command(BaseCommand):
    help = ("Replace the database and the data files under var/ by a backup made with `fupin backup`, then check "
            "every table's row count against the backup's manifest. Stop the server and the worker first.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--no-files", action="store_true", help="restore the database only")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:restore")
        try:
            manifest = read_manifest(opts["folder"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not opts["yes"]:
            answer = input(f"Replace this database by the backup of {manifest['created']}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("not restored")
        try:
            counts = restore(opts["folder"], files=not opts["no_files"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        record(actor=None, action="restore", summary=f"restore from {opts['folder']}",
               detail={"tables": len(counts), "rows": sum(counts.values())})
        self.stdout.write(f"restored {len(counts)} tables, {sum(counts.values()):,} rows; counts match the backup")
