"""``fupin bench connectivity``: the coverage ledger (issue 7) over every village of the country
(``make bench-connectivity``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection

from fupin.core.benchmarks import Row, timed
from fupin.core.permissions import SYSTEM
from fupin.core.sql import analyze


def bench_connectivity(cmd: Any, opts: dict[str, Any]) -> list[Row]:
    """Coverage ledger (issue 7) over every village of the country: status, coverage and ranking recomputed
    from the dated events, and the ranking and village-list pages."""
    import datetime as dt
    import functools
    import random

    from django.test import Client

    from fupin.connectivity import demo, indicators, services
    from fupin.connectivity.models import ConnectivityEvent
    from fupin.core.models import User
    from fupin.regions.models import Level, Region
    from fupin.regions.services import load_regions

    rows: list[Row] = []
    if not Region.objects.filter(level=Level.VILLAGE).exists():
        timed("load_regions, whole country", lambda: load_regions(directory=settings.DIVISIONS_DIR), rows,
               lambda r: f"{r.total:,} nodes, {r.by_level.get(5, 0):,} villages")
    if not ConnectivityEvent.objects.exists():
        timed("mark 20% of the villages poor (synthetic, set-based)",
               lambda: demo.mark_poor_villages("", 0.2, random.Random(1)), rows, lambda n: f"{n:,} poor villages")
        timed("demo events for every village (COPY)", lambda: demo.generate(area="", seed=1, facilities=False),
               rows, lambda r: f"{r.events:,} events for {r.villages:,} villages")
    with connection.cursor() as cur:
        analyze(cur)  # fresh statistics after the bulk load, as autovacuum would give
    villages = Region.objects.filter(level=Level.VILLAGE).count()
    timed(f"status of all {villages:,} villages recomputed from the events", lambda: services.refresh_status(""),
           rows, lambda n: f"{n:,} village statuses written")
    for day in (dt.date(2018, 12, 31), dt.date(2020, 12, 31)):
        timed(f"coverage of poor villages by province on {day} (from the events)",
               functools.partial(indicators.coverage, group_len=2, on=day), rows,
               lambda r: f"{sum(x.villages for x in r):,} poor villages, {sum(x.connected for x in r):,} connected")
    timed("coverage by county today (from the status)", lambda: indicators.coverage(group_len=6), rows,
           lambda r: f"{len(r):,} counties")
    snap = timed("provincial ranking on 2020-12-31 computed and frozen",
                  lambda: services.freeze_ranking(actor=SYSTEM, as_of=dt.date(2020, 12, 31)), rows,
                  lambda s: f"{s.rows.count()} provinces, {s.coverage:.2f}% nationally")
    user, _created = User.objects.get_or_create(username="bench_connectivity",
                                                defaults={"is_superuser": True, "is_staff": True})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    biggest = (Region.objects.filter(level=Level.PROVINCE).order_by("-village_count").first())
    # a key halfway through the villages without a fibre date: the slowest part of the keyset order
    middle = Region.objects.filter(level=Level.VILLAGE).order_by("code").values_list("code", flat=True)[villages // 2]
    pages = [
        ("ranking page", f"/connectivity/rankings/{snap.pk}/"),
        ("unconnected ledger, whole country, page 1", "/connectivity/villages/"),
        (f"village list {biggest.name if biggest else ''} ({biggest.village_count if biggest else 0:,} villages), "
         "page 100", f"/connectivity/villages/?status=all&poor=0&under={biggest.code if biggest else ''}&page=100"),
        (f"village list, all {villages:,} villages, sorted by fibre date, first page (keyset)",
         "/connectivity/villages/?status=all&poor=0&sort=fiber_date"),
        (f"village list, all {villages:,} villages, sorted by fibre date, villages without a date (keyset)",
         f"/connectivity/villages/?status=all&poor=0&sort=fiber_date&after={middle}~"),
        ("dashboard (map, targets, provinces)", "/connectivity/"),
    ]
    for label, url in pages:
        client.get(url)  # warm
        response = timed(label, functools.partial(client.get, url), rows, lambda r: f"HTTP {r.status_code}")
        rows[-1] = (rows[-1][0], rows[-1][1], f"{rows[-1][2]}, {rows[-1][1] * 1000:.0f} ms")
        del response
    return rows


BENCHMARKS = {"connectivity": bench_connectivity}
