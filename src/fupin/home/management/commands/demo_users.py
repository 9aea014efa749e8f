from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.audit import set_channel
from fupin.home.services import DemoUsersError, create_demo_users


class Command(BaseCommand):
    help = "Create or refresh the demo users (one per role) over the demo area (泸水市, 怒江州, Yunnan)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=None, help="password for all demo users (default: see README)")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:demo_users")
        try:
            users = create_demo_users(password=opts["password"])
        except DemoUsersError as exc:
            raise CommandError(str(exc)) from exc
        for u in users:
            region = f"{u.region.name} ({u.region_id})" if u.region else "全国 / nationwide"
            self.stdout.write(f"{u.username:15} {', '.join(u.role_labels):30} {region}")
