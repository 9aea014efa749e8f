"""``fupin bench workbench`` (``make bench-workbench``): the workbench's counts and the home page for each demo user,
on the database as ``make db`` left it (the demo data; no data is generated here)."""

from __future__ import annotations

import statistics
import time
from typing import Any

from fupin.core.benchmarks import Row

DEMO_USERS = ("demo_clerk", "demo_township", "demo_county", "demo_admin", "demo_analyst", "demo_exchange", "demo_lead",
              "demo_finance", "demo_finance_county", "demo_commerce", "demo_shop", "demo_cadre", "demo_donor",
              "demo_editor")


def _median_ms(fn: Any, times: int = 5) -> tuple[float, Any]:
    fn()  # warm (first query plans, translations)
    spent, result = [], None
    for _ in range(times):
        started = time.perf_counter()
        result = fn()
        spent.append(time.perf_counter() - started)
    return statistics.median(spent), result


def bench_workbench(cmd: Any, opts: dict[str, Any]) -> list[Row]:
    from django.test import Client
    from django.urls import reverse

    from fupin.core.models import User
    from fupin.home.workbench import pending_counts

    rows: list[Row] = []
    for user in User.objects.filter(username__in=DEMO_USERS).order_by("username"):
        seconds, counts = _median_ms(lambda u=user: pending_counts(u))
        rows.append((f"pending_counts {user.username}", seconds, f"{seconds * 1000:.0f} ms; " + (
            ", ".join(f"{k} {v:,}" for k, v in counts.items()) or "no work for this role")))
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        seconds, response = _median_ms(lambda c=client: c.get(reverse("home")))
        rows.append((f"home page (workbench) {user.username}", seconds, f"{seconds * 1000:.0f} ms; HTTP {response.status_code}"))
    return rows


BENCHMARKS = {"workbench": bench_workbench}
