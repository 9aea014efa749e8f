from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.commerce.demo import generate
from fupin.core.audit import set_channel
from fupin.core.tree import is_code
from fupin.regions.models import Region


class Command(BaseCommand):
    help = ("Generate synthetic rural e-commerce data (演示数据): populous villages, stations, demonstration shops "
            "linked to demo households, purchases, products with trace codes, for the counties of an area that "
            "have demo households.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", default="53", help="division code of the area (default 53, 云南)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the area has shops already")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:demo_commerce")
        area = opts["province"]
        if not is_code(area) or not Region.objects.filter(code=area).exists():
            raise CommandError(f"region {area!r} is not loaded (run `fupin load_regions --province {area[:2]}`)")
        r = generate(area=area, seed=opts["seed"], if_empty=opts["if_empty"])
        if r.skipped:
            self.stdout.write(f"{area}: commerce data present, nothing generated")
            return
        self.stdout.write(f"{area}: {r.counties} counties, {r.populous:,} populous villages, {r.stations:,} stations, "
                          f"{r.shops} shops, {r.links:,} linked households, {r.purchases:,} purchases, "
                          f"{r.products} products, {r.batches} trace codes in {r.seconds:.1f}s (synthetic)")
