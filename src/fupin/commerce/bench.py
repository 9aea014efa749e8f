"""``fupin bench commerce`` (make bench-commerce): the figures of issue 15 — a monthly purchase upload of N rows
(CSV through the upload kit and ``services.import_purchases``: checks in polars, one COPY), the indicators of every
region after it (full refresh of the current year; the commerce step on its own), and the public trace page
(median of 20 requests through the Django test client, after one warm-up)."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

import polars as pl
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from fupin.core.benchmarks import timed
from fupin.core.tree import subtree_bounds
from fupin.registry.bench import yunnan_demo

Row = tuple[str, float, str]


def _bench_shop() -> tuple[Any, Any, int]:
    """An approved shop in the county with the most demo households, linked to all of them (set-based), and a
    commerce-bureau user of that county."""
    from django.contrib.auth.models import Group

    from fupin.commerce.models import Shop, ShopHousehold, ShopStatus
    from fupin.core.models import User
    from fupin.core.roles import Role
    from fupin.core.services import ensure_role_groups
    from fupin.registry.models import Household

    busiest = Household.objects.values("village_id").annotate(n=Count("id")).order_by("-n").first()
    assert busiest is not None, "the bench needs demo households"
    top = str(busiest["village_id"])
    county = top[:6]
    ensure_role_groups()
    user, _ = User.objects.get_or_create(username="bench_commerce", defaults={"region_id": county})
    user.groups.add(*Group.objects.filter(name=Role.COMMERCE_BUREAU))
    user = User.objects.get(pk=user.pk)
    shop = Shop.objects.create(name="基准测试网店", model="enterprise", owner="bench", platform="bench", region_id=county,
                               status=ShopStatus.APPROVED)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {ShopHousehold._meta.db_table} (shop_id, household_id, started_on) "
            f"SELECT %s, id, %s FROM {Household._meta.db_table} WHERE village_id >= %s AND village_id <= %s "
            f"AND status IN ('poor', 'exited', 'returned', 'newly_poor', 'monitored')",
            [shop.pk, dt.date(2015, 1, 1), *subtree_bounds(county)])
        linked = cur.rowcount
    return shop, user, linked


def _csv(shop: Any, rows: int, month: dt.date) -> bytes:
    from fupin.commerce.models import ShopHousehold

    numbers = list(ShopHousehold.objects.filter(shop=shop).values_list("household__number", flat=True))
    i = pl.int_range(0, rows, eager=True)
    frame = pl.DataFrame({
        "户编号": pl.Series(numbers)[(i % len(numbers)).to_list()],
        "产品": pl.repeat("草果", rows, eager=True),
        "收购日期": pl.Series([(month + dt.timedelta(days=d)).isoformat() for d in range(27)])[(i % 27).to_list()],
        "数量": ((i % 200) + 1).cast(pl.Utf8) + ".5",
        "单位": pl.repeat("kg", rows, eager=True),
        "单价（元）": ((i % 7) + 12).cast(pl.Utf8) + ".30",
        "保护价（元）": pl.repeat("12.00", rows, eager=True),
    })
    return frame.write_csv().encode()


def run(cmd: BaseCommand, opts: dict[str, Any]) -> list[Row]:
    from fupin.commerce import demo, services
    from fupin.commerce import indicators as commerce_indicators
    from fupin.commerce.models import Batch, Purchase

    rows: list[Row] = []
    yunnan_demo(rows, opts["households"])
    timed("demo_commerce (Yunnan, synthetic)", lambda: demo.generate(area="53", seed=1, if_empty=True), rows,
          lambda r: "present" if r.skipped else f"{r.stations:,} stations, {r.shops} shops, {r.links:,} links, "
                                              f"{r.purchases:,} purchases, {r.batches} trace codes")
    shop, user, _linked = timed("bench shop linked to every household of the busiest county", _bench_shop, rows,
                               lambda r: f"{r[2]:,} households linked")
    n = opts["purchases"]
    today = timezone.localdate()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    content = timed(f"CSV of {n:,} purchase rows (generated)", lambda: _csv(shop, n, month), rows,
                    lambda c: f"{len(c) / 1e6:.1f} MB")
    before = Purchase.objects.count()
    result = timed(f"upload of {n:,} purchase rows (check + write, all or nothing)",
                   lambda: services.import_purchases(actor=user, shop_id=shop.pk, content=content,
                                                     filename="bench.csv", month=month.strftime("%Y-%m")), rows,
                   lambda r: f"{r.created:,} written, {len(r.conflicts)} errors, {r.created / r.seconds:,.0f} rows/s")
    assert result.ok and Purchase.objects.count() == before + n
    bad = content.replace(b"12.00\n", b"99.00\n", 1)  # one row below its protective price
    timed(f"upload of {n:,} rows with one bad row (nothing written)",
          lambda: services.import_purchases(actor=user, shop_id=shop.pk, content=bad, filename="bench.csv",
                                            month=month.strftime("%Y-%m")), rows,
          lambda r: f"{r.created} written, {len(r.conflicts)} error(s)")
    # The whole refresh through its command (commerce sits below the indicators app and does not import it), and
    # the commerce indicators' own SQL (commerce.indicators.leaves) timed into a temporary table of the same shape.
    timed(f"indicators of every region, {today.year} (refresh_indicators --full, all indicators)",
          lambda: call_command("refresh_indicators", "--period", str(today.year), "--full", verbosity=0), rows,
          lambda _r: "")

    def commerce_leaves() -> int:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS ind_leaf")
            cur.execute("CREATE TEMP TABLE ind_leaf (indicator VARCHAR(40), code VARCHAR(12), num NUMERIC, den NUMERIC)")
            commerce_indicators.leaves(cur, on=today, starts_on=today.replace(month=1, day=1),
                                       ends_on=today.replace(month=12, day=31))
            cur.execute("SELECT COUNT(*) FROM ind_leaf")
            n = int(cur.fetchone()[0])
            cur.execute("DROP TABLE ind_leaf")
            return n

    timed("… the commerce indicators' SQL on its own (village facts)", commerce_leaves, rows,
          lambda n: f"{n:,} village facts over {Purchase.objects.count():,} purchases")
    code = Batch.objects.order_by("id").values_list("code", flat=True).first()
    client = Client(HTTP_HOST="127.0.0.1")
    client.get(f"/trace/{code}/")
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        status = client.get(f"/trace/{code}/").status_code
        times.append(time.perf_counter() - t0)
    rows.append(("public trace page /trace/<code>/", statistics.median(times),
                 f"HTTP {status}, median of 20: {statistics.median(times) * 1000:.1f} ms (max {max(times) * 1000:.1f})"))
    return rows


BENCHMARKS = {"commerce": run}
