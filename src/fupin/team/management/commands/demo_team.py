from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.audit import set_channel
from fupin.core.tree import is_code
from fupin.regions.models import Region
from fupin.team.demo import generate


class Command(BaseCommand):
    help = ("Generate synthetic team data (演示数据): first secretaries, work teams and leaders for every poor village "
            "of an area with demo households, visits and trainings with attendance (schools and clinics come with "
            "demo_connectivity).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", default="53", help="division code of the area (default 53, 云南)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the area has postings already")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:demo_team")
        area = opts["province"]
        if not is_code(area) or not Region.objects.filter(code=area).exists():
            raise CommandError(f"region {area!r} is not loaded (run `fupin load_regions --province {area[:2]}`)")
        r = generate(area=area, seed=opts["seed"], if_empty=opts["if_empty"])
        if r.skipped:
            self.stdout.write(f"{area}: team data present, nothing generated")
            return
        self.stdout.write(f"{area}: {r.villages:,} villages, {r.cadres:,} team members, {r.postings:,} postings, "
                          f"{r.visits:,} visits, {r.trainings} trainings, {r.attendance:,} attendance rows, "
                          f"{r.follow_ups:,} follow-ups "
                          f"in {r.seconds:.1f}s (synthetic)")
