"""Outside data for the early-warning benchmark (issue 6): a medical-expense batch of the health-insurance
department for one registered person in ten (generated straight to Parquet, as the exchange benchmark does; a
real batch goes through ``exchange.services.upload_batch``), and risk reports on one household in 500 —
written set-based, so that the rules on department data and reports are measured at scale too."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from fupin.core.benchmarks import Row, timed
from fupin.core.permissions import SYSTEM
from fupin.core.sql import analyze, days_before
from fupin.exchange.models import Batch
from fupin.exchange.services import exchange_dir
from fupin.registry.bench import yunnan_demo
from fupin.registry.models import Member

KINDS = ("disaster", "accident", "illness", "job_loss", "other")


@transaction.atomic
def plant(as_of: dt.date) -> dict[str, int]:
    year = as_of.year - 1
    with connection.cursor() as cur:
        cur.execute(f"SELECT id, id_number FROM {Member._meta.db_table} WHERE is_active AND id % 10 = 0")
        rows = cur.fetchall()
    ids = pl.DataFrame(rows, schema={"member_id": pl.Int64, "id_number": pl.Utf8}, orient="row")
    # out-of-pocket 0 … 11,900 yuan, a total cost 2.5 times it: about a fifth of them above half an income
    frame = ids.select(
        "id_number", pl.lit(year, pl.Int64).alias("year"),
        ((pl.col("member_id") * 7919 % 120) * 100 * 2.5).cast(pl.Float64).alias("total_cost"),
        ((pl.col("member_id") * 7919 % 120) * 100).cast(pl.Float64).alias("out_of_pocket"))
    path = exchange_dir() / "batches" / "medical_expense" / f"bench-{as_of:%Y%m%d}-{uuid.uuid4().hex[:12]}.parquet"
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)
    Batch.objects.create(dataset="medical_expense", department="医保", region_code="", as_of=as_of, version=1,
                         rows=frame.height, status=Batch.Status.ACCEPTED, report={}, file_name="bench",
                         path=str(path))
    # '%%' is the modulo operator in a query with parameters (both backends)
    kind = "CASE (h.id / 500) %% 5 " + " ".join(f"WHEN {i} THEN '{k}'" for i, k in enumerate(KINDS)) + " END"
    day = days_before("%s", "(h.id %% 120)")
    with connection.cursor() as cur:
        cur.execute(f"""INSERT INTO monitoring_riskreport (household_id, region_code, kind, occurred_on, description,
                            source, reporter, recorded_by_id, recorded_at)
                        SELECT h.id, h.village_id, {kind}, {day}, '演示报告（合成数据）', 'cadre', '', NULL, %s
                        FROM registry_household h WHERE h.id %% 500 = 0""",
                    [as_of.isoformat(), timezone.now()])
        reports = cur.rowcount
    return {"expense_rows": frame.height, "reports": reports}


def bench_monitoring(cmd: Any, opts: dict[str, Any]) -> list[Row]:
    """Early warning (issue 6): every warning rule over all demo households (set-based SQL), then a re-run."""
    from fupin.monitoring import services as monitoring
    from fupin.registry.models import Household

    rows: list[Row] = []
    n = opts["households"]
    yunnan_demo(rows, n)
    with connection.cursor() as cur:
        analyze(cur)  # fresh statistics after the bulk load, as autovacuum would give
    total = Household.objects.count()
    from django.utils import timezone

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


BENCHMARKS = {"monitoring": bench_monitoring}
