"""Benchmark of data quality (issue 14, ``fupin bench quality``): every rule over the demo registry in one job
(snapshot into DuckDB, the rules, the merge), a re-run that must add no finding, and a township's findings pages.
The registry is generated only when the database has none; ``--clear-findings`` empties the findings, tallies and
runs first, so that the first run is a first run again on a database kept between measurements."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count
from django.test import Client

from fupin.core.benchmarks import timed
from fupin.core.bulk import is_postgres

Row = tuple[str, float, str]


def run(cmd: BaseCommand, opts: dict[str, Any]) -> list[Row]:
    from fupin.core.permissions import SYSTEM
    from fupin.core.roles import Role
    from fupin.quality import demo, services
    from fupin.quality.models import Finding
    from fupin.quality.rules import RULES
    from fupin.regions.models import Region
    from fupin.registry.bench import yunnan_demo
    from fupin.registry.models import Household, Member
    from fupin.testing import make_user

    rows: list[Row] = []
    yunnan_demo(rows, opts["households"])
    if is_postgres():
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    households, persons = Household.objects.count(), Member.objects.filter(is_active=True).count()
    if opts.get("clear_findings"):
        timed("clear findings, tallies and runs", _clear, rows, lambda _r: "")
    if not Finding.objects.exists():
        timed("plant demo errors (50 households per kind, Yunnan)", lambda: demo.plant_errors(area="53", per_rule=50),
              rows, lambda r: ", ".join(f"{k} {v}" for k, v in r.items()))

    def figures(r: Any) -> str:
        s = r.summary
        return (f"{len(RULES)} rules, {sum(s['hits'].values()):,} hits, {s['new']:,} new, {s['fixed']:,} fixed, "
                f"{s['reopened']:,} reopened, {s['written']:,} findings written; snapshot {s['snapshot_seconds']} s, rules {s['rule_seconds']} s, "
                f"merge {s['merge_seconds']} s; {households / max(r.finished_at.timestamp() - r.started_at.timestamp(), 1e-9):,.0f} households/s"
                + (f"; errors {s['errors']}" if s["errors"] else ""))

    label = f"all quality rules, {households:,} households / {persons:,} persons"
    timed(f"{label} (first run)", lambda: services.run_quality(actor=SYSTEM), rows, figures)
    before = Finding.objects.count()
    timed(f"{label} (re-run)", lambda: services.run_quality(actor=SYSTEM), rows,
          lambda r: figures(r) + f"; findings {before:,} → {Finding.objects.count():,} (no duplicates)")

    top = (Finding.objects.filter(state="open").values("township_code").annotate(n=Count("id")).order_by("-n")
           .first())
    if top:
        township = Region.objects.get(code=top["township_code"])
        user = make_user(f"bench-quality-{int(time.time())}", township, Role.TOWNSHIP_REVIEWER)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        busiest = (Finding.objects.filter(state="open", township_code=township.code).values("rule_id")
                   .annotate(n=Count("id")).order_by("-n").first())
        assert busiest is not None
        rule = busiest["rule_id"]
        for what, url in ((f"township findings matrix ({top['n']:,} open findings)", "/quality/"),
                          (f"one rule's records in the township ({rule}, first page of 50)",
                           f"/quality/rules/{rule}/?region={township.code}"),
                          ("the same as Excel (all its records)", f"/quality/rules/{rule}/?region={township.code}"
                                                                  "&format=xlsx")):
            status = client.get(url).status_code  # warm
            best = min(_time(client, url) for _ in range(3))
            if status == 302:  # an export larger than FUPIN_EXPORT_BACKGROUND_ROWS goes to the background worker
                what += " — queued as a background export (redirect to its progress page)"
            rows.append((what, best, f"{best * 1000:.0f} ms; {township.name} {township.code}, best of 3"))
    return rows


def _clear() -> None:
    from fupin.quality.models import Finding, Run, Tally

    tables = [m._meta.db_table for m in (Finding, Tally, Run)]
    with connection.cursor() as cur:
        if is_postgres():
            cur.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cur.execute(f"DELETE FROM {table}")


def _time(client: Client, url: str) -> float:
    t0 = time.perf_counter()
    response = client.get(url)
    assert response.status_code in (200, 302), (url, response.status_code)
    return time.perf_counter() - t0


BENCHMARKS = {"quality": run}
