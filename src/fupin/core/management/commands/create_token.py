from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.audit import set_channel
from fupin.core.models import User
from fupin.core.services import create_api_token


class Command(BaseCommand):
    help = "Create an API bearer token for a user and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")
        parser.add_argument("--days", type=int, default=365, help="validity in days; 0 for no expiry")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:create_token")
        try:
            user = User.objects.get(username=opts["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"no user named {opts['username']!r}") from exc
        if opts["days"] < 0:
            raise CommandError("--days must be 0 or more")
        _token, raw = create_api_token(user=user, name=opts["name"], days=opts["days"] or None)
        self.stdout.write(raw)
