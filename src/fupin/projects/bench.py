"""``fupin bench projects`` (issue 18): a year's fund lines down to every county of Yunnan and ten projects per
county, then ``--rows`` disbursement rows uploaded from one CSV through ``uploads.upload_disbursements`` (the same
checks and COPY as the page), spent vs allocated for every level, every line and every project, and the overdue-task
list and dispatch page over 10,000 tasks. Synthetic data; run on a fresh database (``make bench-projects``)."""

from __future__ import annotations

import datetime as dt
import functools
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection
from django.test import Client

from fupin.core.benchmarks import Row, timed
from fupin.core.sql import is_postgres
from fupin.core.tree import subtree_bounds

YEAR = 2019


def _setup(rows: list[Row]) -> tuple[Any, list[tuple[str, str]]]:
    from fupin.core.models import User
    from fupin.projects.models import Allocation, FundLevel, FundLine, FundSource, Plan, Project, Stage, Task
    from fupin.regions.models import Level, Region
    from fupin.regions.services import load_regions

    if not Region.objects.filter(code="53").exists():
        timed("load_regions --province 53", lambda: load_regions(directory=settings.DIVISIONS_DIR, provinces=["53"]),
              rows, lambda r: f"{r.total:,} nodes")
    user, _created = User.objects.get_or_create(username="bench_projects",
                                                defaults={"is_superuser": True, "is_staff": True})
    if Project.objects.exists():
        pairs = list(Project.objects.values_list("code", "allocations__source__code"))
        return user, [(p, ln) for p, ln in pairs if ln]

    def build() -> int:
        central = FundLine.objects.create(code="b-c", year=YEAR, level=FundLevel.CENTRAL, source=FundSource.SPECIAL,
                                          name="中央", own_amount=Decimal(10**13))
        prov = FundLine.objects.create(code="b-53", year=YEAR, level=FundLevel.PROVINCIAL, source=FundSource.SPECIAL,
                                       name="云南", region_id="53")
        Allocation.objects.create(source=central, to_line=prov, region_id="53", amount=Decimal(10**12),
                                  allocated_on=dt.date(YEAR, 1, 10))
        cities = list(Region.objects.filter(level=Level.CITY, code__range=subtree_bounds("53")).values_list("code", flat=True))
        counties = list(Region.objects.filter(level=Level.COUNTY, code__range=subtree_bounds("53")).values_list("code", flat=True))
        city_lines = {c: FundLine(code=f"b-{c}", year=YEAR, level=FundLevel.CITY, source=FundSource.SPECIAL,
                                  name=c, region_id=c) for c in cities}
        FundLine.objects.bulk_create(city_lines.values())
        Allocation.objects.bulk_create([Allocation(source=prov, to_line=ln, region_id=ln.region_id or "",
                                                   amount=Decimal(10**10), allocated_on=dt.date(YEAR, 2, 1))
                                        for ln in city_lines.values()])
        county_lines = {c: FundLine(code=f"b-{c}", year=YEAR, level=FundLevel.COUNTY, source=FundSource.SPECIAL,
                                    name=c, region_id=c) for c in counties}
        FundLine.objects.bulk_create(county_lines.values())
        Allocation.objects.bulk_create([Allocation(source=city_lines[c[:4]], to_line=ln, region_id=c,
                                                   amount=Decimal(10**9), allocated_on=dt.date(YEAR, 3, 1))
                                        for c, ln in county_lines.items() if c[:4] in city_lines])
        townships = dict(Region.objects.filter(level=Level.TOWNSHIP, code__range=subtree_bounds("53"))
                         .values_list("parent_id", "code").order_by("code"))
        projects = [Project(code=f"B{YEAR}-{c}-{k:02d}", name=f"项目 {c}-{k}", year=YEAR, type="network",
                            lead_unit="工信局", region_id=townships.get(c, c), budget=Decimal(10**8),
                            planned_start=dt.date(YEAR, 3, 1), planned_end=dt.date(YEAR, 12, 31),
                            stage=Stage.IMPLEMENTING, synthetic=True) for c in counties for k in range(10)]
        Project.objects.bulk_create(projects, batch_size=2000)
        Allocation.objects.bulk_create([Allocation(source=county_lines[p.region_id[:6]], project=p,
                                                   region_id=p.region_id, amount=Decimal(10**8),
                                                   allocated_on=dt.date(YEAR, 4, 1)) for p in projects],
                                       batch_size=2000)
        from fupin.projects.services import load_plans

        load_plans()
        plan = Plan.objects.get(code="yunnan-2019-2020")
        Task.objects.bulk_create([Task(plan=plan, number=f"B{i}", title=f"任务 {i}", text="bench",
                                       lead_units=["省委网信办"], lead_units_text="省委网信办", deadline=dt.date(2019, 1, 1) + dt.timedelta(days=i % 900),
                                       progress=i % 101, done_on=dt.date(2019, 6, 1) if i % 3 == 0 else None)
                                  for i in range(10_000)], batch_size=2000)
        return len(projects)

    timed("fund lines centre → every county of 云南, 10 projects per county, 10,000 tasks", build, rows,
          lambda n: f"{n:,} projects")
    return user, list(Project.objects.values_list("code", "allocations__source__code"))


def run(cmd: Any, opts: dict[str, Any]) -> list[Row]:
    from fupin.projects import selectors, uploads
    from fupin.projects.models import Disbursement

    rows: list[Row] = []
    user, pairs = _setup(rows)
    n = opts["rows"]
    pairs = [p for p in pairs if p[1]]
    codes = pl.Series([p[0] for p in pairs])
    lines = pl.Series([p[1] for p in pairs])
    idx = pl.Series("k", [i % len(pairs) for i in range(n)])
    first = Disbursement.objects.count()
    frame = pl.DataFrame({
        "项目编号": codes.gather(idx), "资金线编号": lines.gather(idx),
        "凭证号": pl.Series([f"PZ{first + i:09d}" for i in range(n)]),
        "支付日期": pl.Series([f"{YEAR}-{5 + i % 7:02d}-{1 + i % 28:02d}" for i in range(n)]),
        "金额": pl.Series([f"{100 + i % 900}.{i % 100:02d}" for i in range(n)]),
        "收款人": pl.Series([f"收款单位{i % 500}" for i in range(n)]),
    })
    with tempfile.TemporaryDirectory(dir=settings.VAR_DIR) as tmp:
        path = Path(tmp) / "disbursements.csv"
        frame.write_csv(path)
        content = path.read_bytes()

        def upload() -> Any:
            return uploads.upload_disbursements(actor=user, content=content, filename="disbursements.csv")

        def figures(s: Any) -> str:
            if not s.ok:
                return f"REJECTED: {[str(c) for c in s.conflicts[:3]]}"
            t = s.timings
            return (f"{s.created:,} rows, {s.created / s.seconds:,.0f} rows/s (read {t['read']:.1f}s, "
                    f"check {t['check']:.1f}s, write {t['write']:.1f}s), {len(content) / 2**20:,.0f} MiB CSV")

        timed(f"disbursement upload, {n:,} rows (CSV, all checks, one COPY)", upload, rows, figures)
    if is_postgres():
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    total = Disbursement.objects.count()
    cases: tuple[tuple[str, dict[str, Any]], ...] = (("by province (nation)", {"by": "region"}), ("by city (云南)", {"by": "region", "region": "53"}),
                      ("by county (昆明市)", {"by": "region", "region": "5301"}), ("by fund line", {"by": "line"}),
                      ("by project", {"by": "project"}))
    for label, kw in cases:
        timed(f"spent vs allocated {label}, {total:,} disbursements",
              functools.partial(selectors.spent_vs_allocated, user, **kw), rows, lambda r: f"{len(r):,} rows")

    def every_level() -> int:
        return sum(len(selectors.spent_vs_allocated(user, by="region", region=c)) for c in
                   ["", "53", *sorted({p[0].split("-")[1][:4] for p in pairs})])

    timed("spent vs allocated for every region down to the counties (nation, province, each city)", every_level,
          rows, lambda n: f"{n:,} region rows")
    timed("overdue tasks (10,033 tasks)", lambda: list(selectors.tasks(user, state="overdue")), rows,
          lambda r: f"{len(r):,} overdue")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    for label, url in (("dispatch page (overdue and at-risk)", "/projects/tasks/dispatch/?unit=省扶贫办"),
                       ("spending page by county", "/projects/spending/?by=region&region=5301"),
                       ("project alerts page", "/projects/alerts/")):
        client.get(url)
        timed(label, functools.partial(client.get, url), rows, lambda r: f"HTTP {r.status_code}")
        rows[-1] = (rows[-1][0], rows[-1][1], f"{rows[-1][2]}, {rows[-1][1] * 1000:.0f} ms")
    return rows


BENCHMARKS = {"projects": run}
