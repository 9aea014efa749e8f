"""``fupin bench lifecycle``: exit evaluation (issue 4) of every demo household (``make bench-lifecycle``)."""

from __future__ import annotations

from typing import Any

from django.db import connection

from fupin.core.benchmarks import Row, timed
from fupin.core.sql import analyze
from fupin.registry.bench import yunnan_demo


def bench_lifecycle(cmd: Any, opts: dict[str, Any]) -> list[Row]:
    """Exit evaluation (issue 4) of every household: one set-based query; village and county exit."""
    from fupin.lifecycle import evaluation
    from fupin.regions.models import Region
    from fupin.registry.models import Household

    rows: list[Row] = []
    n = opts["households"]
    yunnan_demo(rows, n)
    with connection.cursor() as cur:
        analyze(cur)  # fresh statistics after the bulk load, as autovacuum would give  # fresh statistics after the bulk load, as autovacuum would give
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


BENCHMARKS = {"lifecycle": bench_lifecycle}
