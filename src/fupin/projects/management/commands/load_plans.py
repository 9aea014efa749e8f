"""``fupin load_plans``: the seeds' action plans, tasks and targets (projects/data/plans.json), idempotent."""

from typing import Any

from django.core.management.base import BaseCommand

from fupin.core import audit
from fupin.core.permissions import SYSTEM
from fupin.projects.services import load_plans


class Command(BaseCommand):
    help = "Load or update the seeds' action plans with their tasks, and the seeds' numeric targets."

    def handle(self, *args: Any, **options: Any) -> None:
        audit.set_channel("cli:load_plans")
        counts = load_plans(actor=SYSTEM)
        self.stdout.write(f"plans {counts['plans']}, tasks {counts['tasks']}, targets {counts['targets']}")
