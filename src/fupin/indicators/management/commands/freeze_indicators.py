"""``fupin freeze_indicators P``: refresh a period that has ended one last time and freeze its values."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.core.audit import set_channel
from fupin.core.permissions import SYSTEM
from fupin.indicators import services


class Command(BaseCommand):
    help = "Freeze the indicator values of a period that has ended (after a last refresh); audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="a year (2020) or a month (2020-12)")
        parser.add_argument("--no-refresh", action="store_true", help="freeze the values as they are")
        parser.add_argument("--if-open", action="store_true",
                            help="do nothing when the period is already frozen (for set-up scripts)")

    def handle(self, *args: Any, **opts: Any) -> None:
        set_channel("cli:freeze_indicators")
        try:
            existing = services.ensure_period(opts["period"])
            if opts["if_open"] and existing.is_frozen:
                self.stdout.write(f"{existing.code}: already frozen at {existing.frozen_at:%Y-%m-%d %H:%M}")
                return
            period = services.freeze(opts["period"], actor=SYSTEM, refresh_first=not opts["no_refresh"])
        except services.IndicatorError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{period.code}: frozen at {period.frozen_at:%Y-%m-%d %H:%M} "
                          f"({period.values.count():,} values)")
