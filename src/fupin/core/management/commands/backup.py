from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.audit import record, set_channel
from fupin.core.backup import BackupError, backup


class Command(BaseCommand):
    help = ("Back up the database (PostgreSQL: pg_dump custom format; SQLite: the online backup API, safe while "
            "the server runs) and the data files under var/ into one folder.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="folder to put the backup in (default var/backups)")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:backup")
        try:
            result = backup(opts["output"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        record(actor=None, action="backup", summary=f"backup to {result.path}",
               detail={"tables": len(result.tables), "rows": sum(result.tables.values()), "files": result.files})
        self.stdout.write(f"{result.path}  ({len(result.tables)} tables, {sum(result.tables.values()):,} rows, "
                          f"{result.files} files)")
