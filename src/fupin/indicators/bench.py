"""``fupin bench indicators --households N`` (make bench-indicators): the figures of issue 8 on PostgreSQL — a full
rebuild of every indicator for every region node, an incremental refresh after 1,000 households changed (spread over
as many villages), and the dashboard page. Builds what is missing with the existing generators (registry demo in
parts of 200,000 households per city as ``bench monitoring`` does, connectivity demo, the warning rules) and a
synthetic rural population per village (set-based)."""

from __future__ import annotations

import functools
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Case, F, PositiveSmallIntegerField, Value, When
from django.test import override_settings
from django.utils import timezone

from fupin.core.benchmarks import Row, timed
from fupin.core.permissions import SYSTEM
from fupin.core.sql import analyze
from fupin.registry.bench import yunnan_demo


def _prepare(rows: list[Row], n: int) -> None:
    from fupin.connectivity import demo as connectivity_demo
    from fupin.connectivity.models import ConnectivityEvent
    from fupin.monitoring import services as monitoring
    from fupin.monitoring.models import Alert

    yunnan_demo(rows, n)
    if not ConnectivityEvent.objects.exists():
        timed("demo_connectivity 53 (events and facilities)", lambda: connectivity_demo.generate(area="53", seed=1),
               rows, lambda r: f"{r.events:,} events, {r.facilities:,} facilities")
    if not Alert.objects.exists():
        timed("warning rules (alerts)", lambda: monitoring.run_rules(actor=SYSTEM), rows,
               lambda run: f"{sum(run.summary['hits'].values()):,} alerts")
    with connection.cursor() as cur:
        analyze(cur)  # fresh statistics after the bulk load, as autovacuum would give


def _change(count: int) -> tuple[int, int]:
    """``count`` households spread over the registry (every k-th by id, so over as many villages) change status:
    poor ones exit in 2020, the others become poor again — one UPDATE, as a bulk write would."""
    from fupin.registry.models import Household

    total = Household.objects.count()
    step = max(1, total // count)
    ids = list(Household.objects.order_by("id").values_list("id", flat=True)[::step][:count])
    qs = Household.objects.filter(pk__in=ids)
    villages = len(set(qs.values_list("village_id", flat=True)))
    qs.update(
        status=Case(When(status="poor", then=Value("exited")), default=Value("poor")),
        exit_year=Case(When(status="poor", then=Value(2020)), default=F("exit_year"),
                       output_field=PositiveSmallIntegerField()),
        updated_at=timezone.now(),
    )
    return len(ids), villages


def _change_incomes(count: int) -> tuple[int, int]:
    """The 2020 income of ``count`` households spread as in ``_change`` is corrected, one ``save()`` each, and their
    villages marked as the registry's ``set_income`` does."""
    from fupin.indicators.changes import mark_changed
    from fupin.registry.models import Household, Income

    total = Household.objects.count()
    step = max(1, total // count)
    ids = list(Household.objects.order_by("id").values_list("id", flat=True)[step // 2::step][:count])
    n, villages, marked = 0, set(), []
    with transaction.atomic():
        for income in Income.objects.filter(household_id__in=ids, year=2020).select_related("household"):
            income.business += 1000
            income.save()
            villages.add(income.household.village_id)
            marked.append(income.household_id)
            n += 1
        mark_changed((), households=marked)
    return n, len(villages)


def _timings(r: Any) -> str:
    parts = ", ".join(f"{k} {v:.2f}" for k, v in r.timings.items())
    what = "full" if r.full else (f"{r.households:,} households recomputed, {r.villages:,} villages re-summed, "
                                  f"{r.regions:,} regions touched")
    return f"{what}; {r.written:,} values written, {r.deleted:,} deleted ({parts})"


def run(cmd: BaseCommand, opts: dict[str, Any]) -> list[Row]:
    from django.test import Client

    from fupin.core.models import User
    from fupin.indicators import services
    from fupin.indicators.models import IndicatorValue
    from fupin.registry.models import Household

    rows: list[Row] = []
    _prepare(rows, opts["households"])
    total = Household.objects.count()
    current = str(timezone.localdate().year)
    for code in ("2020", current):
        period = services.ensure_period(code)
        if period.is_frozen:
            raise CommandError(f"period {code} is frozen in this database")
        IndicatorValue.objects.filter(period=period).delete()
        timed(f"full rebuild {code}, {total:,} households (empty period: every value written)",
               functools.partial(services.refresh, code, full=True), rows, _timings)
        rows[-1] = (rows[-1][0], rows[-1][1],
                    f"{IndicatorValue.objects.filter(period=period).count():,} values; {rows[-1][2]}")
    timed("full rebuild 2020 again (values compared, none changed)",
           functools.partial(services.refresh, "2020", full=True), rows, _timings)
    changed, villages = _change(1000)
    rows.append((f"change {changed:,} households in {villages:,} villages (one UPDATE)", 0.0, ""))
    # The demo data was written seconds ago: with the default overlap (changes of the five minutes before the last
    # refresh are looked at again) it would all count as changed. The overlap is set to 0 for these rows; the last
    # row shows a refresh with the default overlap.
    with override_settings(FUPIN_INDICATOR_REFRESH_OVERLAP=0):
        for code in ("2020", current):
            timed(f"incremental refresh {code} after {changed:,} household changes",
                   functools.partial(services.refresh, code), rows, _timings)
        timed("incremental refresh 2020, nothing changed", functools.partial(services.refresh, "2020"), rows,
               _timings)
        incomes, income_villages = _change_incomes(1000)
        rows.append((f"correct the 2020 income of {incomes:,} households in {income_villages:,} villages "
                     "(one save() each)", 0.0, ""))
        timed(f"incremental refresh 2020 after {incomes:,} income changes (medians recomputed)",
               functools.partial(services.refresh, "2020"), rows, _timings)
    timed("incremental refresh 2020, nothing changed, default 5-minute overlap (the same changes again)",
           functools.partial(services.refresh, "2020"), rows, _timings)

    user, _created = User.objects.get_or_create(username="bench_indicators",
                                                defaults={"is_superuser": True, "is_staff": True})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    county = (IndicatorValue.objects.filter(period_id="2020", indicator="registered_households", level=3)
              .order_by("-numerator").values_list("region_code", flat=True).first() or "53")
    for label, url in (("dashboard /indicators/, nation", "/indicators/?period=2020&region="),
                       ("dashboard /indicators/, province 53", "/indicators/?period=2020&region=53"),
                       (f"dashboard /indicators/, county {county}", f"/indicators/?period=2020&region={county}"),
                       ("API values of the province", "/api/v1/indicators/values?period=2020&region=53"),
                       ("API ranking of the villages of 53", "/api/v1/indicators/ranking?period=2020&indicator="
                                                              "incidence&level=5&within=53&limit=1000")):
        status = client.get(url).status_code  # warm
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            status = client.get(url).status_code
            times.append(time.perf_counter() - t0)
        median = statistics.median(times)
        rows.append((label, median, f"HTTP {status}, median of 5: {median * 1000:.0f} ms "
                                    f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})"))
    return rows


def _pgscale(cmd: BaseCommand, opts: dict[str, Any]) -> list[Row]:
    from fupin.indicators.scale_bench import bench_pgscale

    return bench_pgscale(cmd, opts)


BENCHMARKS = {"indicators": run, "pgscale": _pgscale}
