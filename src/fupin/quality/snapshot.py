"""The registry snapshot the quality rules read: one Parquet file per relation, written straight from the
database cursor in chunks (no ORM objects). Every relation tied to a household carries ``record_id``,
``household_id``, ``region_code`` (the village) and ``status`` (the household's), so that the engine can limit
any of them to a rule's statuses and a parameter set's provinces.

Relations and their columns:

- ``persons`` — active members: record_id (member id), household_id, region_code, status, attribute (the
  household's), id_type, id_number, sex, birth_date, age (completed years on the reference date), relation,
  education, schooling, health, disability_category, disability_grade, labour_skill, work_location,
  work_months, welfare_job_months, has_medical_insurance, has_serious_illness_insurance,
  has_pension_insurance, receives_dibao, receives_tekun;
- ``households`` — record_id (= household_id), household_id, region_code, status, number, standard, attribute,
  main_cause, phone, identified_year, exit_year, has_production_power, has_living_power, road_type,
  housing_area, housing_safety, water_safe, water_difficult, fuel_type, latest_income_year, latest_per_capita,
  cultivated_land, members (active members);
- ``incomes`` — one row per household and year: record_id (household id), household_id, region_code, status,
  year, household_size, the components of ``registry.INCOME_FIELDS``, business_expense, net_total, per_capita,
  is_latest;
- ``measures`` — record_id (measure id), household_id, region_code, status, type, start_date, end_date, funds;
- ``monitoring`` — record_id (monitoring record id), household_id, region_code, status, category, started_on,
  ended_on, elimination_method, risk_count, months (whole months monitored up to the end or the reference date);
- ``risks`` — one row per risk of a monitoring record: record_id (the record's id), household_id,
  region_code, status, risk, open (the record has not ended);
- ``villages`` — villages with registered households, basic data or the poor-village flag: record_id (code),
  household_id (NULL), region_code (code), status (''), is_poor_village, poor_exit_year, and from the latest
  village basic data (``VillageRecord``; NULL without one) data_as_of, data_households, data_persons,
  hardened_road, unsafe_water_households, dangerous_housing_households;
- ``lines`` — year, standard (national, provincial, monitoring), province, amount (registry.PovertyLine);
- ``id_regions`` — code, from_year, to_year: the region codes of resident ID numbers and the years they were
  in force (python-stdnum's database).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq
from django.db import connection

from fupin.core.bulk import is_postgres
from fupin.core.tree import is_code, subtree_bounds
from fupin.quality.catalogue import REGISTERED
from fupin.registry.models import INCOME_FIELDS

CHUNK = 200_000
COPY_CHUNK = 64 << 20  # bytes of CSV parsed at a time
S, N, F, B, D = pl.Utf8, pl.Int64, pl.Float64, pl.Boolean, pl.Date  # N: whole numbers

# The households the snapshot holds: registered now or before (monitored ones included).
SNAPSHOT_STATUSES = REGISTERED


def _statuses() -> str:
    return ", ".join(f"'{s}'" for s in SNAPSHOT_STATUSES)


HOUSEHOLD_JOIN = f"JOIN registry_household h ON h.id = x.household_id AND h.status IN ({_statuses()})"

PERSONS = ({
    "record_id": N, "household_id": N, "region_code": S, "status": S, "attribute": S, "id_type": S, "id_number": S,
    "sex": S, "birth_date": D, "relation": S, "education": S, "schooling": S, "health": S, "disability_category": S,
    "disability_grade": S, "labour_skill": S, "work_location": S, "work_months": N, "welfare_job_months": N,
    "has_medical_insurance": B, "has_serious_illness_insurance": B, "has_pension_insurance": B,
    "receives_dibao": B, "receives_tekun": B,
}, f"""SELECT x.id, x.household_id, h.village_id, h.status, h.attribute, x.id_type, x.id_number, x.sex, x.birth_date,
        x.relation, x.education, x.schooling, x.health, x.disability_category, x.disability_grade, x.labour_skill,
        x.work_location, x.work_months, x.welfare_job_months, x.has_medical_insurance,
        x.has_serious_illness_insurance, x.has_pension_insurance, x.receives_dibao, x.receives_tekun
    FROM registry_member x {HOUSEHOLD_JOIN} WHERE x.is_active {{only}} ORDER BY x.id""")

HOUSEHOLDS = ({
    "record_id": N, "household_id": N, "region_code": S, "status": S, "number": S, "standard": S, "attribute": S,
    "main_cause": S, "phone": S, "identified_year": N, "exit_year": N, "has_production_power": B,
    "has_living_power": B, "road_type": S, "housing_area": F, "housing_safety": S, "water_safe": B,
    "water_difficult": B, "fuel_type": S, "latest_income_year": N, "latest_per_capita": F, "cultivated_land": F,
    "members": N,
}, f"""SELECT h.id, h.id, h.village_id, h.status, h.number, h.standard, h.attribute, h.main_cause, h.phone,
        h.identified_year, h.exit_year, h.has_production_power, h.has_living_power, h.road_type, h.housing_area,
        h.housing_safety, h.water_safe, h.water_difficult, h.fuel_type, h.latest_income_year, h.latest_per_capita,
        h.cultivated_land,
        (SELECT COUNT(*) FROM registry_member m WHERE m.household_id = h.id AND m.is_active)
    FROM registry_household h WHERE h.status IN ({_statuses()}) {{only}} ORDER BY h.id""")

INCOMES = ({
    "record_id": N, "household_id": N, "region_code": S, "status": S, "year": N, "household_size": N,
    **{f: F for f in INCOME_FIELDS}, "business_expense": F, "net_total": F, "is_latest": B,
}, f"""SELECT x.household_id, x.household_id, h.village_id, h.status, x.year, x.household_size,
        {', '.join('x.' + f for f in INCOME_FIELDS)}, x.business_expense, x.net_total,
        CASE WHEN x.year = h.latest_income_year THEN 1 ELSE 0 END
    FROM registry_income x {HOUSEHOLD_JOIN} WHERE 1 = 1 {{only}} ORDER BY x.household_id, x.year""")

MEASURES = ({
    "record_id": N, "household_id": N, "region_code": S, "status": S, "type": S, "start_date": D, "end_date": D,
    "funds": F,
}, f"""SELECT x.id, x.household_id, h.village_id, h.status, x.type, x.start_date, x.end_date, x.funds
    FROM lifecycle_measure x {HOUSEHOLD_JOIN} WHERE 1 = 1 {{only}} ORDER BY x.id""")

MONITORING = ({
    "record_id": N, "household_id": N, "region_code": S, "status": S, "category": S, "started_on": D, "ended_on": D,
    "elimination_method": S, "risks_text": S,
}, f"""SELECT x.id, x.household_id, h.village_id, h.status, x.category, x.started_on, x.ended_on,
        x.elimination_method, CAST(x.risks AS TEXT)
    FROM lifecycle_monitoringrecord x {HOUSEHOLD_JOIN} WHERE 1 = 1 {{only}} ORDER BY x.id""")

VILLAGES = ({
    "record_id": S, "household_id": N, "region_code": S, "status": S, "is_poor_village": B, "poor_exit_year": N,
    "data_as_of": D, "data_households": N, "data_persons": N, "hardened_road": B, "unsafe_water_households": N,
    "dangerous_housing_households": N,
}, f"""SELECT r.code, NULL, r.code, '', r.is_poor_village, r.poor_exit_year, v.as_of, v.households, v.persons,
        v.hardened_road, v.unsafe_water_households, v.dangerous_housing_households
    FROM regions_region r
    LEFT JOIN quality_villagerecord v ON v.region_id = r.code
        AND v.as_of = (SELECT MAX(w.as_of) FROM quality_villagerecord w WHERE w.region_id = r.code)
    WHERE r.level = 5 AND (r.is_poor_village OR v.id IS NOT NULL OR EXISTS (
        SELECT 1 FROM registry_household h WHERE h.village_id = r.code AND h.status IN ({_statuses()}))) {{only_villages}}
    ORDER BY r.code""")

LINES = ({"year": N, "standard": S, "province": S, "amount": F},
         "SELECT year, standard, province, amount FROM lifecycle_povertyline ORDER BY year, standard, province")


def _frame(rows: list[tuple[object, ...]], schema: dict[str, Any]) -> pl.DataFrame:
    data = {}
    for i, (c, t) in enumerate(schema.items()):
        values = [r[i] for r in rows]
        if t == S or t == D:
            values = [None if v is None else str(v) for v in values]
        elif t == F:
            values = [None if v is None else float(v) for v in values]  # type: ignore[arg-type]
        elif t == B:
            values = [None if v is None else bool(v) for v in values]
        if t == D:
            data[c] = pl.Series(c, values, dtype=S).str.slice(0, 10).str.strptime(D, "%Y-%m-%d", strict=False)
        else:
            data[c] = pl.Series(c, values, dtype=t, strict=False)
    return pl.DataFrame(data)


def _age(as_of: dt.date) -> pl.Expr:
    birth = pl.col("birth_date")
    before_birthday = (birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day().cast(pl.Int32)) > (
        as_of.month * 100 + as_of.day)
    return (pl.lit(as_of.year) - birth.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)).cast(pl.Int32)


def _write(path: Path, spec: tuple[dict[str, Any], str], shape: Callable[[pl.DataFrame], pl.DataFrame],
           villages: set[str] | None = None, province: str | None = None) -> int:
    schema, sql = spec
    codes = ", ".join(f"'{v}'" for v in sorted(villages or ()) if is_code(v)) or "''"
    only, only_villages = ("", "") if villages is None else (f"AND h.village_id IN ({codes})", f"AND r.code IN ({codes})")
    if province is not None:
        if not is_code(province):
            raise ValueError(f"not a province code: {province!r}")
        lo, hi = subtree_bounds(province)
        only += f" AND h.village_id BETWEEN '{lo}' AND '{hi}'"
        only_villages += f" AND r.code BETWEEN '{lo}' AND '{hi}'"
    sql = sql.replace("{only}", only).replace("{only_villages}", only_villages)
    n = 0
    writer: pq.ParquetWriter | None = None
    for frame in _frames(sql, schema):
        table = shape(frame).to_arrow()
        if writer is None:
            writer = pq.ParquetWriter(str(path), table.schema)
        writer.write_table(table)
        n += frame.height
    assert writer is not None
    writer.close()
    return n


def _frames(sql: str, schema: dict[str, Any]) -> Iterator[pl.DataFrame]:
    """The query's rows in chunks as typed frames (at least one, maybe empty). On PostgreSQL the rows come as CSV
    from ``COPY (…) TO STDOUT`` and are parsed and typed by polars, column-wise; elsewhere through the cursor."""
    if not is_postgres():
        with connection.cursor() as cur:
            cur.execute(sql)
            first = True
            while True:
                rows = cur.fetchmany(CHUNK)
                if rows or first:
                    yield _frame(rows, schema)
                    first = False
                if not rows:
                    return
    with connection.cursor() as cur:
        raw = cur.cursor  # psycopg's cursor under Django's wrapper
        buffer = bytearray()
        first = True
        with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, NULL '\\N')") as copy:
            for data in copy:
                buffer += data
                if len(buffer) >= COPY_CHUNK:
                    cut = buffer.rfind(b"\n") + 1
                    yield _csv_frame(bytes(buffer[:cut]), schema)
                    first = False
                    del buffer[:cut]
        if buffer or first:
            yield _csv_frame(bytes(buffer), schema)


def _csv_frame(data: bytes, schema: dict[str, Any]) -> pl.DataFrame:
    """Rows of ``COPY … (FORMAT csv, NULL '\\N')`` typed by ``schema`` (no values of these queries hold a newline)."""
    if not data:
        return _frame([], schema)
    text = pl.read_csv(io.BytesIO(data), has_header=False, new_columns=list(schema), infer_schema=False,
                       null_values=["\\N"], empty_string_is_null=False, quote_char='"')
    casts = []
    for c, t in schema.items():
        col = pl.col(c)
        if t == B:
            casts.append(pl.when(col.is_null()).then(None).otherwise(col.is_in(["t", "1", "true"])).alias(c))
        elif t == D:
            casts.append(col.str.slice(0, 10).str.strptime(D, "%Y-%m-%d", strict=False).alias(c))
        elif t != S:
            casts.append(col.cast(t).alias(c))
    return text.with_columns(casts) if casts else text


def _id_regions() -> pl.DataFrame:
    from fupin.registry.idnumber import region_periods

    rows = [(code, a, b) for code, spans in region_periods().items() for a, b in spans]
    return pl.DataFrame(rows, schema={"code": S, "from_year": N, "to_year": N}, orient="row")


def export(directory: Path, as_of: dt.date, villages: set[str] | None = None, province: str | None = None
           ) -> dict[str, Path]:
    """Write every relation under ``directory``; returns name → path. ``villages``: only those villages'
    households (the check of a few households at entry); ``province``: only that province's (``national``)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {name: directory / f"{name}.parquet" for name in
             ("persons", "households", "incomes", "measures", "monitoring", "risks", "villages", "lines", "id_regions")}

    _write(paths["persons"], PERSONS, lambda f: f.with_columns(age=_age(as_of)), villages, province)
    _write(paths["households"], HOUSEHOLDS, lambda f: f, villages, province)
    _write(paths["incomes"], INCOMES, lambda f: f.with_columns(
        per_capita=(pl.col("net_total") / pl.col("household_size")).round(2)), villages, province)
    _write(paths["measures"], MEASURES, lambda f: f, villages, province)

    monitoring: list[pl.DataFrame] = []

    def shape_monitoring(f: pl.DataFrame) -> pl.DataFrame:
        f = f.with_columns(risk_list=pl.col("risks_text").str.json_decode(pl.List(pl.Utf8)))
        end = pl.coalesce(pl.col("ended_on"), pl.lit(as_of))
        f = f.with_columns(
            risk_count=pl.col("risk_list").list.len().cast(pl.Int64),
            months=(end.dt.year().cast(pl.Int64) * 12 + end.dt.month().cast(pl.Int64)
                    - pl.col("started_on").dt.year().cast(pl.Int64) * 12 - pl.col("started_on").dt.month().cast(pl.Int64)
                    - (end.dt.day() < pl.col("started_on").dt.day()).cast(pl.Int64)),
        )
        monitoring.append(f.select("record_id", "household_id", "region_code", "status", "risk_list", "ended_on"))
        return f.drop("risk_list", "risks_text")

    _write(paths["monitoring"], MONITORING, shape_monitoring, villages, province)
    risks = pl.concat(monitoring).explode("risk_list").filter(pl.col("risk_list").is_not_null()).select(
        "record_id", "household_id", "region_code", "status", pl.col("risk_list").alias("risk"),
        pl.col("ended_on").is_null().alias("open"))
    risks.write_parquet(paths["risks"])
    _write(paths["villages"], VILLAGES, lambda f: f, villages, province)
    _write(paths["lines"], LINES, lambda f: f)
    _id_regions().write_parquet(paths["id_regions"])
    return paths
