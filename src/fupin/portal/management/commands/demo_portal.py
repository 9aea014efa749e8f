from typing import Any

from django.core.management.base import BaseCommand

from fupin.core import audit
from fupin.portal import demo


class Command(BaseCommand):
    help = "Demo articles of the public portal (news, policy, typical cases), published through the workflow."

    def handle(self, *args: Any, **opts: Any) -> None:
        audit.set_channel("cli")
        self.stdout.write(f"portal demo: {demo.create()} articles published")
