from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fupin.core import audit
from fupin.welfare import demo
from fupin.welfare.models import Need, WelfareProject


class Command(BaseCommand):
    help = "Demo data of the welfare platform (needs with consent, ledger, projects, pairings) in a county."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--county", default="533301")
        parser.add_argument("--needs", type=int, default=12)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when needs or projects exist already (demo_users makes the demo donor first)")

    def handle(self, *args: Any, **opts: Any) -> None:
        audit.set_channel("cli")
        if opts["if_empty"] and (Need.objects.exists() or WelfareProject.objects.exists()):
            self.stdout.write("welfare demo data exists already")
            return
        try:
            counts = demo.create(opts["county"], needs=opts["needs"])
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"welfare demo: {counts}")
