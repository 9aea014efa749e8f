"""``fupin demo_projects``: synthetic fund lines, projects, allocations, disbursements and beneficiaries for the
demo area (演示数据，纯属虚构), and the seeds' real plans."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fupin.core import audit
from fupin.projects import demo


class Command(BaseCommand):
    help = "Generate synthetic projects and funds for the demo area and load the seeds' plans."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", default="53", help="area code (default 53, Yunnan)")
        parser.add_argument("--year", type=int, default=None, help="the funds' year (default: last year)")
        parser.add_argument("--seed", type=int, default=2019)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when fund lines or projects exist")

    def handle(self, *args: Any, **opts: Any) -> None:
        audit.set_channel("cli:demo_projects")
        r = demo.run(area=opts["province"], year=opts["year"], seed=opts["seed"], if_empty=opts["if_empty"])
        if r.skipped:
            self.stdout.write("projects not empty; demo projects not generated")
            return
        self.stdout.write(f"demo projects (synthetic): {r.lines} fund lines, {r.projects} projects, {r.allocations} "
                          f"allocations, {r.disbursements} disbursements, {r.beneficiaries} beneficiary households; "
                          f"{r.tasks} plan tasks")
