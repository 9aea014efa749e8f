"""Benchmarks of the registry (``fupin bench foundation|registry|pages``) and the Yunnan demo registry the
other apps' benchmarks start from.

``pages``: response times of the household list, search and dossier pages, measured in process with Django's
test client (URL routing, queries, templates) against whatever data is loaded — run it after generating
1,000,000 persons (``make bench-pages``)."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from fupin.core.benchmarks import Row, timed
from fupin.core.models import User
from fupin.core.sql import analyze, is_postgres
from fupin.core.tree import subtree_bounds
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


def bench_pages(cmd: BaseCommand, opts: dict[str, Any]) -> list[Row]:
    persons = Member.objects.filter(is_active=True).count()
    if not persons:
        raise CommandError("no registry loaded: run `fupin demo --households N` first")
    with connection.cursor() as cur:
        analyze(cur)  # fresh statistics after the bulk load, as autovacuum would give
    users = {u.username: u for u in User.objects.filter(username__in=["demo_county", "demo_analyst", "demo_admin"])}
    if len(users) < 3:
        raise CommandError("run `fupin demo_users` first")
    sample = Household.objects.filter(village__code__range=subtree_bounds("533301")).order_by("id").first()
    if sample is None:
        raise CommandError("no household in 泸水市 (533301); generate the demo over Yunnan")
    member = sample.members.first()
    assert member is not None
    scopes = [(label, users[username]) for username, label in
              (("demo_county", "county"), ("demo_analyst", "province"), ("demo_admin", "nation"))]
    return page_rows(scopes, sample, member, persons)


def page_rows(scopes: list[tuple[str, Any]], sample: Household, member: Member, persons: int,
              probes: tuple[str, ...] = ()) -> list[Row]:
    """The list, search and dossier pages for each (label, user) of ``scopes``, looking for ``sample`` and its
    ``member``: medians of 6 runs in process with the test client. ``probes``: only the rows whose label starts
    with one of these (all by default)."""
    rows: list[Row] = []
    for label, user in scopes:
        c = Client(HTTP_HOST="127.0.0.1")
        c.force_login(user)
        for name, url, params in (
            (f"household list, {label} scope, page 1", "/households/", None),
            (f"household list, {label} scope, sorted by income", "/households/", {"sort": "-income"}),
            (f"search by exact ID number, {label}", "/households/", {"q": member.id_number}),
            (f"search by name, {label}", "/households/", {"q": member.name}),
            (f"search by household number prefix, {label}", "/households/", {"q": sample.number[:14]}),
            (f"filter status + cause, {label}", "/households/", {"status": "poor", "cause": "01"}),
            (f"dossier page, {label}", f"/households/{sample.pk}/", None),
            (f"API household list, {label}", "/api/v1/households/", None),
        ):
            if not probes or name.startswith(probes):
                rows.append((name, _median_ms(c, url, params), ""))
    for i, (label, ms, _) in enumerate(rows):
        rows[i] = (label, ms / 1000, f"{ms:.0f} ms (median of 6) with {persons:,} persons")
    return rows


PART = 200_000  # households the registry demo generator holds in memory at once


def yunnan_demo(rows: list[Row], households: int) -> None:
    """Yunnan's division tree when it is missing, and ``households`` demo households when the registry is empty, in
    parts of at most ``PART`` households, one city each (the generator holds a part in memory)."""
    from fupin.regions.models import Level, Region
    from fupin.regions.services import load_regions
    from fupin.registry.demo import generate
    from fupin.registry.models import Household

    if not Region.objects.filter(code="53").exists():
        timed("load_regions --province 53", lambda: load_regions(directory=settings.DIVISIONS_DIR, provinces=["53"]),
              rows, lambda r: f"{r.total:,} nodes")
    if Household.objects.exists():
        return
    cities = list(Region.objects.filter(level=Level.CITY, code__range=subtree_bounds("53")).order_by("code")
                  .values_list("code", flat=True))
    parts = -(-households // PART)
    if parts > len(cities):
        raise CommandError(f"at most {PART * len(cities):,} households in Yunnan's {len(cities)} cities")

    def demo() -> tuple[int, float, float]:
        results = [generate(households=households // parts + (i < households % parts), area=cities[i], seed=i + 1)
                   for i in range(parts)]
        return (sum(r.households for r in results), sum(r.timings["generate"] for r in results),
                sum(r.timings["write"] for r in results))

    timed(f"demo --households {households:,} ({parts} cities)", demo, rows,
          lambda r: f"{r[0]:,} households; generating {r[1]:.0f} s, writing {r[2]:.0f} s")


def bench_foundation(cmd: BaseCommand, opts: dict[str, Any]) -> list[Row]:
    from fupin.regions.services import load_regions
    from fupin.registry.demo import generate
    from fupin.registry.models import Household

    if Household.objects.exists():
        raise CommandError("bench foundation needs an empty database (make bench-foundation creates one)")
    rows: list[Row] = []
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


def bench_registry(cmd: BaseCommand, opts: dict[str, Any]) -> list[Row]:
    """R2.4: a demo registry of ``--persons`` people is exported to CSV (and a smaller xlsx), the registry
    tables are wiped, and the import is timed end to end (read + validate + write, one transaction)."""
    import tempfile
    from pathlib import Path

    import polars as pl

    from fupin.core.roles import Role
    from fupin.regions.models import Region
    from fupin.regions.services import load_regions
    from fupin.registry import exporter, services
    from fupin.registry.demo import generate
    from fupin.registry.models import Household, Member
    from fupin.registry.template import HOUSEHOLDS, INCOMES, MEMBERS
    from fupin.testing import make_user

    if Household.objects.exists():
        raise CommandError("bench registry needs an empty registry (make bench-registry creates one)")
    rows: list[Row] = []
    if not Region.objects.filter(code="53").exists():
        timed("load_regions --province 53", lambda: load_regions(directory=settings.DIVISIONS_DIR, provinces=["53"]),
               rows, lambda r: f"{r.total:,} nodes")
    from fupin.core.models import User

    actor = (User.objects.filter(username="bench_registry").first()
             or make_user("bench_registry", Region.objects.get(code="53"), Role.COUNTY_ADMIN))
    households = max(1, round(opts["persons"] / 2.9))
    timed(f"demo --households {households:,}", lambda: generate(households=households, area="53", seed=1), rows,
           lambda r: f"{r.members:,} persons")
    persons = Member.objects.count()

    def wipe() -> None:
        """An empty registry as a new deployment has it (TRUNCATE on PostgreSQL: no dead rows left behind)."""
        tables = ("registry_householdversion", "registry_historychunk", "registry_income", "registry_member",
                  "registry_household")
        with connection.cursor() as cur:
            if is_postgres():
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
        _excel_like_workbook(frames, xlsx)
        xlsx_persons = frames[MEMBERS.name].height
        wipe()
        timed(f"import_registry csv ({persons:,} persons, fresh)",
               lambda: services.import_registry(paths, actor=actor), rows, lambda r: figures(r, persons))
        timed("import_registry csv again (idempotent, unchanged)",
               lambda: services.import_registry(paths, actor=actor), rows,
               lambda r: f"unchanged {r.unchanged:,}, {persons / r.seconds:,.0f} persons/s")
        wipe()
        timed(f"import_registry xlsx ({xlsx_persons:,} persons, {xlsx.stat().st_size / 2**20:,.0f} MiB, fresh)",
               lambda: services.import_registry([xlsx], actor=actor), rows, lambda r: figures(r, xlsx_persons))
        if opts.get("xlsx_mb"):
            # Memory of a large workbook (issue 22): a workbook of about --xlsx-mb MiB (as many households of the
            # export as that takes, at most all of them), imported by `fupin import_registry` in a child process
            # whose peak resident memory is read from the kernel.
            per_mib = xlsx_persons / (xlsx.stat().st_size / 2**20)
            want = max(1, round(float(opts.get("xlsx_mb") or 0) * per_mib / 2.9))
            big = Path(tmp) / "large.xlsx"
            frames = {s.name: pl.read_csv(folder / f"{s.name}.csv", infer_schema=False) for s in (HOUSEHOLDS, MEMBERS, INCOMES)}
            keep = frames[HOUSEHOLDS.name].head(want)["户编号"].implode()
            frames = {name: f.filter(pl.col("户编号").is_in(keep)) for name, f in frames.items()}
            _excel_like_workbook(frames, big)
            size = big.stat().st_size / 2**20
            shutil.copy(big, Path(settings.VAR_DIR) / "bench-registry-large.xlsx")  # kept to compare other versions
            wipe()
            started = time.perf_counter()
            # The child reports its own peak (VmHWM of its address space): ru_maxrss would also count this large
            # process, whose memory the child shares between fork and exec.
            child = ("import sys\nfrom fupin.cli import main\ntry:\n    main()\nfinally:\n"
                     "    hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')]\n"
                     "    print('PEAK_KIB', hwm[0] if hwm else 'nan', file=sys.stderr)")
            done = subprocess.run([sys.executable, "-c", child, "import_registry", str(big), "--user", actor.username,
                                   "--verbosity", "0"], capture_output=True, text=True, check=False)
            seconds = time.perf_counter() - started
            kib = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("PEAK_KIB")]
            peak = float(kib[-1]) / 1024 if kib else float("nan")
            status = "" if done.returncode == 0 else f", FAILED: {done.stderr.strip()[-300:]}"
            rows.append((f"import_registry xlsx in a child process ({frames[MEMBERS.name].height:,} persons, "
                         f"{size:,.1f} MiB)", seconds,
                         f"peak RSS {peak:,.0f} MiB = {peak / size:,.1f} MiB per MiB of workbook{status}"))
            cmd.stdout.write(f"{rows[-1][0]}: {rows[-1][2]}")
    return rows


BENCHMARKS = {"foundation": bench_foundation, "registry": bench_registry, "pages": bench_pages}


def _excel_like_workbook(frames: dict[str, Any], path: Any) -> None:
    """The three sheets as Excel saves a workbook — strings in the shared-strings table, which a reader must hold
    while it reads (openpyxl, write-only) — rather than the inline strings of the platform's own exports
    (``core.xlsxout``), so that the import is measured on what clerks send."""
    import polars as pl
    from openpyxl import Workbook

    from fupin.registry.template import SHEETS

    wb = Workbook(write_only=True)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        ws.append(list(sheet.headers))
        frame = frames[sheet.name].with_columns(
            [pl.col(c.header).cast(pl.Float64, strict=False) for c in sheet.columns if c.kind == "decimal"])
        for row in frame.iter_rows():
            ws.append(list(row))
    wb.save(path)
