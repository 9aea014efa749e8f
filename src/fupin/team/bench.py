"""``fupin bench team`` (make bench-team): the figures of issue 16 — an attendance upload of N rows (CSV through the
upload kit and ``services.import_attendance``: checks in polars, look-ups by one array, one COPY; registered members
and team members matched by ID number), the team demo, and the coverage lists of the whole country (the division
tree of every province, a fifth of the villages flagged poor, Yunnan's demo households and teams): the first page
and a deep page of each list as a nationwide user sees it, with its count (the pager's)."""

from __future__ import annotations

import statistics
import time
from typing import Any

import polars as pl
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from fupin.core.benchmarks import timed
from fupin.core.sql import is_postgres
from fupin.registry.bench import yunnan_demo

Row = tuple[str, float, str]


def _country(rows: list[Row]) -> None:
    from fupin.regions.models import Region
    from fupin.regions.services import load_regions

    if Region.objects.count() < 600_000:
        timed("load_regions, whole country", lambda: load_regions(directory=settings.DIVISIONS_DIR), rows,
              lambda r: f"{r.total:,} nodes")

    def flag() -> int:
        with connection.cursor() as cur:
            cur.execute("UPDATE regions_region SET is_poor_village = (CAST(substr(code, 10, 3) AS INTEGER) % 5 = 1) "
                        "WHERE level = 5")
            cur.execute("SELECT COUNT(*) FROM regions_region WHERE level = 5 AND is_poor_village")
            return int(cur.fetchone()[0])

    timed("a fifth of the country's villages flagged poor (synthetic)", flag, rows, lambda n: f"{n:,} poor villages")

    def without_cadre() -> int:
        with connection.cursor() as cur:
            cur.execute("UPDATE registry_household SET cadre_id = NULL WHERE id % 10 = 3 AND cadre_id IS NOT NULL")
            return int(cur.rowcount)

    timed("a tenth of the households without a cadre (synthetic)", without_cadre, rows, lambda n: f"{n:,} households")


def _user() -> Any:
    from django.contrib.auth.models import Group

    from fupin.core.models import User
    from fupin.core.roles import Role
    from fupin.core.services import ensure_role_groups

    ensure_role_groups()
    user, _ = User.objects.get_or_create(username="bench_team", defaults={"is_superuser": False})
    user.groups.add(*Group.objects.filter(name=Role.SYSADMIN))
    return User.objects.get(pk=user.pk)


def _csv(n: int) -> bytes:
    """N attendance rows over the country's villages: the ID numbers of every registered member (matched), the rest
    without one (a plain record, as many lists are)."""
    from fupin.registry.models import Member

    villages = pl.read_database("SELECT code FROM regions_region WHERE level = 5 ORDER BY code", connection)["code"]
    numbers = pl.read_database(f"SELECT id_number FROM {Member._meta.db_table} WHERE is_active AND id_number <> '' "
                               "ORDER BY id", connection)["id_number"].unique(maintain_order=True)[:n]
    ids = pl.concat([numbers, pl.Series([None] * (n - len(numbers)), dtype=pl.Utf8)])
    levels = pl.Series(["培训", "从业", "培训", "高级人才"])
    frame = pl.DataFrame({"i": pl.int_range(0, n, eager=True), "身份证号": ids}).select(
        pl.format("学员{}", pl.col("i") % 997).alias("姓名"),
        pl.col("身份证号"),
        pl.lit(villages).gather((pl.col("i") * 7919) % len(villages)).alias("村代码"),
        pl.lit(levels).gather(pl.col("i") % 4).alias("层级"),
        pl.lit("").alias("培训成效"),
        pl.format("C{}", pl.col("i")).alias("证书编号"),
    )
    return frame.write_csv().encode()


def _median_ms(fn: Any, times: int = 5) -> tuple[float, Any]:
    fn()
    samples, out = [], None
    for _ in range(times):
        t0 = time.perf_counter()
        out = fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), out


def run(cmd: BaseCommand, opts: dict[str, Any]) -> list[Row]:
    from fupin.team import demo, selectors, services
    from fupin.team.models import Attendance

    rows: list[Row] = []
    yunnan_demo(rows, opts["households"])
    _country(rows)
    timed("demo_team (Yunnan, synthetic)", lambda: demo.generate(area="53", seed=1, if_empty=True), rows,
          lambda r: "present" if r.skipped else f"{r.cadres:,} team members, {r.postings:,} postings, {r.visits:,} "
                                              f"visits, {r.attendance:,} attendance rows")
    user = _user()
    n = opts["rows"]
    training = services.create_training(actor=user, title="基准测试培训", organiser="bench", region_code="53",
                                        starts_on="2025-06-01", hours="8", topic="ecommerce")
    content = timed(f"CSV of {n:,} attendance rows (generated)", lambda: _csv(n), rows,
                    lambda c: f"{len(c) / 1e6:.1f} MB")
    before = Attendance.objects.count()
    result = timed(f"upload of {n:,} attendance rows (check + write, all or nothing)",
                   lambda: services.import_attendance(actor=user, training_id=training.pk, content=content,
                                                      filename="bench.csv"), rows,
                   lambda r: f"{r.created:,} written, {len(r.conflicts)} errors, {r.counts.get('linked_members', 0):,} "
                             f"members matched, {r.created / max(r.seconds, 1e-9):,.0f} rows/s")
    assert result.ok, result.conflicts[:3]
    assert Attendance.objects.count() == before + n
    if is_postgres():
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    for what, qs in (
        ("poor villages without a first secretary", lambda: selectors.villages_missing(user, "first_secretary")),
        ("poor villages without a work team", lambda: selectors.villages_missing(user, "work_team")),
        ("poor villages without a leader", lambda: selectors.villages_missing(user, "leader")),
        ("registered households without a cadre", lambda: selectors.households_without_cadre(user)),
        ("cadres above 10 households", lambda: selectors.overloaded_cadres(user, ceiling=10)),
    ):
        def first_page(qs: Any = qs) -> tuple[int, int]:
            q = qs()
            return q.count(), len(list(q[:50]))

        def deep_page(qs: Any = qs) -> int:
            return len(list(qs()[5000:5050]))

        seconds, (count, got) = _median_ms(first_page)
        rows.append((f"coverage list, whole country: {what} — first page of 50 with its count", seconds,
                     f"{count:,} rows, {got} shown, median of 5: {seconds * 1000:.0f} ms"))
        seconds, got = _median_ms(deep_page)
        rows.append(("… page 101 of the same list", seconds, f"{got} shown, median of 5: {seconds * 1000:.0f} ms"))
    return rows


BENCHMARKS = {"team": run}
