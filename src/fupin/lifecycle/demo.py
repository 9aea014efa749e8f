"""Demo data of the lifecycle (演示数据，纯属虚构) for the registry's demo households: assistance measures that answer
each household's main cause, and a synthetic rural population per village (the incidence's denominator). Added to
every batch ``registry.demo.generate`` writes, through ``registry.demo.extend`` (registered in ``apps.py``)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import connection

from fupin.core.bulk import copy_rows
from fupin.lifecycle.models import Measure, RuralPopulation
from fupin.registry.demo import HOUSEHOLD_COLUMNS, DemoBatch
from fupin.registry.models import Household, Member, Source
from fupin.registry.statuses import REGISTERED_STATUSES


def add_demo(batch: DemoBatch) -> dict[str, int]:
    return {"rural_population": rural_population(batch.lo, batch.hi),
            "measures": measures(random.Random(batch.seed + 1), batch.households, batch.now)}


RURAL_POPULATION_YEAR = 2020  # the census year (第七次全国人口普查)


def rural_population(lo: str, hi: str) -> int:
    """A synthetic rural population for the demo villages that have none, so that the poverty incidence
    (贫困发生率) can be shown: the village's registered persons × 4–12 (a fixed factor from the village code, so that
    incidence differs between villages, about 8–25 %, as in poor areas before 2020). One set-based INSERT."""
    rural, h, m = RuralPopulation._meta.db_table, Household._meta.db_table, Member._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {rural} (region_id, year, persons)
                SELECT h.village_id, %s, COUNT(*) * (4 + CAST(substr(h.village_id, 10, 3) AS INTEGER) %% 9)
                FROM {h} h JOIN {m} m ON m.household_id = h.id AND m.is_active
                WHERE h.village_id BETWEEN %s AND %s AND h.source = %s
                  AND NOT EXISTS (SELECT 1 FROM {rural} r WHERE r.region_id = h.village_id AND r.year = %s)
                GROUP BY h.village_id""",
            [RURAL_POPULATION_YEAR, lo, hi, Source.DEMO, RURAL_POPULATION_YEAR],
        )
        return max(int(cur.rowcount), 0)


# Assistance measures that answer a main cause of poverty (code list poverty_cause → measure_type).
MEASURES_FOR_CAUSE = {
    "01": ("05", "09"), "02": ("09", "03"), "03": ("06",), "04": ("07", "11"), "05": ("01", "13"),
    "06": ("08",), "07": ("12", "02"), "08": ("03", "09"), "09": ("04", "01"), "10": ("10", "01"),
    "11": ("02", "12"),
}
MEASURE_TEXT = {
    "01": ("发展特色种养（核桃、草果）", 3000), "02": ("转移就业，劳务输出", 1000), "03": ("聘为生态护林员", 10000),
    "04": ("扶贫小额信贷", 50000), "05": ("先诊疗后付费，大病救治", 5000), "06": ("雨露计划助学补助", 3000),
    "07": ("农村危房改造", 20000), "08": ("农村饮水安全巩固提升", 800), "09": ("纳入农村低保", 4000),
    "10": ("易地扶贫搬迁安置", 60000), "11": ("定点帮扶单位结对帮扶", 2000), "12": ("农村实用技术培训", 600),
    "13": ("光伏扶贫资产收益分红", 1500), "14": ("生态公益林补偿", 1200),
}


def measures(rng: random.Random, hh_rows: list[tuple[Any, ...]], now: dt.datetime) -> int:
    """One to three assistance measures per registered demo household, of the types that answer its main cause,
    dated between its identification and its exit (results recorded for those that ended). Written with COPY."""
    col = {c: i for i, c in enumerate(HOUSEHOLD_COLUMNS)}
    rows: list[tuple[Any, ...]] = []
    for hh in hh_rows:
        if hh[col["status"]] not in REGISTERED_STATUSES:
            continue
        start_year = int(hh[col["identified_year"]])
        last_year = int(hh[col["exit_year"]] or 2025)
        types = list(MEASURES_FOR_CAUSE.get(hh[col["main_cause"]], ("11",)))
        for extra in ("12", "13", "14"):
            if len(types) < 3 and rng.random() < 0.3:
                types.append(extra)
        for kind in types[: rng.randint(1, 3)]:
            text, base = MEASURE_TEXT[kind]
            year = rng.randint(start_year, max(start_year, last_year))
            start = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            end = start + dt.timedelta(days=rng.choice((90, 180, 365, 730)))
            ended = end <= dt.date(2025, 12, 31)
            rows.append((hh[col["id"]], kind, text, start, end if ended else None,
                         Decimal(base) * Decimal(rng.choice((1, 1, 2, 3))) if kind != "12" else Decimal(base),
                         rng.choice(("01", "01", "02", "03", "04")), "帮扶责任人", hh[col["cadre_id"]],
                         "已完成，达到预期" if ended else "", now, now))
    columns = ("household_id", "type", "description", "start_date", "end_date", "funds", "fund_source",
               "responsible", "cadre_id", "result", "created_at", "updated_at")
    return copy_rows(Measure._meta.db_table, columns, rows)
