"""``fupin schedule``: the nightly early-warning run. Runs beside ``fupin db_worker`` (``make run`` starts both)."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from fupin.core.audit import set_channel
from fupin.monitoring import schedule

log = logging.getLogger("fupin.schedule")


class Command(BaseCommand):
    help = ("Seal the audit log's new events into its hash chain every minute, and enqueue the early-warning run (task run_monitoring) every night at FUPIN_MONITORING_AT (local time, "
            "default 02:00) unless one is queued, running or finished today. Runs until stopped.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="decide once (enqueue if due) and exit")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:schedule")
        at = schedule.run_time()
        self.stdout.write(f"schedule: warning rules every day at {at:%H:%M} ({timezone.get_current_timezone_name()})")
        while True:
            self._tick(at)
            if opts["once"]:
                return
            wake = schedule.next_check(timezone.now(), at)
            self.stdout.write(f"schedule: next check {timezone.localtime(wake):%Y-%m-%d %H:%M}")
            self.stdout.flush()
            close_old_connections()
            # Sleep in short steps so that a changed clock (suspend, NTP) is noticed within a minute; each step also
            # seals the audit events written meanwhile into the hash chain (core.auditchain).
            while timezone.now() < wake:
                self._seal()
                time.sleep(min(60.0, max(1.0, (wake - timezone.now()).total_seconds())))

    def _seal(self) -> None:
        from fupin.core.auditchain import seal

        try:
            seal()
        except Exception:  # the next minute tries again; the run of the warning rules must not stop for this
            log.exception("sealing the audit log failed")
        finally:
            close_old_connections()

    def _tick(self, at: Any) -> None:
        from fupin.monitoring.tasks import run_monitoring

        now = timezone.now()
        due, why = schedule.is_due(now, at, schedule.current_state())
        if due:
            result = run_monitoring.enqueue()
            msg = f"schedule: {timezone.localtime(now):%Y-%m-%d %H:%M} enqueued run_monitoring {result.id}"
        else:
            msg = f"schedule: {timezone.localtime(now):%Y-%m-%d %H:%M} not enqueued: {why}"
        log.info(msg)
        self.stdout.write(msg)
