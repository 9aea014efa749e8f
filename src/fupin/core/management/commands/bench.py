"""``fupin bench NAME``: benchmarks that print the figures the issues ask for (docs/benchmarks.md).
They measure; they do not assert. Run them on a fresh database (``make bench-foundation`` does)."""

from __future__ import annotations

import os
import platform
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from fupin.core.benchmarks import timed, yunnan_demo
from fupin.core.permissions import SYSTEM


def _machine() -> str:
    cpus = os.cpu_count()
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return f"{platform.machine()} {cpus} cores{mem}, Python {platform.python_version()}, {connection.vendor}"


def bench_foundation(cmd: BaseCommand, opts: dict[str, Any]) -> list[tuple[str, float, str]]:
    from fupin.regions.services import load_regions
    from fupin.registry.demo import generate
    from fupin.registry.models import Household

    if Household.objects.exists():
        raise CommandError("bench foundation needs an empty database (make bench-foundation creates one)")
    rows: list[tuple[str, float, str]] = []
    d = settings.DIVISIONS_DIR
    timed("load_regions, whole country (first load)", lambda: load_regions(directory=d), rows,
           lambda r: f"{r.total:,} nodes, {r.by_level.get(5, 0):,} villages, {r.total / r.seconds:,.0f} nodes/s")
    timed("load_regions, whole country (re-run, idempotent)", lambda: load_regions(directory=d), rows,
           lambda r: f"created {r.created:,}, updated {r.updated:,}")
    timed("load_regions --province 53", lambda: load_regions(directory=d, provinces=["53"]), rows,
           lambda r: f"{r.total:,} nodes")
    n = opts["households"]
    timed(f"demo --households {n:,}", lambda: generate(households=n, area="53", seed=1), rows,
           lambda r: f"{r.members:,} members, {r.incomes:,} income years; generate {r.timings['generate']:.1f}s, "
                     f"write {r.timings['write']:.1f}s; {r.households / r.seconds:,.0f} households/s")
    return rows


def _referring(model: Any, seen: set[str] | None = None) -> list[str]:
    """Tables that refer to ``model``'s, directly or through others, the most distant first."""
    seen = set() if seen is None else seen
    out: list[str] = []
    for rel in model._meta.related_objects:
        table = rel.related_model._meta.db_table
        if table not in seen:
            seen.add(table)
            out = [*_referring(rel.related_model, seen), table, *out]
    return out


def bench_registry(cmd: BaseCommand, opts: dict[str, Any]) -> list[tuple[str, float, str]]:
    """R2.4: a demo registry of ``--persons`` people is exported to CSV (and a smaller xlsx), the registry
    tables are wiped, and the import is timed end to end (read + validate + write, one transaction)."""
    import tempfile
    from pathlib import Path

    import polars as pl

    from fupin.core.roles import Role
    from fupin.regions.models import Region
    from fupin.regions.services import load_regions
    from fupin.registry import exporter, importer
    from fupin.registry.demo import generate
    from fupin.registry.models import Household, Member
    from fupin.registry.template import HOUSEHOLDS, INCOMES, MEMBERS
    from fupin.testing import make_user

    if Household.objects.exists():
        raise CommandError("bench registry needs an empty registry (make bench-registry creates one)")
    rows: list[tuple[str, float, str]] = []
    if not Region.objects.filter(code="53").exists():
        timed("load_regions --province 53", lambda: load_regions(directory=settings.DIVISIONS_DIR, provinces=["53"]),
               rows, lambda r: f"{r.total:,} nodes")
    from fupin.core.models import User

    actor = User.objects.filter(username="bench_registry").first() or make_user("bench_registry", None, Role.COUNTY_ADMIN)
    households = max(1, round(opts["persons"] / 2.9))
    timed(f"demo --households {households:,}", lambda: generate(households=households, area="53", seed=1), rows,
           lambda r: f"{r.members:,} persons")
    persons = Member.objects.count()

    def wipe() -> None:
        """An empty registry as a new deployment has it (TRUNCATE on PostgreSQL: no dead rows left behind)."""
        tables = ("registry_householdversion", "registry_historychunk", "registry_income", "registry_member",
                  "registry_household")
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            else:  # what CASCADE does: first every table that refers to these (the demo's measures, cases …)
                for table in (*_referring(Household), *tables):
                    cur.execute(f"DELETE FROM {table}")

    def figures(r: Any, n: int) -> str:
        if not r.ok:
            return f"REJECTED: {r.errors[:3]}"
        t = r.timings
        return (f"{r.created:,} households, {n:,} persons, {n / r.seconds:,.0f} persons/s "
                f"(read {t['read']:.1f}s, validate {t['validate']:.1f}s, write {t['write']:.1f}s)")

    with tempfile.TemporaryDirectory(dir=settings.VAR_DIR) as tmp:
        folder = Path(tmp) / "csv"
        timed("export_registry 53 → csv", lambda: exporter.export_registry(actor=actor, region="53", output=folder,
                                                                             fmt="csv"),
               rows, lambda r: f"{r[0].members:,} persons, "
                               f"{sum(p.stat().st_size for p in r[0].paths) / 2**20:,.0f} MiB")
        paths = sorted(folder.glob("*.csv"))
        # a smaller workbook: the first households of the export and their members and incomes
        frames = {s.name: pl.read_csv(folder / f"{s.name}.csv", infer_schema=False) for s in (HOUSEHOLDS, MEMBERS, INCOMES)}
        xlsx_households = frames[HOUSEHOLDS.name].head(max(1, round(opts["xlsx_persons"] / 2.9)))
        keep = xlsx_households["户编号"].implode()
        frames = {HOUSEHOLDS.name: xlsx_households,
                  MEMBERS.name: frames[MEMBERS.name].filter(pl.col("户编号").is_in(keep)),
                  INCOMES.name: frames[INCOMES.name].filter(pl.col("户编号").is_in(keep))}
        xlsx = Path(tmp) / "registry.xlsx"
        xlsx.write_bytes(exporter._xlsx(frames))
        xlsx_persons = frames[MEMBERS.name].height
        wipe()
        timed(f"import_registry csv ({persons:,} persons, fresh)",
               lambda: importer.import_registry(paths, actor=actor), rows, lambda r: figures(r, persons))
        timed("import_registry csv again (idempotent, unchanged)",
               lambda: importer.import_registry(paths, actor=actor), rows,
               lambda r: f"unchanged {r.unchanged:,}, {persons / r.seconds:,.0f} persons/s")
        wipe()
        timed(f"import_registry xlsx ({xlsx_persons:,} persons, {xlsx.stat().st_size / 2**20:,.0f} MiB, fresh)",
               lambda: importer.import_registry([xlsx], actor=actor), rows, lambda r: figures(r, xlsx_persons))
    return rows


BENCHES = {"foundation": bench_foundation, "registry": bench_registry}


def bench_lifecycle(cmd: BaseCommand, opts: dict[str, Any]) -> list[tuple[str, float, str]]:
    """Exit evaluation (issue 4) of every household: one set-based query; village and county exit."""
    from fupin.lifecycle import evaluation
    from fupin.regions.models import Region
    from fupin.registry.models import Household

    rows: list[tuple[str, float, str]] = []
    n = opts["households"]
    yunnan_demo(rows, n)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")  # fresh statistics after the bulk load, as autovacuum would give
    total = Household.objects.count()
    summary = timed(f"exit evaluation 2020, all {total:,} households (one aggregate query)",
                     lambda: evaluation.summary(Household.objects.all(), 2020), rows, lambda _r: "")
    rows[-1] = (rows[-1][0], rows[-1][1],
                f"{summary['passing']:,} pass; unmet: income {summary['fail_income']:,}, education "
                f"{summary['fail_education']:,}, medical {summary['fail_medical']:,}, housing "
                f"{summary['fail_housing']:,}, water {summary['fail_water']:,}; {total / rows[-1][1]:,.0f} households/s")

    def fetch() -> int:
        # In primary-key ranges of 100,000: each range is one set-based query.
        qs = evaluation.evaluate(Household.objects.all(), 2020).values_list("pk", "passes", *evaluation.CRITERIA)
        count, last = 0, 0
        while batch := list(qs.filter(pk__gt=last).order_by("pk")[:100_000]):
            count, last = count + len(batch), batch[-1][0]
        return count

    fetched = timed("exit evaluation 2020, every household's row fetched", fetch, rows, lambda _r: "")
    rows[-1] = (rows[-1][0], rows[-1][1], f"{fetched:,} rows, {fetched / rows[-1][1]:,.0f} households/s")
    province = Region.objects.get(code="53")
    timed("village exit, all villages of 云南 (53)", lambda: evaluation.village_exits("53", 2020), rows,
           lambda r: f"{len(r):,} villages with households, {sum(1 for v in r if v.passes):,} pass")
    first_village = Household.objects.order_by("id").values_list("village_id", flat=True).first() or "53"
    county = Region.objects.filter(code=first_village[:6]).first() or province
    timed(f"county exit (摘帽) {county.name}", lambda: evaluation.area_exit(county, 2020), rows,
           lambda r: f"incidence {r.incidence:.2%} (registry population), passes {r.passes}")
    return rows


BENCHES["lifecycle"] = bench_lifecycle


def bench_exchange(cmd: BaseCommand, opts: dict[str, Any]) -> list[tuple[str, float, str]]:
    """Full department comparison (issue 5): --persons registered persons against 10 batches of 5 × as many rows,
    synthetic Parquet under var/bench-exchange/, every rule in one DuckDB job."""
    from pathlib import Path

    from fupin.exchange import bench

    return bench.run(Path(settings.VAR_DIR) / "bench-exchange" / f"n{opts['persons']}", opts["persons"])


BENCHES["exchange"] = bench_exchange


class Command(BaseCommand):
    help = "Run a benchmark and print its figures: " + ", ".join(BENCHES)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=sorted(BENCHES))
        parser.add_argument("--households", type=int, default=100_000)
        parser.add_argument("--persons", type=int, default=1_000_000, help="bench registry: persons in the registry")
        parser.add_argument("--xlsx-persons", type=int, default=100_000, help="bench registry: persons in the xlsx")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["households"] <= 0:
            raise CommandError("--households must be positive")
        rows = BENCHES[opts["name"]](self, opts)
        self.stdout.write(f"# bench {opts['name']} — {_machine()} — {time.strftime('%Y-%m-%d %H:%M')}")
        self.stdout.write("| step | seconds | figures |")
        self.stdout.write("|---|---:|---|")
        for label, seconds, extra in rows:
            self.stdout.write(f"| {label} | {seconds:.1f} | {extra} |")


def bench_connectivity(cmd: BaseCommand, opts: dict[str, Any]) -> list[tuple[str, float, str]]:
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

    rows: list[tuple[str, float, str]] = []
    if not Region.objects.filter(level=Level.VILLAGE).exists():
        timed("load_regions, whole country", lambda: load_regions(directory=settings.DIVISIONS_DIR), rows,
               lambda r: f"{r.total:,} nodes, {r.by_level.get(5, 0):,} villages")
    if not ConnectivityEvent.objects.exists():
        timed("mark 20% of the villages poor (synthetic, set-based)",
               lambda: demo.mark_poor_villages("", 0.2, random.Random(1)), rows, lambda n: f"{n:,} poor villages")
        timed("demo events for every village (COPY)", lambda: demo.generate(area="", seed=1, facilities=False),
               rows, lambda r: f"{r.events:,} events for {r.villages:,} villages")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
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


BENCHES["connectivity"] = bench_connectivity


def _bench_pages(cmd: BaseCommand, opts: dict[str, Any]) -> list[tuple[str, float, str]]:
    from fupin.registry.bench import bench_pages

    return bench_pages(cmd, opts)


BENCHES["pages"] = _bench_pages


def bench_monitoring(cmd: BaseCommand, opts: dict[str, Any]) -> list[tuple[str, float, str]]:
    """Early warning (issue 6): every warning rule over all demo households (set-based SQL), then a re-run."""
    from fupin.monitoring import services as monitoring
    from fupin.registry.models import Household

    rows: list[tuple[str, float, str]] = []
    n = opts["households"]
    yunnan_demo(rows, n)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    total = Household.objects.count()
    from django.utils import timezone

    from fupin.monitoring.bench import plant
    from fupin.monitoring.models import RiskReport

    if not RiskReport.objects.exists():
        timed("medical-expense batch (1 person in 10) and risk reports (1 household in 500)",
               lambda: plant(timezone.localdate()), rows,
               lambda r: f"{r['expense_rows']:,} expense rows, {r['reports']:,} reports")

    def figures(run: Any) -> str:
        s = run.summary
        return (f"{sum(s['hits'].values()):,} hits, {s['new']:,} new, {s['reopened']:,} reopened, "
                f"{s['cleared']:,} cleared; {total / s['seconds']:,.0f} households/s; "
                + ", ".join(f"{k} {v:,}" for k, v in sorted(s["hits"].items())))

    timed(f"all warning rules, {total:,} households (first run)", lambda: monitoring.run_rules(actor=SYSTEM), rows, figures)
    timed(f"all warning rules, {total:,} households (re-run, no duplicates)", lambda: monitoring.run_rules(actor=SYSTEM), rows,
           figures)
    return rows


BENCHES["monitoring"] = bench_monitoring


def _bench_indicators(cmd: BaseCommand, opts: dict[str, Any]) -> list[tuple[str, float, str]]:
    """Indicators (issue 8): full rebuild, incremental refresh after 1,000 household changes, dashboard page."""
    from fupin.indicators.bench import run

    return run(cmd, opts)


BENCHES["indicators"] = _bench_indicators


def _bench_quality(cmd: BaseCommand, opts: dict[str, Any]) -> list[tuple[str, float, str]]:
    """Data quality (issue 14): every rule over the demo registry, a re-run, the township's findings pages."""
    from fupin.quality.bench import run

    return run(cmd, opts)


BENCHES["quality"] = _bench_quality
