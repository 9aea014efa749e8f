"""``fupin bench pages``: response times of the household list, search and dossier pages, measured in
process with Django's test client (URL routing, queries, templates) against whatever data is loaded —
run it after generating 1,000,000 persons (``make bench-pages``)."""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from fupin.core.models import User
from fupin.registry.models import Household, Member


def _median_ms(client: Client, url: str, params: dict[str, Any] | None = None, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, params or {})
        if response.status_code != 200:
            raise CommandError(f"{url} {params} answered {response.status_code}")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[1:])  # the first run warms caches


def bench_pages(cmd: BaseCommand, opts: dict[str, Any]) -> list[tuple[str, float, str]]:
    persons = Member.objects.filter(is_active=True).count()
    if not persons:
        raise CommandError("no registry loaded: run `fupin demo --households N` first")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    rows: list[tuple[str, float, str]] = []
    users = {u.username: u for u in User.objects.filter(username__in=["demo_county", "demo_analyst", "demo_admin"])}
    if len(users) < 3:
        raise CommandError("run `fupin demo_users` first")
    sample = Household.objects.filter(village__code__startswith="533301").order_by("id").first()
    if sample is None:
        raise CommandError("no household in 泸水市 (533301); generate the demo over Yunnan")
    member = sample.members.first()
    assert member is not None
    for username, label in (("demo_county", "county"), ("demo_analyst", "province"), ("demo_admin", "nation")):
        c = Client(HTTP_HOST="127.0.0.1")
        c.force_login(users[username])
        rows.append((f"household list, {label} scope, page 1", _median_ms(c, "/households/"), ""))
        rows.append((f"household list, {label} scope, sorted by income", _median_ms(c, "/households/", {"sort": "-income"}), ""))
        rows.append((f"search by exact ID number, {label}", _median_ms(c, "/households/", {"q": member.id_number}), ""))
        rows.append((f"search by name, {label}", _median_ms(c, "/households/", {"q": member.name}), ""))
        rows.append((f"search by household number prefix, {label}", _median_ms(c, "/households/", {"q": sample.number[:14]}), ""))
        rows.append((f"filter status + cause, {label}", _median_ms(c, "/households/", {"status": "poor", "cause": "01"}), ""))
        rows.append((f"dossier page, {label}", _median_ms(c, f"/households/{sample.pk}/"), ""))
        rows.append((f"API household list, {label}", _median_ms(c, "/api/v1/households/"), ""))
    for i, (label, ms, _) in enumerate(rows):
        rows[i] = (label, ms / 1000, f"{ms:.0f} ms (median of 6) with {persons:,} persons")
    return rows
