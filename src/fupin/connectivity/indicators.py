"""Coverage indicators as set-based SQL: the status of every village on a date, and numerators and
denominators grouped by code prefix (``substr(code, 1, n)``: province 2, city 4, county 6, township 9).

Every indicator states its numerator, denominator and exclusions here, once; pages, API, targets,
rankings and the benchmark all call these functions. No Python loop runs per village.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db import connection

from fupin.core.sql import big_sorts, date_param, least
from fupin.core.tree import subtree_bounds
from fupin.regions.models import AREA_FLAGS

EVENTS = "connectivity_connectivityevent"
STATUS = "connectivity_villagestatus"
REGIONS = "regions_region"
FACILITIES = "connectivity_facility"
STATIONS = "commerce_station"  # e-commerce stations (commerce.Station)
FAR = "9999-12-31"


def _least(*exprs: str) -> str:
    """The earliest non-null date of ``exprs`` (LEAST ignores NULLs on PostgreSQL; SQLite's MIN does not)."""
    fn = least()
    inner = ", ".join(f"COALESCE({e}, '{FAR}')" for e in exprs)
    return f"NULLIF({fn}({inner}), '{FAR}')"


def _after(kind: str) -> str:
    """True when the latest event of ``kind`` came after the latest disconnection (same day: by entry order)."""
    return f"(d_date IS NULL OR {kind}_date > d_date OR ({kind}_date = d_date AND {kind}_id > d_id))"


def status_sql(on: dt.date | None, prefix: str = "", *, poor_only: bool = False) -> tuple[str, list[Any]]:
    """A SELECT of every village under ``prefix`` that has events on or before ``on`` (all events when None),
    with the columns of ``VillageStatus``. The latest event per village and kind wins (ROW_NUMBER over
    ``(date, id)``); a 'disconnected' event cuts fiber, 4G and other access until a later positive event.
    Broadband (通宽带) = fiber or 4G or other broadband access. ``poor_only``: only registered poor villages' events
    (the coverage indicators need no other, and the window over every event of the country takes seconds)."""
    lo, hi = subtree_bounds(prefix)
    params: list[Any] = [lo, hi]
    date_filter = ""
    if on is not None:
        date_filter = "AND e.date <= %s"
        params.append(date_param(on))
    poor = (f" AND e.village_id IN (SELECT p.code FROM {REGIONS} p WHERE p.level = 5 AND p.is_poor_village = TRUE "
            f"AND p.code BETWEEN %s AND %s)") if poor_only else ""
    if poor_only:
        params += [lo, hi]
    pivot = []
    for short, kind in (("f", "fiber"), ("g", "4g"), ("b", "broadband")):
        pivot += [
            f"MAX(CASE WHEN kind = '{kind}' AND flag THEN 1 ELSE 0 END) AS {short}_on",
            f"MAX(CASE WHEN kind = '{kind}' THEN date END) AS {short}_date",
            f"MAX(CASE WHEN kind = '{kind}' THEN id END) AS {short}_id",
        ]
    sql = f"""
WITH latest AS (
  SELECT village_id, kind, date, id, flag, number, text, batch FROM (
    SELECT e.village_id, e.kind, e.date, e.id, e.flag, e.number, e.text, e.batch,
           ROW_NUMBER() OVER (PARTITION BY e.village_id, e.kind ORDER BY e.date DESC, e.id DESC) AS rn
    FROM {EVENTS} e WHERE e.village_id BETWEEN %s AND %s {date_filter}{poor}
  ) t WHERE rn = 1
), pivot AS (
  SELECT village_id, {", ".join(pivot)},
    MAX(CASE WHEN kind = 'disconnected' THEN date END) AS d_date,
    MAX(CASE WHEN kind = 'disconnected' THEN id END) AS d_id,
    MAX(CASE WHEN kind = 'operator' THEN text END) AS operator,
    MAX(CASE WHEN kind = 'bandwidth' THEN number END) AS bandwidth,
    MAX(CASE WHEN kind = 'pilot' THEN batch END) AS pilot_batch,
    MAX(CASE WHEN kind = 'pilot' THEN number END) AS pilot_funds,
    MAX(CASE WHEN kind = 'natural_4g' THEN number END) AS natural_4g,
    MAX(date) AS last_event
  FROM latest GROUP BY village_id
), s AS (
  SELECT village_id,
    CASE WHEN f_on = 1 AND {_after("f")} THEN 1 ELSE 0 END AS fi,
    CASE WHEN g_on = 1 AND {_after("g")} THEN 1 ELSE 0 END AS gi,
    CASE WHEN b_on = 1 AND {_after("b")} THEN 1 ELSE 0 END AS bi,
    f_date, g_date, b_date, operator, bandwidth, pilot_batch, pilot_funds, natural_4g, last_event
  FROM pivot
)
SELECT village_id,
  (CASE WHEN fi = 1 OR gi = 1 OR bi = 1 THEN 1 ELSE 0 END) = 1 AS connected,
  fi = 1 AS fiber, CASE WHEN fi = 1 THEN f_date END AS fiber_date,
  gi = 1 AS mobile_4g, CASE WHEN gi = 1 THEN g_date END AS mobile_4g_date,
  bi = 1 AS broadband,
  {_least("CASE WHEN fi = 1 THEN f_date END", "CASE WHEN gi = 1 THEN g_date END",
          "CASE WHEN bi = 1 THEN b_date END")} AS connected_date,
  COALESCE(operator, '') AS operator, bandwidth, pilot_batch, pilot_funds,
  CAST(natural_4g AS INTEGER) AS natural_4g, last_event
FROM s"""
    return sql, params


STATUS_COLUMNS = ("village_id", "connected", "fiber", "fiber_date", "mobile_4g", "mobile_4g_date", "broadband",
                  "connected_date", "operator", "bandwidth", "pilot_batch", "pilot_funds", "natural_4g", "last_event")


def status_on(on: dt.date | None, prefix: str = "") -> dict[str, dict[str, Any]]:
    """The status of the villages under ``prefix`` with events, keyed by village code (for small areas and tests)."""
    sql, params = status_sql(on, prefix)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = [dict(zip(STATUS_COLUMNS, r, strict=True)) for r in cur.fetchall()]
    for row in rows:  # SQLite answers raw dates as ISO text
        for k in ("fiber_date", "mobile_4g_date", "connected_date", "last_event"):
            if isinstance(row[k], str):
                row[k] = dt.date.fromisoformat(row[k])
    return {row["village_id"]: row for row in rows}


# --- indicators -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    numerator: str
    denominator: str
    exclusions: str


INDICATORS = {
    i.code: i
    for i in (
        Indicator(
            "poor_village_broadband", "贫困村通宽带比例 / poor villages with broadband",
            "registered poor villages (is_poor_village) whose latest fiber, 4G or broadband-access event on or "
            "before the date says connected and was not followed by a 'disconnected' event",
            "registered poor villages (level 5, is_poor_village) in the scope",
            "villages not registered as poor; villages that exited poverty stay counted (they remain 建档立卡贫困村); "
            "a village without any event counts as unconnected",
        ),
        Indicator(
            "poor_village_fiber", "贫困村通光纤比例 / poor villages with fiber",
            "registered poor villages whose latest fiber event says connected (not cut since)",
            "registered poor villages in the scope", "as poor_village_broadband",
        ),
        Indicator(
            "school_broadband", "学校宽带接入率（校校通） / schools with broadband",
            "schools open on the date whose connected_on is on or before it",
            "schools (facility type school) open on the date: opened_on empty or ≤ date, closed_on empty or > date",
            "closed schools; schools not yet opened",
        ),
        Indicator(
            "township_express", "乡镇快递覆盖率 / townships with express delivery",
            "townships with an express delivery point open on the date",
            "townships (level 4) in the scope, in the counties that report express delivery points",
            "urban sub-districts (街道: township codes 001–099, 7th digit 0); counties without any express record "
            "(not reported: no data, not 0 %)",
        ),
        Indicator(
            "village_ecommerce", "行政村电商服务站覆盖率 / villages with an e-commerce station",
            "administrative villages with an e-commerce service station open on the date",
            "administrative villages (村委会) in the scope, in the counties with a commerce station",
            "urban residents' committees (居委会: village codes 001–199, 10th digit 0 or 1); counties without any "
            "station (not reported: no data, not 0 %)",
        ),
    )
}


@dataclass
class Value:
    code: str
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return 100.0 * self.numerator / self.denominator if self.denominator else None


def _flag_sql(flag: str, alias: str = "r") -> str:
    if not flag:
        return ""
    if flag not in (*AREA_FLAGS, "is_poor_village"):
        raise ValueError(f"unknown region flag: {flag}")
    return f" AND {alias}.{flag}"


def open_on(alias: str) -> str:
    return f"({alias}.opened_on IS NULL OR {alias}.opened_on <= %s) AND ({alias}.closed_on IS NULL OR {alias}.closed_on > %s)"


@dataclass
class CoverageRow:
    code: str
    counts: tuple[int, int, int, int]  # poor villages, with broadband, with fiber, with 4G

    @property
    def villages(self) -> int:
        return self.counts[0]

    @property
    def connected(self) -> int:
        return self.counts[1]


def coverage(*, prefix: str = "", group_len: int | None = None, on: dt.date | None = None,
             flag: str = "") -> list[CoverageRow]:
    """Registered poor villages and how many have broadband, fiber and 4G, grouped by code prefix: one query
    (over ``VillageStatus`` for today, over the events for a past date)."""
    lo, hi = subtree_bounds(prefix)
    n = group_len or len(prefix)
    group = f"substr(r.code, 1, {n})"  # n = 0 gives '' (PostgreSQL refuses a constant in GROUP BY)
    params: list[Any]
    if on is None:
        source, params = STATUS, []
    else:
        inner, params = status_sql(on, prefix, poor_only=True)
        source = f"({inner})"
    sql = (f"SELECT {group} AS g, COUNT(*), SUM(CASE WHEN s.connected THEN 1 ELSE 0 END), "
           f"SUM(CASE WHEN s.fiber THEN 1 ELSE 0 END), SUM(CASE WHEN s.mobile_4g THEN 1 ELSE 0 END) "
           f"FROM {REGIONS} r LEFT JOIN {source} s ON s.village_id = r.code "
           f"WHERE r.level = 5 AND r.is_poor_village = TRUE AND r.code BETWEEN %s AND %s{_flag_sql(flag)} "
           f"GROUP BY {group}")
    with connection.cursor() as cur:
        big_sorts(cur)
        cur.execute(sql, [*params, lo, hi])
        rows = cur.fetchall()
    return sorted((CoverageRow(g, (int(d), int(c or 0), int(f or 0), int(m or 0))) for g, d, c, f, m in rows),
                  key=lambda r: r.code)


# Indicators whose source is collected county by county (the facility records a county's departments upload, the
# commerce bureau's stations): a county without any record of the kind has not reported, and its townships or villages
# are left out of the denominator — not counted as 0 % (#23). Each entry: the table and the condition of its records.
# ``indicators.compute`` uses the same table for its roll-ups and reporting rates.
REPORTED_BY_COUNTY: dict[str, tuple[str, str]] = {
    "school_broadband": (FACILITIES, "type = 'school'"),
    "clinic_connected": (FACILITIES, "type IN ('township_health', 'village_clinic')"),
    "village_ecommerce": (STATIONS, "1 = 1"),
    "township_express": (FACILITIES, "type = 'express'"),
}


def reporting_sql(indicator: str, alias: str = "r") -> str:
    """A condition: the region ``alias`` lies in a county that reports ``indicator`` ("" for other indicators)."""
    if indicator not in REPORTED_BY_COUNTY:
        return ""
    table, condition = REPORTED_BY_COUNTY[indicator]
    # the subquery's unqualified columns are its own table's (region_id, type)
    return (f" AND substr({alias}.code, 1, 6) IN (SELECT substr(region_id, 1, 6) FROM {table} "
            f"WHERE {condition} AND length(region_id) >= 6)")


def reporting(indicator: str, *, prefix: str = "", flag: str = "") -> tuple[int, int]:
    """(counties reporting ``indicator``, counties) under ``prefix`` (carrying ``flag``); for an indicator every
    county has, both equal."""
    lo, hi = subtree_bounds(prefix)
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*), SUM(CASE WHEN 1 = 1{reporting_sql(indicator)} THEN 1 ELSE 0 END) "
                    f"FROM {REGIONS} r WHERE r.level = 3 AND r.code BETWEEN %s AND %s{_flag_sql(flag)}", [lo, hi])
        counties, reporting_ = cur.fetchone()
    return int(reporting_ or 0), int(counties or 0)


def _region_counts(level: int, condition: str, lo: str, hi: str, n: int, flag_sql: str,
                   indicator: str = "") -> dict[str, int]:
    """Regions of ``level`` meeting ``condition`` under [lo, hi], counted by their first ``n`` digits. The tree
    changes only by ``load_regions`` and ``set_region_flags``: the counts are kept ten minutes in the cache (the
    nationwide count reads 620,000 index entries). Where only reporting counties count (``indicator`` in
    REPORTED_BY_COUNTY), the key also carries the count and last id of the reporting table, so a new record is seen
    at once."""
    from django.core.cache import cache

    version = ""
    if indicator in REPORTED_BY_COUNTY:
        table, where = REPORTED_BY_COUNTY[indicator]
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*), MAX(id) FROM {table} WHERE {where}")
            version = repr(cur.fetchone())
        condition += reporting_sql(indicator)
    key = "conn:regions:" + hashlib.md5(
        f"{level}|{condition}|{lo}|{hi}|{n}|{flag_sql}|{version}".encode()).hexdigest()
    hit = cache.get(key)
    if hit is not None:
        return dict(hit)
    group = f"substr(r.code, 1, {n})"
    with connection.cursor() as cur:
        cur.execute(f"SELECT {group}, COUNT(*) FROM {REGIONS} r WHERE r.level = {level} AND {condition} "
                    f"AND r.code BETWEEN %s AND %s{flag_sql} GROUP BY {group}", [lo, hi])
        counts = {g: int(c) for g, c in cur.fetchall()}
    cache.set(key, counts, 600)
    return counts


def compute(indicator: str, *, prefix: str = "", group_len: int | None = None, on: dt.date | None = None,
            flag: str = "") -> list[Value]:
    """Numerator and denominator of ``indicator`` under ``prefix``, grouped by the first ``group_len`` digits
    of the code (one row for the whole scope when None), on the date ``on`` (today's status when None)."""
    lo, hi = subtree_bounds(prefix)
    n = group_len or max(len(prefix), 0)
    group = f"substr(r.code, 1, {n})"  # n = 0 gives '' (PostgreSQL refuses a constant in GROUP BY)
    day = date_param(on or dt.date.today())
    fl = _flag_sql(flag)
    params: list[Any]
    if indicator in ("poor_village_broadband", "poor_village_fiber"):
        i = 1 if indicator == "poor_village_broadband" else 2
        return [Value(r.code, r.counts[i], r.counts[0]) for r in coverage(prefix=prefix, group_len=n, on=on, flag=flag)]
    if indicator == "school_broadband":
        sql = (f"SELECT {group} AS g, COUNT(*), SUM(CASE WHEN f.connected_on <= %s THEN 1 ELSE 0 END) "
               f"FROM {FACILITIES} f JOIN {REGIONS} r ON r.code = f.region_id "
               f"WHERE f.type = 'school' AND {open_on('f')} AND r.code BETWEEN %s AND %s{fl} GROUP BY {group}")
        params = [day, day, day, lo, hi]
    elif indicator in ("township_express", "village_ecommerce"):
        # E-commerce stations live in the commerce app (its migration 0002 moved the facilities of that type).
        level, source = ((4, f"{FACILITIES} f WHERE f.type = 'express' AND ") if indicator == "township_express"
                         else (5, f"{STATIONS} f WHERE "))
        urban = "substr(r.code, 7, 1) <> '0'" if level == 4 else "substr(r.code, 10, 1) NOT IN ('0', '1')"
        # the regions (a range of the (level, code) index) and, from the far smaller list of open stations, the
        # covered ones — instead of an EXISTS per region, which is a probe for each of 620,000 villages nationwide
        # the denominators (regions by group) change only with the division tree: counted once per process;
        # the numerators from the open stations or delivery points, a far smaller set than the 620,000 villages
        regions = _region_counts(level, urban, lo, hi, n, fl, indicator)  # of the counties that report (#23)
        # CROSS JOIN: SQLite keeps the order written (stations first); PostgreSQL treats it as an inner join
        sql = (f"SELECT {group} AS g, COUNT(*) FROM (SELECT DISTINCT f.region_id FROM {source}{open_on('f')} "
               f"AND f.region_id BETWEEN %s AND %s) c CROSS JOIN {REGIONS} r "
               f"WHERE r.code = c.region_id AND r.level = {level} AND {urban}{fl} GROUP BY {group}")
        with connection.cursor() as cur:
            cur.execute(sql, [day, day, lo, hi])
            covered = dict(cur.fetchall())
        return [Value(g, int(covered.get(g) or 0), den) for g, den in sorted(regions.items())]
    else:
        raise ValueError(f"unknown indicator: {indicator}")
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    return sorted((Value(g, int(num or 0), int(den)) for g, den, num in rows), key=lambda v: v.code)


def total(indicator: str, **kwargs: Any) -> Value:
    """The value over the whole scope. Values of a past date are cached under the latest event id: events are
    only ever appended, so a new event (even a back-dated one) changes the key."""
    if kwargs.get("on") is not None and indicator.startswith("poor_village"):
        from django.core.cache import cache

        from fupin.connectivity.models import ConnectivityEvent

        last = ConnectivityEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        key = f"conn:{indicator}:{kwargs.get('prefix', '')}:{kwargs.get('flag', '')}:{kwargs['on']}:{last}"
        hit = cache.get(key)
        if hit is None:
            values = compute(indicator, **kwargs)
            hit = (sum(v.numerator for v in values), sum(v.denominator for v in values))
            cache.set(key, hit, 24 * 3600)
        return Value("", *hit)
    values = compute(indicator, **kwargs)
    return Value("", sum(v.numerator for v in values), sum(v.denominator for v in values))


def ranked(values: Sequence[Value]) -> list[tuple[int, Value]]:
    """Competition ranking (1, 2, 2, 4) by coverage, then by size; regions without poor villages are left out."""
    rows = sorted((v for v in values if v.denominator),
                  key=lambda v: (-Fraction(v.numerator, v.denominator), -v.denominator, v.code))
    out: list[tuple[int, Value]] = []
    for i, v in enumerate(rows):
        same = out and out[-1][1].numerator * v.denominator == v.numerator * out[-1][1].denominator
        out.append((out[-1][0] if same else i + 1, v))
    return out
