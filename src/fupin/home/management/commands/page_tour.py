import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fupin.home.pagetour import DEMO_USERS, Timing, time_login, time_pages


class Command(BaseCommand):
    help = ("Time every main page of every demo role on this database (make bench-pages): median and slowest of "
            "--repeat GETs, pages over --budget ms marked.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", action="append", help="only these demo users (repeatable)")
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--budget", type=float, default=300.0, help="milliseconds a page may take")

    def handle(self, *args: Any, **opts: Any) -> None:
        budget = opts["budget"]
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        self.stdout.write(f"load average before: {load}")
        slow: list[Timing] = []

        def show(t: Timing) -> None:
            mark = "  SLOW" if t.median_ms > budget else ""
            if t.median_ms > budget:
                slow.append(t)
            self.stdout.write(f"{t.user:20} {t.page.path:45} {t.status} {t.median_ms:8.0f} ms  (max {t.max_ms:.0f}){mark}")

        timings = time_pages(tuple(opts["user"] or DEMO_USERS), repeat=opts["repeat"], progress=show)
        login = time_login()
        self.stdout.write(f"{'login (form post)':66} {login:8.0f} ms")
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        self.stdout.write(f"{len(timings)} pages, {len(slow)} over {budget:.0f} ms; load average after: {load}")
        for t in sorted(slow, key=lambda t: -t.median_ms):
            self.stdout.write(f"  {t.median_ms:8.0f} ms  {t.user} {t.page.path}")
