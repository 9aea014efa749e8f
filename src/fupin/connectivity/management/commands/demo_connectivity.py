from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.connectivity.demo import generate
from fupin.core.audit import set_channel
from fupin.core.tree import is_code
from fupin.regions.models import Region


class Command(BaseCommand):
    help = ("Generate synthetic connectivity events and facilities (演示数据) for the villages of a province; "
            "marks a seeded share of its villages as poor when it has none. Skips an area that has events.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", default="53", help="division code of the area (default 53, 云南)")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:demo_connectivity")
        area = opts["province"]
        if not is_code(area) or not Region.objects.filter(code=area).exists():
            raise CommandError(f"region {area!r} is not loaded (run `fupin load_regions --province {area[:2]}`)")
        r = generate(area=area, seed=opts["seed"])
        if r.skipped:
            self.stdout.write(f"{area}: connectivity data present, nothing generated")
            return
        self.stdout.write(f"{area}: {r.villages:,} villages ({r.poor_marked:,} marked poor), {r.events:,} events, "
                          f"{r.facilities:,} facilities in {r.seconds:.1f}s (synthetic)")
