"""`fupin recover_tasks`: background jobs a stopped worker left running are marked failed with the reason and queued
again once (see core.recovery). Run it before starting the worker (`make serve` does)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from fupin.core.recovery import recover_interrupted


class Command(BaseCommand):
    help = "Mark background jobs left running by a stopped worker as failed, and queue each again once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--older-than", type=int, default=0, metavar="MINUTES",
                            help="only jobs started more than MINUTES ago (default: all; run it while no worker runs)")
        parser.add_argument("--no-retry", action="store_true", help="mark them failed without queueing them again")

    def handle(self, *args: Any, **opts: Any) -> None:
        before = timezone.now() - dt.timedelta(minutes=opts["older_than"]) if opts["older_than"] else None
        for r in recover_interrupted(started_before=before, retry=not opts["no_retry"]):
            again = f"queued again as {r.retried_as}" if r.retried_as else "not queued again"
            self.stdout.write(f"{r.task_path} {r.task_id}: interrupted, marked failed; {again}")
