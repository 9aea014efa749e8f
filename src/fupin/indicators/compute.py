"""Indicator values as set-based SQL, the same statements on SQLite and PostgreSQL (branches only for the median,
local dates and NULL-safe comparison).

A refresh of one period runs in four steps, all inside the caller's transaction:

1. *Leaf facts* — numerator and denominator per leaf region (the region a record hangs on: a village for
   households, alerts and doubts; a county, township or village for facilities) into the temporary table
   ``ind_leaf``. The household figures (registry, incidence, income bands) are sums over ``HouseholdFact``, one row
   per registered household and open period, kept by ``household_facts``: all of them in a full refresh, only the
   changed households in an incremental one, after which only the changed villages are re-summed. ``events``
   (monitoring records, doubts, alerts: small tables whose figures also move with the calendar) and
   ``connectivity`` (coverage, computed by ``connectivity.indicators`` and written with ``core.bulk``) are always
   recomputed.
2. *Roll-up* by code prefix, level by level (village → township → county → city → province → nation):
   ``substr(code, 1, n)`` with n = 9, 6, 4, 2, 0, summing numerators and denominators — a ratio is always the sum
   of numerators over the sum of denominators, never an average of ratios. A region's own leaf facts (a county's
   schools) are added at its level. In an incremental refresh a touched region's registry sums are its stored sums
   plus the changed villages' differences (``roll_up_changes``).
3. *Medians* — exact, per region, from every household's value (``percentile_cont`` over ``ROLLUP`` on PostgreSQL,
   window functions on SQLite), never from the children's medians. Kept when no income of the year was added,
   removed, changed or moved; otherwise those of the regions concerned are recomputed (townships, villages) or moved
   from their ``MedianState`` (county and up: ``move_medians``).
4. *Merge* into ``IndicatorValue``: rows that differ are updated (``updated_at`` set), new rows inserted, rows of
   regions that no longer have data deleted; identical rows are left alone, so a refresh touches only the regions
   whose figures changed.

Dates: figures are as of the period's end. Households are counted by their current registry state (status, members,
housing, water) with the period's year deciding identification, exit and the children's school age (at the period's
end); monitoring records, doubts and alerts by their own dates; coverage by the events and facility dates on the
period's end (today's ``VillageStatus`` for the current period).
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from fupin.commerce import indicators as commerce_indicators
from fupin.connectivity import indicators as coverage
from fupin.connectivity.models import Facility
from fupin.core import tree
from fupin.core.bulk import copy_rows
from fupin.core.sql import (
    analyze,
    big_sorts,
    date_param,
    distinct,
    is_postgres,
    local_date,
    set_local,
    years_before,
)
from fupin.core.tree import sql_in_subtree
from fupin.exchange.models import Doubt
from fupin.indicators import definitions
from fupin.indicators.models import ChangedRegion, HouseholdFact, IndicatorValue, MedianState
from fupin.lifecycle import evaluation
from fupin.lifecycle.models import MonitoringRecord, RuralPopulation
from fupin.monitoring.models import Alert
from fupin.projects import indicators as project_indicators
from fupin.quality.models import Finding
from fupin.regions.models import Region
from fupin.registry.models import Household, Income, Member, PovertyLine
from fupin.registry.statuses import POOR_STATUSES, REGISTERED_STATUSES
from fupin.team import indicators as team_indicators
from fupin.welfare import indicators as welfare_indicators

IV = IndicatorValue._meta.db_table
HOUSEHOLDS = Household._meta.db_table
MEMBERS = Member._meta.db_table
INCOMES = Income._meta.db_table
RURAL = RuralPopulation._meta.db_table
RECORDS = MonitoringRecord._meta.db_table
DOUBTS = Doubt._meta.db_table
ALERTS = Alert._meta.db_table
CHANGED = ChangedRegion._meta.db_table
FACTS = HouseholdFact._meta.db_table
STATES = MedianState._meta.db_table
FACILITIES = Facility._meta.db_table

# (child code length, parent code length) from the village up to the nation
STEPS = tuple((n, tree.parent_length(n)) for n in reversed(tree.NODE_LENGTHS))

REGISTRY = ("registered_households", "registered_persons", "poor_households", "poor_persons", "incidence",
            "exited_households", "exited_persons", "exited_total_households", "exited_total_persons",
            "returned_households", "monitoring_objects", "monitoring_persons", "monitoring_unstable",
            "monitoring_marginal", "monitoring_sudden", "assurance_met", "exit_criteria_met")
INCOME = ("income_below_line", "income_near_line", "income_above_line")
# recomputed for the changed villages only; the other groups in full
INCREMENTAL = (*REGISTRY, *INCOME, *team_indicators.HOUSEHOLD_CODES)
MEDIANS = ("income_median",)
# Recomputed in full for every village (their sources mark no village) and only at the village: an incremental
# refresh rolls up and writes only the villages whose figure differs from the stored one (``diffed_villages``).
DIFFED = ("quality_findings", "visits_per_household", "poor_village_team_leader")
EVENTS = ("risk_eliminated", "doubts_open", "doubts_resolved", "alerts_in_time", "quality_findings")
CONNECTIVITY = ("poor_village_broadband", "poor_village_fiber", "poor_village_4g", "school_broadband",
                "clinic_connected", "village_ecommerce", "township_express")
COMMERCE = commerce_indicators.CODES  # rural e-commerce, recomputed in full (commerce.indicators)
TEAM = team_indicators.CODES  # teams, training, remote education and health (team.indicators)
PROJECTS = project_indicators.CODES  # projects, funds and plan tasks (projects.indicators)
WELFARE = welfare_indicators.CODES  # needs, money, pairings of the welfare platform (welfare.indicators)
COMPUTED = (*INCREMENTAL, *MEDIANS, *EVENTS, *CONNECTIVITY, *COMMERCE, *TEAM, *PROJECTS, *WELFARE)
# Ratios that are an amount per unit (yuan per household), not a percentage: their value is num / den.
PER_UNIT = tuple(c for c, i in definitions.INDICATORS.items() if i.denominator is not None and i.scale == 1)
# Indicators whose source is collected county by county (the facility records a county's departments upload, the
# commerce bureau's stations): a county without any record of the kind has not reported, and is "no data" there,
# not 0 %. Roll-ups sum the reporting counties only and say how many of their counties reported (the reporting
# rate, as DHIS2's). Each entry: the table and the condition of its records.
REPORTED_BY_COUNTY: dict[str, tuple[str, str]] = {  # one table with the connectivity pages, plus the team's
    **coverage.REPORTED_BY_COUNTY,
    **team_indicators.REPORTED_BY_COUNTY,
}
REGIONS = Region._meta.db_table

NEAR_FACTOR_NUM, NEAR_FACTOR_DEN = 3, 2  # "near the line": up to 1.5 × the line (as registry.selectors.NEAR_FACTOR)
SCHOOL_AGE = (6, 16)  # a child aged 6–15 on the reference date (as lifecycle.evaluation)


def _in(values: Sequence[str]) -> str:
    """A literal IN list of fixed codes (statuses, indicator codes: constants of this module, never user input)."""
    for v in values:
        if not v.replace("_", "").isalnum():
            raise ValueError(f"not a code: {v!r}")
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _ts(value: dt.datetime) -> Any:
    """A timestamp as a parameter in the form the database stores it (UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)


@dataclass(frozen=True)
class Window:
    """What a period asks of the data."""

    year: int
    starts_on: dt.date
    ends_on: dt.date
    current: bool  # the period contains today: coverage reads today's VillageStatus
    today: dt.date

    @property
    def start_ts(self) -> dt.datetime:
        return dt.datetime.combine(self.starts_on, dt.time(), zoneinfo.ZoneInfo(settings.TIME_ZONE))

    @property
    def end_ts(self) -> dt.datetime:
        """The first instant after the period (local midnight)."""
        return dt.datetime.combine(self.ends_on + dt.timedelta(days=1), dt.time(), zoneinfo.ZoneInfo(settings.TIME_ZONE))

    @property
    def coverage_on(self) -> dt.date | None:
        return None if self.current else self.ends_on


def window(starts_on: dt.date, ends_on: dt.date, today: dt.date | None = None) -> Window:
    today = today or timezone.localdate()
    return Window(year=ends_on.year, starts_on=starts_on, ends_on=ends_on, current=starts_on <= today <= ends_on,
                  today=today)


@dataclass
class Outcome:
    full: bool
    villages: int | None = None  # villages whose registry facts were re-summed (None: all)
    households: int = 0  # household facts recomputed
    touched: list[str] = field(default_factory=list)  # those villages and their ancestors (incremental only)
    written: int = 0  # rows inserted or changed
    deleted: int = 0
    timings: dict[str, float] = field(default_factory=dict)


# --- temporary tables --------------------------------------------------------------------------------------

TEMP_TABLES = {
    "ind_leaf": "indicator VARCHAR(40), code VARCHAR(12), num NUMERIC, den NUMERIC",
    "ind_new": "indicator VARCHAR(40), code VARCHAR(12), level SMALLINT, num NUMERIC, den NUMERIC, expected INTEGER, "
               "reporting INTEGER",
    "ind_rep": "indicator VARCHAR(40), code VARCHAR(12)",
    "ind_rate": "indicator VARCHAR(40), code VARCHAR(12), expected INTEGER, reporting INTEGER",
    "ind_dirty": "code VARCHAR(12) PRIMARY KEY",
    "ind_cv": "code VARCHAR(12) PRIMARY KEY",
    "ind_hh": "id BIGINT PRIMARY KEY",
    "ind_oldcents": "household_id BIGINT, code VARCHAR(12), cents BIGINT",
    "ind_touch": "code VARCHAR(12) PRIMARY KEY",
    "ind_touch2": "code VARCHAR(12) PRIMARY KEY",
    "ind_gone": "indicator VARCHAR(40), code VARCHAR(12), PRIMARY KEY (indicator, code)",
    "ind_delta": "indicator VARCHAR(40), code VARCHAR(12), num NUMERIC, den NUMERIC, rows_ INTEGER",
    "ind_med": "code VARCHAR(12), median NUMERIC, n BIGINT, lower BIGINT",
    "ind_mcount": "code VARCHAR(12), below BIGINT, at_most BIGINT",
    "ind_mtown": "code VARCHAR(12) PRIMARY KEY",
    "ind_mtouch": "code VARCHAR(12)",
}


def _create_temp(cur: Any) -> None:
    for name, cols in TEMP_TABLES.items():
        cur.execute(f"DROP TABLE IF EXISTS {name}")
        cur.execute(f"CREATE TEMP TABLE {name} ({cols})")
    cur.execute("CREATE INDEX ind_new_key ON ind_new (indicator, code)")
    cur.execute("CREATE INDEX ind_new_level ON ind_new (level)")


def _drop_temp(cur: Any) -> None:
    for name in TEMP_TABLES:
        cur.execute(f"DROP TABLE IF EXISTS {name}")


# --- change detection --------------------------------------------------------------------------------------


def find_dirty(cur: Any, period_id: str, since: dt.datetime) -> int:
    """Fill ``ind_hh`` with the households to recompute and ``ind_dirty`` with the villages to re-sum, from the
    changes after ``since``: households created or saved (``updated_at``: every service, the importer and the
    generators set it, on creation too;
    lifecycle decisions too) and the regions of ``ChangedRegion`` (members, incomes, deleted or moved households,
    rural population, poverty lines; a shorter code stands for all its villages), whose households are all
    recomputed. A household's old village (from its fact) is re-summed too. Returns the number of villages."""
    t = _ts(since)
    cur.execute(f"INSERT INTO ind_cv (code) SELECT code FROM {CHANGED} WHERE changed_at > %s AND length(code) = 12",
                [t])
    cur.execute(
        f"INSERT INTO ind_cv (code) SELECT r.code FROM regions_region r JOIN {CHANGED} c "
        f"ON {sql_in_subtree('r.code', 'c.code')} "
        f"WHERE c.changed_at > %s AND length(c.code) < 12 AND r.level = 5 AND r.code NOT IN (SELECT code FROM ind_cv)",
        [t],
    )
    cur.execute(  # updated_at is set on creation too (index household_updated_at)
        f"INSERT INTO ind_hh (id) SELECT id FROM {HOUSEHOLDS} WHERE updated_at > %s "
        f"UNION SELECT id FROM {HOUSEHOLDS} WHERE village_id IN (SELECT code FROM ind_cv)",
        [t],
    )
    cur.execute(
        f"INSERT INTO ind_dirty (code) SELECT code FROM ind_cv "
        f"UNION SELECT village_code FROM {FACTS} WHERE period_id = %s AND household_id IN (SELECT id FROM ind_hh) "
        f"UNION SELECT village_id FROM {HOUSEHOLDS} WHERE id IN (SELECT id FROM ind_hh)",
        [period_id],
    )
    cur.execute("SELECT COUNT(*) FROM ind_dirty")
    n = int(cur.fetchone()[0])
    touched(cur, "ind_touch", "SELECT code FROM ind_dirty")
    analyze(cur, "ind_cv", "ind_hh", "ind_dirty", "ind_touch")
    return n


def touched(cur: Any, table: str, villages: str) -> None:
    """Fill ``table`` with the villages of the query ``villages`` and all their ancestors."""
    cur.execute(f"INSERT INTO {table} (code) SELECT DISTINCT code FROM ({villages}) v")
    for n_len in (*reversed(tree.NODE_LENGTHS[:-1]), 0):  # the levels above the village
        cur.execute(f"INSERT INTO {table} (code) SELECT DISTINCT substr(code, 1, {n_len}) FROM {table} "
                    f"WHERE length(code) = 12 AND substr(code, 1, {n_len}) NOT IN (SELECT code FROM {table})")


# --- household facts and leaf facts ------------------------------------------------------------------------


def _cents_sql() -> str:
    """Per-capita net income in cents, rounded half away from zero exactly as registry.services.refresh_latest_income
    does (integer arithmetic, so SQLite's floats and PostgreSQL's numerics give the same cent)."""
    net = "CAST(ROUND(i.net_total * 100) AS BIGINT)"
    size = "i.household_size"
    return (f"CASE WHEN i.net_total < 0 THEN 0 - (-2 * {net} + {size}) / (2 * {size}) "
            f"ELSE (2 * {net} + {size}) / (2 * {size}) END")


# 建档立卡: a household registered as poor at some time — poor, newly poor or returned now, exited, or monitored after
# its exit (脱贫不稳定户). A monitored household that never exited was never registered (边缘易致贫户, or a 突发严重困难户
# that was not poor): it is a monitoring object only, in no registered population.
_REGISTERED_SQL = ("CASE WHEN h.status <> 'monitored' OR h.exit_year IS NOT NULL THEN 1 ELSE 0 END")


def _line_cents_sql(year: int) -> str:
    """The household's poverty line of ``year`` in cents, as lifecycle.evaluation: the provincial line when it was
    identified by the provincial standard (02) and its province has one, else the national line (NULL: none)."""
    rows = list(PovertyLine.objects.filter(year=year, standard__in=["national", "provincial"])
                .values_list("standard", "province", "amount"))
    national = next((int(a * 100) for st, _p, a in rows if st == "national"), None)
    if national is None:
        return "CAST(NULL AS BIGINT)"
    provincial = "".join(f"WHEN h.standard = '{evaluation.PROVINCIAL_STANDARD}' AND substr(h.village_id, 1, 2) = "
                         f"'{int(p):02d}' THEN {int(a * 100)} "
                         for st, p, a in rows if st == "provincial" and p.isdigit())
    return f"(CASE {provincial}ELSE {national} END)" if provincial else str(national)


def household_facts(cur: Any, period_id: str, win: Window, *, incremental: bool) -> int:
    """(Re)compute ``HouseholdFact`` of the period: all registered households, or those of ``ind_hh``."""
    y = win.year
    young = date_param(years_before(win.ends_on, SCHOOL_AGE[0]))
    old = date_param(years_before(win.ends_on, SCHOOL_AGE[1]))
    if incremental:
        # Two statements rather than one with OR: each uses its index (household, village) instead of a scan.
        gone = ("period_id = %s AND household_id IN (SELECT id FROM ind_hh)",
                "period_id = %s AND village_code IN (SELECT code FROM ind_cv)")  # households deleted since
        for where in gone:
            cur.execute(f"INSERT INTO ind_oldcents (household_id, code, cents) SELECT household_id, village_code, "
                        f"cents FROM {FACTS} WHERE cents IS NOT NULL AND registered = 1 AND {where}", [period_id])
            cur.execute(f"DELETE FROM {FACTS} WHERE {where}", [period_id])
    else:
        cur.execute(f"DELETE FROM {FACTS} WHERE period_id = %s", [period_id])
    only_h = " AND h.id IN (SELECT id FROM ind_hh)" if incremental else ""
    only = " AND {col} IN (SELECT id FROM ind_hh)" if incremental else ""
    line = national_line(y)
    line_cents = _line_cents_sql(y)
    registered = _REGISTERED_SQL
    # Not collected (NULL, issue 14 item 6) is not met: water_safe or water_difficult NULL, or a member's medical
    # insurance NULL (fail_med's ELSE), makes the CASE fall to 0. A guarantee counts only when it is known to hold.
    assured = ("(CASE WHEN COALESCE(m.fail_edu, 0) = 0 AND COALESCE(m.fail_med, 0) = 0 AND h.housing_safety IN "
               "('A', 'B') AND h.water_safe AND NOT h.water_difficult THEN 1 ELSE 0 END)")
    if line is None:
        band = "CAST(NULL AS SMALLINT)"
    else:
        lc = int(line * 100)
        band = (f"CASE WHEN inc.cents IS NULL THEN NULL WHEN inc.cents < {lc} THEN 0 "
                f"WHEN {NEAR_FACTOR_DEN} * inc.cents <= {NEAR_FACTOR_NUM} * {lc} THEN 1 ELSE 2 END")
    cur.execute(
        f"""
INSERT INTO {FACTS} (period_id, household_id, village_code, persons, registered, poor, exited, exited_before, returned,
                     monitored, assured, all_met, cents, band)
SELECT %s, h.id, h.village_id, COALESCE(m.persons, 0), {registered},
  CASE WHEN h.status IN {_in(POOR_STATUSES)} OR (h.exit_year IS NOT NULL AND h.exit_year > %s) THEN 1 ELSE 0 END,
  CASE WHEN h.exit_year = %s THEN 1 ELSE 0 END,
  CASE WHEN h.status NOT IN {_in(POOR_STATUSES)} AND h.exit_year <= %s THEN 1 ELSE 0 END,
  CASE WHEN h.status = 'returned' THEN 1 ELSE 0 END,
  CASE WHEN h.status <> 'monitored' THEN NULL
       ELSE COALESCE((SELECT MAX(r.category) FROM {RECORDS} r WHERE r.household_id = h.id AND r.ended_on IS NULL),
                     CASE WHEN h.exit_year IS NULL THEN '02' ELSE '01' END) END,
  {assured},
  CASE WHEN {assured} = 1 AND inc.net_cents > {line_cents} * inc.size THEN 1 ELSE 0 END,
  inc.cents, {band}
FROM {HOUSEHOLDS} h
LEFT JOIN (
  SELECT m.household_id, COUNT(*) AS persons,
    MAX(CASE WHEN m.schooling = '01' AND m.birth_date > %s AND m.birth_date <= %s THEN 1 ELSE 0 END) AS fail_edu,
    MAX(CASE WHEN m.has_medical_insurance THEN 0 ELSE 1 END) AS fail_med
  FROM {MEMBERS} m WHERE m.is_active{only.format(col="m.household_id")} GROUP BY m.household_id
) m ON m.household_id = h.id
LEFT JOIN (
  SELECT i.household_id, {_cents_sql()} AS cents, CAST(ROUND(i.net_total * 100) AS BIGINT) AS net_cents,
    i.household_size AS size
  FROM {INCOMES} i WHERE i.year = %s{only.format(col="i.household_id")}
) inc ON inc.household_id = h.id
WHERE h.status IN {_in(REGISTERED_STATUSES)} AND h.identified_year <= %s{only_h}""",
        [period_id, y, y, y, old, young, y, y],
    )
    return max(int(cur.rowcount), 0)


# the changed households' values of the medians before and after this refresh (both with household, village)
_OLD_CENTS = "SELECT household_id, code, cents FROM ind_oldcents"


def _new_cents() -> str:
    return (f"SELECT household_id, village_code AS code, cents FROM {FACTS} WHERE period_id = %s AND cents IS NOT NULL "
            f"AND registered = 1 AND household_id IN (SELECT id FROM ind_hh)")


def incomes_changed(cur: Any, period_id: str) -> bool:
    """After an incremental ``household_facts``: did any household's income of the year (or its village) change?
    If not, every median stands."""
    new, old = _new_cents(), _OLD_CENTS
    for a, b in ((new, old), (old, new)):
        cur.execute(f"SELECT 1 FROM ({a} EXCEPT {b}) d LIMIT 1", [period_id])
        if cur.fetchone():
            return True
    return False


def household_leaves(cur: Any, period_id: str, win: Window, *, dirty: bool) -> None:
    """Per village, summed from the household facts: registered, poor, exited, returned and monitored households
    and persons, 两不愁三保障, income bands, and the incidence over the village's rural population."""
    only = " AND village_code IN (SELECT code FROM ind_dirty)" if dirty else ""
    only_rp = " AND r.region_id IN (SELECT code FROM ind_dirty)" if dirty else ""
    null = "CAST(NULL AS NUMERIC)"
    has_line = national_line(win.year) is not None
    sql = f"""
INSERT INTO ind_leaf (indicator, code, num, den)
WITH v AS (
  SELECT village_code AS code, SUM(registered) AS n, SUM(registered * persons) AS persons,
    SUM(registered * poor) AS poor_h, SUM(registered * poor * persons) AS poor_p,
    SUM(registered * exited) AS exited_h, SUM(registered * exited * persons) AS exited_p,
    SUM(registered * exited_before) AS exited_total_h, SUM(registered * exited_before * persons) AS exited_total_p,
    SUM(registered * returned) AS returned_h,
    SUM(CASE WHEN monitored IS NULL THEN 0 ELSE 1 END) AS monitored_h,
    SUM(CASE WHEN monitored IS NULL THEN 0 ELSE persons END) AS monitored_p,
    SUM(CASE WHEN monitored = '01' THEN 1 ELSE 0 END) AS monitored_01,
    SUM(CASE WHEN monitored = '02' THEN 1 ELSE 0 END) AS monitored_02,
    SUM(CASE WHEN monitored = '03' THEN 1 ELSE 0 END) AS monitored_03,
    SUM(registered * assured) AS assured_h, SUM(registered * all_met) AS all_met_h,
    SUM(CASE WHEN band IS NULL THEN 0 ELSE registered END) AS inc_n,
    SUM(CASE WHEN band = 0 THEN registered ELSE 0 END) AS below,
    SUM(CASE WHEN band = 1 THEN registered ELSE 0 END) AS near, SUM(CASE WHEN band = 2 THEN registered ELSE 0 END) AS above
  FROM {FACTS} WHERE period_id = %s{only} GROUP BY village_code
), rp AS (
  SELECT r.region_id AS code, r.persons FROM {RURAL} r
  WHERE r.year = (SELECT MAX(r2.year) FROM {RURAL} r2 WHERE r2.region_id = r.region_id AND r2.year <= %s){only_rp}
)
SELECT 'registered_households', code, n, {null} FROM v
UNION ALL SELECT 'registered_persons', code, persons, {null} FROM v
UNION ALL SELECT 'poor_households', code, poor_h, {null} FROM v
UNION ALL SELECT 'poor_persons', code, poor_p, {null} FROM v
UNION ALL SELECT 'exited_households', code, exited_h, {null} FROM v
UNION ALL SELECT 'exited_persons', code, exited_p, {null} FROM v
UNION ALL SELECT 'exited_total_households', code, exited_total_h, {null} FROM v
UNION ALL SELECT 'exited_total_persons', code, exited_total_p, {null} FROM v
UNION ALL SELECT 'returned_households', code, returned_h, {null} FROM v
UNION ALL SELECT 'monitoring_objects', code, monitored_h, {null} FROM v
UNION ALL SELECT 'monitoring_persons', code, monitored_p, {null} FROM v
UNION ALL SELECT 'monitoring_unstable', code, monitored_01, {null} FROM v
UNION ALL SELECT 'monitoring_marginal', code, monitored_02, {null} FROM v
UNION ALL SELECT 'monitoring_sudden', code, monitored_03, {null} FROM v
UNION ALL SELECT 'assurance_met', code, assured_h, n FROM v WHERE n > 0
UNION ALL SELECT 'exit_criteria_met', code, all_met_h, n FROM v WHERE n > 0{"" if has_line else " AND false"}
UNION ALL SELECT 'income_below_line', code, below, inc_n FROM v WHERE inc_n > 0
UNION ALL SELECT 'income_near_line', code, near, inc_n FROM v WHERE inc_n > 0
UNION ALL SELECT 'income_above_line', code, above, inc_n FROM v WHERE inc_n > 0
UNION ALL SELECT 'incidence', rp.code, COALESCE(v.poor_p, 0), rp.persons FROM rp LEFT JOIN v ON v.code = rp.code
"""
    cur.execute(sql, [period_id, win.year])
    team_indicators.household_leaves(cur, villages="SELECT code FROM ind_dirty" if dirty else "")


def national_line(year: int) -> Any:
    return (PovertyLine.objects.filter(year=year, standard=PovertyLine.Standard.NATIONAL)
            .values_list("amount", flat=True).first())


BIG_LENGTHS = (0, 2, 4, 6)  # the nation, provinces, cities, counties: medians moved by MedianState
SMALL_LENGTHS = (9, 12)  # townships and villages: medians recomputed from their values
COUNTY_LENGTH = 6


def _median_values(*, towns: bool = False) -> str:
    """The values of the medians: every registered household's cents, or those of the townships of ``ind_mtown``
    (on PostgreSQL one index range per township — a plain join was planned as a scan of every value)."""
    values = "f.period_id = %s AND f.cents IS NOT NULL AND f.registered = 1"
    if not towns:
        return f"SELECT f.village_code AS code, f.cents FROM {FACTS} f WHERE {values}"
    in_town = "f.village_code >= t.code AND f.village_code <= t.code || '999'"
    if is_postgres():
        return (f"SELECT f.village_code AS code, f.cents FROM ind_mtown t CROSS JOIN LATERAL (SELECT f.village_code, "
                f"f.cents FROM {FACTS} f WHERE {in_town} AND {values} OFFSET 0) f")
    return f"SELECT f.village_code AS code, f.cents FROM ind_mtown t JOIN {FACTS} f ON {in_town} WHERE {values}"


def income_medians(cur: Any, period_id: str, *, towns: bool = False) -> None:
    """The exact median of per-capita net income of every region with incomes, from the household facts, into
    ``ind_new``; with it the ``MedianState`` of every region from the county up. ``towns``: only the townships of
    ``ind_mtown`` and their villages (an incremental refresh; no state)."""
    lengths = SMALL_LENGTHS if towns else tuple(tree.LENGTHS.values())
    base = _median_values(towns=towns)
    if is_postgres():
        # Grouping by the code as a number sorts four times faster than by text (codes have no leading zero).
        keys = ", ".join(f"v / {10 ** (12 - n)} AS k{n}" for n in tree.NODE_LENGTHS[:-1]) + ", v AS k12"
        code = ", ".join(f"CAST(k{n} AS text)" for n in sorted(lengths, reverse=True) if n)
        groups = "GROUPING SETS ((k9), (k9, k12))" if towns else "ROLLUP (k2, k4, k6, k9, k12)"
        sql = f"""
INSERT INTO ind_med (code, median, n, lower)
SELECT COALESCE({code}, ''), ROUND(CAST(percentile_cont(0.5) WITHIN GROUP (ORDER BY cents) AS numeric) / 100, 4),
       COUNT(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY cents)
FROM (SELECT {keys}, cents FROM (SELECT CAST(code AS BIGINT) AS v, cents FROM ({base}) b) c) t
GROUP BY {groups} HAVING COUNT(*) > 0"""
    else:
        groups = " UNION ALL ".join(f"SELECT substr(code, 1, {n}) AS g, cents FROM b" for n in lengths)
        sql = f"""
INSERT INTO ind_med (code, median, n, lower)
WITH b AS ({base}), g AS ({groups}),
r AS (SELECT g, cents, ROW_NUMBER() OVER (PARTITION BY g ORDER BY cents) AS rn,
             COUNT(*) OVER (PARTITION BY g) AS cnt FROM g)
SELECT g, ROUND(AVG(cents) / 100.0, 4), MAX(cnt), MIN(cents) FROM r
WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2) GROUP BY g"""
    cur.execute(sql, [period_id])
    level = "CASE length(code) " + " ".join(f"WHEN {n} THEN {lv}" for n, lv in tree.LEVELS.items()) + " END"
    cur.execute(f"INSERT INTO ind_new (indicator, code, level, num, den) SELECT 'income_median', code, {level}, median, "
                f"NULL FROM ind_med")
    if not towns:
        median_states(cur, period_id)


def median_states(cur: Any, period_id: str) -> None:
    """``MedianState`` of the regions from the county up, from ``ind_med`` (count and lower middle value) and one
    pass over the values (how many lie below and at or below it)."""
    cur.execute(f"DELETE FROM {STATES} WHERE period_id = %s", [period_id])
    big = " OR ".join(f"length(code) = {n}" for n in BIG_LENGTHS)
    cur.execute(f"INSERT INTO {STATES} (period_id, region_code, count, lower, below, at_most) "
                f"SELECT %s, code, n, lower, 0, 0 FROM ind_med WHERE {big}", [period_id])
    analyze(cur, STATES)  # a few thousand rows, hashed: without statistics the planner looped over them per value
    lengths = " UNION ALL ".join(f"SELECT {n} AS n" for n in BIG_LENGTHS)
    cur.execute(
        f"INSERT INTO ind_mcount (code, below, at_most) SELECT s.region_code, "
        f"SUM(CASE WHEN f.cents < s.lower THEN 1 ELSE 0 END), SUM(CASE WHEN f.cents <= s.lower THEN 1 ELSE 0 END) "
        f"FROM ({_median_values()}) f CROSS JOIN ({lengths}) l "
        f"JOIN {STATES} s ON s.period_id = %s AND s.region_code = substr(f.code, 1, l.n) GROUP BY s.region_code",
        [period_id, period_id],
    )
    cur.execute(f"UPDATE {STATES} SET below = (SELECT c.below FROM ind_mcount c WHERE c.code = {STATES}.region_code), "
                f"at_most = (SELECT c.at_most FROM ind_mcount c WHERE c.code = {STATES}.region_code) "
                f"WHERE period_id = %s", [period_id])


@dataclass
class _State:
    count: int
    lower: int
    below: int
    at_most: int


def move_medians(cur: Any, period_id: str) -> bool:
    """Incremental refresh after incomes of the year changed: the medians of the regions whose values changed, exact.
    Townships and villages are recomputed from their values; a region from the county up is moved from its
    ``MedianState``: its counts are corrected by the changed values, and the one or two values now in the middle are
    read next to the old lower middle value from the index of values in order (a few rows: a county's values are one
    in a thousand of the index, so about a thousand entries per value). Writes ``ind_new``, ``ind_mtouch`` (the
    regions whose median rows were recomputed) and the states. False when a region has no state yet (a period
    computed before states existed): then the caller recomputes every median."""
    cur.execute(
        f"SELECT household_id, code, cents, 1 FROM ({_new_cents()} EXCEPT {_OLD_CENTS}) a UNION ALL "
        f"SELECT household_id, code, cents, -1 FROM ({_OLD_CENTS} EXCEPT {_new_cents()}) r",
        [period_id, period_id],
    )
    changes = [(code, int(cents), int(sign)) for _h, code, cents, sign in cur.fetchall()]
    big = sorted({code[:n] for code, _c, _s in changes for n in BIG_LENGTHS})
    states: dict[str, _State] = {}
    for i in range(0, len(big), 500):
        chunk = big[i:i + 500]
        cur.execute(f"SELECT region_code, count, lower, below, at_most FROM {STATES} WHERE period_id = %s "
                    f"AND region_code IN ({', '.join(['%s'] * len(chunk))})", [period_id, *chunk])
        states.update({r[0]: _State(*(int(x) for x in r[1:])) for r in cur.fetchall()})
    if set(big) - set(states):
        return False
    towns = sorted({code[:9] for code, _c, _s in changes})
    copy_rows("ind_mtown", ("code",), [(t,) for t in towns])
    copy_rows("ind_mtouch", ("code",), [(c,) for c in [*big, *towns]])
    analyze(cur, "ind_mtown")
    cur.execute(f"INSERT INTO ind_mtouch (code) SELECT r.code FROM {REGIONS} r JOIN ind_mtown t "
                f"ON r.code > t.code AND r.code <= t.code || '999' WHERE r.level = {tree.VILLAGE}")
    analyze(cur, "ind_mtouch")
    income_medians(cur, period_id, towns=True)
    mine_of: dict[str, list[tuple[int, int]]] = {}
    for village, cents, sign in changes:
        for n in BIG_LENGTHS:
            mine_of.setdefault(village[:n], []).append((cents, sign))
    rows, keep, gone = [], [], []
    for code in big:
        st = states[code]
        mine = mine_of[code]
        n = st.count + sum(s for _c, s in mine)
        below = st.below + sum(s for c, s in mine if c < st.lower)
        at_most = st.at_most + sum(s for c, s in mine if c <= st.lower)
        if n == 0:
            gone.append(code)
            continue
        def fetch(up: bool, limit: int, code: str = code, pivot: int = st.lower) -> list[int]:
            return _next_values(cur, period_id, code, pivot, up=up, limit=limit)

        new = move(fetch, st.lower, n, below, at_most)
        rows.append((code, new.median))
        keep.append((code, new.state))
    copy_rows("ind_new", ("indicator", "code", "level", "num"),
              [("income_median", c, tree.LEVELS[len(c)], m) for c, m in rows])
    for code in gone:
        cur.execute(f"DELETE FROM {STATES} WHERE period_id = %s AND region_code = %s", [period_id, code])
    for code, st in keep:
        cur.execute(f"UPDATE {STATES} SET count = %s, lower = %s, below = %s, at_most = %s "
                    f"WHERE period_id = %s AND region_code = %s",
                    [st.count, st.lower, st.below, st.at_most, period_id, code])
    return True


@dataclass
class _Moved:
    median: Any
    state: _State


def _next_values(cur: Any, period_id: str, code: str, pivot: int, *, up: bool, limit: int) -> list[int]:
    """The region's values just above (``up``) or below ``pivot``, nearest first, at most ``limit``."""
    if len(code) == COUNTY_LENGTH:  # the county's own range of the index household_fact_county_cents
        # the expression exactly as the index's (Django's Substr: SUBSTRING on PostgreSQL, SUBSTR on SQLite)
        where, params = f"{'SUBSTRING' if is_postgres() else 'SUBSTR'}(village_code, 1, 6) = %s", [code]
    else:
        lo, hi = tree.subtree_bounds(code)
        where, params = "village_code >= %s AND village_code <= %s", [lo, hi]
    cur.execute(
        f"SELECT cents FROM {FACTS} WHERE period_id = %s AND registered = 1 AND cents IS NOT NULL "
        f"AND cents {'>' if up else '<'} %s AND {where} ORDER BY cents {'' if up else 'DESC'} LIMIT %s",
        [period_id, pivot, *params, limit],
    )
    return [int(r[0]) for r in cur.fetchall()]


def move(fetch: Callable[[bool, int], list[int]], pivot: int, n: int, below: int, at_most: int) -> _Moved:
    """The new median and state of a region with ``n`` values, ``below`` of them < ``pivot`` and ``at_most`` <= it.
    The values at the middle ranks are the pivot itself, or read upwards or downwards from it (``fetch(up, limit)``:
    the region's values above or below the pivot, nearest first); the values equal to the new lower middle are read
    to their end, so that its counts are exact."""
    ranks = ((n - 1) // 2, n // 2)
    need_up = max((r - at_most for r in ranks if r >= at_most), default=-1)
    need_down = max((below - 1 - r for r in ranks if r < below), default=-1)
    limit_up, limit_down = need_up + 2, need_down + 2
    while True:
        ups = fetch(True, limit_up) if need_up >= 0 else []
        downs = fetch(False, limit_down) if need_down >= 0 else []

        def at(rank: int, ups: list[int] = ups, downs: list[int] = downs) -> int:
            if below <= rank < at_most:
                return pivot
            return ups[rank - at_most] if rank >= at_most else downs[below - 1 - rank]

        lower = at(ranks[0])
        if lower == pivot:
            state = _State(n, pivot, below, at_most)
        elif lower > pivot:
            first, last = ups.index(lower), len(ups) - 1 - ups[::-1].index(lower)
            if last == len(ups) - 1 and len(ups) == limit_up:  # more equal values may follow: read further
                limit_up *= 4
                continue
            state = _State(n, lower, at_most + first, at_most + last + 1)
        else:
            first, last = downs.index(lower), len(downs) - 1 - downs[::-1].index(lower)
            if last == len(downs) - 1 and len(downs) == limit_down:
                limit_down *= 4
                continue
            state = _State(n, lower, below - 1 - last, below - first)
        median = (Decimal(lower + at(ranks[1])) / 200).quantize(Decimal("0.0001"))
        return _Moved(median, state)


def event_leaves(cur: Any, win: Window) -> None:
    """Per village: monitoring risks eliminated in the period, doubts open at its end and resolved within it, alerts
    due in it and handled in time."""
    start, end = _ts(win.start_ts), _ts(win.end_ts)
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'risk_eliminated', h.village_id, COUNT(*), NULL "
        f"FROM {RECORDS} r JOIN {HOUSEHOLDS} h ON h.id = r.household_id "
        f"WHERE r.ended_on >= %s AND r.ended_on <= %s GROUP BY h.village_id",
        [date_param(win.starts_on), date_param(win.ends_on)],
    )
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'doubts_open', region_code, COUNT(*), NULL "
        f"FROM {DOUBTS} WHERE created_at < %s AND (state = 'open' OR resolved_at IS NULL OR resolved_at >= %s) "
        f"GROUP BY region_code",
        [end, end],
    )
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'doubts_resolved', region_code, COUNT(*), NULL "
        f"FROM {DOUBTS} WHERE state <> 'open' AND resolved_at >= %s AND resolved_at < %s GROUP BY region_code",
        [start, end],
    )
    handled = "COALESCE(visited_at, resolved_at)"
    handled_day, day_params = local_date(handled)
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'alerts_in_time', region_code, "
        f"SUM(CASE WHEN {handled} IS NOT NULL AND {handled_day} <= deadline THEN 1 ELSE 0 END), COUNT(*) "
        f"FROM {ALERTS} WHERE deadline >= %s AND deadline <= %s AND (deadline < %s OR {handled} IS NOT NULL) "
        f"GROUP BY region_code",
        [*day_params, date_param(win.starts_on), date_param(win.ends_on), date_param(win.today)],
    )


def village_figure(indicator: str, period_id: str, *, incremental: bool) -> tuple[str, list[Any]]:
    """A query of (code, n): the numerator of an ``INCREMENTAL`` indicator for every village with one — this refresh's
    from ``ind_leaf``, in an incremental refresh the stored one for the villages not re-summed — and its parameters.
    Other figures over the same households take their denominator from it instead of reading every household."""
    sql = f"SELECT code, num AS n FROM ind_leaf WHERE indicator = '{indicator}' AND length(code) = 12"
    if not incremental:
        return sql, []
    return (sql + f" UNION ALL SELECT region_code, numerator FROM {IV} WHERE period_id = %s AND indicator = "
                  f"'{indicator}' AND level = {tree.VILLAGE} AND region_code NOT IN (SELECT code FROM ind_dirty)",
            [period_id])


def quality_leaves(cur: Any, period_id: str, win: Window, *, incremental: bool) -> None:
    """Per village with registered persons: open data-quality findings first seen by the period's end, over the
    persons of its registered households — the village's ``registered_persons`` (from ``ind_leaf``; in an incremental
    refresh the villages not re-summed keep their stored figure)."""
    persons, params = village_figure("registered_persons", period_id, incremental=incremental)
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'quality_findings', p.code, "
        f"COALESCE(q.n, 0), p.n FROM ({persons}) p LEFT JOIN (SELECT region_code, COUNT(*) AS n FROM "
        f"{Finding._meta.db_table} WHERE state = 'open' AND first_seen < %s GROUP BY region_code) q "
        f"ON q.region_code = p.code",
        [*params, _ts(win.end_ts)],
    )


def connectivity_leaves(cur: Any, win: Window) -> None:
    """Coverage per leaf region by the SQL of ``connectivity.indicators`` (grouped by the full code), written
    with ``core.bulk.copy_rows`` (COPY on PostgreSQL); clinics by the same rule as its schools."""
    on = win.coverage_on
    rows: list[tuple[str, str, int, int]] = []
    for r in coverage.coverage(group_len=12, on=on):
        villages, connected, fiber, mobile = r.counts
        rows += [("poor_village_broadband", r.code, connected, villages), ("poor_village_fiber", r.code, fiber, villages),
                 ("poor_village_4g", r.code, mobile, villages)]
    for code in ("school_broadband", "village_ecommerce", "township_express"):
        rows += [(code, v.code, v.numerator, v.denominator) for v in coverage.compute(code, group_len=12, on=on)]
    copy_rows("ind_leaf", ("indicator", "code", "num", "den"), rows)
    day = date_param(on or timezone.localdate())
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'clinic_connected', f.region_id, "
        f"SUM(CASE WHEN f.connected_on <= %s THEN 1 ELSE 0 END), COUNT(*) FROM {FACILITIES} f "
        f"WHERE f.type IN ('township_health', 'village_clinic') AND {coverage.open_on('f')} GROUP BY f.region_id",
        [day, day, day],
    )


def reporting_counties(cur: Any) -> None:
    """``ind_rep``: the counties that report each indicator of ``REPORTED_BY_COUNTY``; the leaf facts of the other
    counties are dropped, so that no roll-up divides by areas that collect nothing."""
    for indicator, (table, condition) in REPORTED_BY_COUNTY.items():
        cur.execute(f"INSERT INTO ind_rep (indicator, code) SELECT DISTINCT %s, substr(region_id, 1, 6) "
                    f"FROM {table} WHERE {condition} AND length(region_id) >= 6", [indicator])
    cur.execute(f"DELETE FROM ind_leaf WHERE indicator IN {_in(tuple(REPORTED_BY_COUNTY))} AND "
                f"indicator || ':' || substr(code, 1, 6) NOT IN (SELECT indicator || ':' || code FROM ind_rep)")


def reporting_rates(cur: Any) -> None:
    """For each region from the county up, the counties expected (in the region tree) and reporting, per indicator of
    ``REPORTED_BY_COUNTY``; a region none of whose counties reports gets a "no data" row (value NULL)."""
    indicators = " UNION ALL ".join(f"SELECT '{c}' AS indicator" for c in REPORTED_BY_COUNTY)
    for n in (0, 2, 4, 6):
        cur.execute(
            f"INSERT INTO ind_rate (indicator, code, expected, reporting) "
            f"SELECT i.indicator, substr(r.code, 1, {n}), COUNT(*), SUM(CASE WHEN p.code IS NULL THEN 0 ELSE 1 END) "
            f"FROM {REGIONS} r CROSS JOIN ({indicators}) i "
            f"LEFT JOIN ind_rep p ON p.indicator = i.indicator AND p.code = r.code "
            f"WHERE r.level = 3 GROUP BY i.indicator, substr(r.code, 1, {n})")
    match = "r.indicator = ind_new.indicator AND r.code = ind_new.code"
    cur.execute(f"UPDATE ind_new SET expected = (SELECT r.expected FROM ind_rate r WHERE {match}), "
                f"reporting = (SELECT r.reporting FROM ind_rate r WHERE {match}) "
                f"WHERE indicator IN {_in(tuple(REPORTED_BY_COUNTY))} AND length(code) <= 6")
    level = "CASE length(r.code) " + " ".join(f"WHEN {n} THEN {lv}" for n, lv in tree.LEVELS.items()) + " END"
    cur.execute(f"INSERT INTO ind_new (indicator, code, level, num, den, expected, reporting) "
                f"SELECT r.indicator, r.code, {level}, 0, NULL, r.expected, 0 FROM ind_rate r WHERE r.reporting = 0 "
                f"AND NOT EXISTS (SELECT 1 FROM ind_new n WHERE n.indicator = r.indicator AND n.code = r.code)")


# --- roll-up and merge -------------------------------------------------------------------------------------


def roll_up(cur: Any, period_id: str, *, incremental: bool) -> None:
    """``ind_new`` from ``ind_leaf``: villages, then each level from the one below plus its own leaf facts. In an
    incremental refresh the registry indicators and ``DIFFED`` above the village come from ``roll_up_changes``."""
    # incremental: the villages of DIFFED go in only where their figure changed (diffed_villages)
    diffed = f" AND indicator NOT IN {_in(DIFFED)}" if incremental else ""
    cur.execute(f"INSERT INTO ind_new (indicator, code, level, num, den) SELECT indicator, code, 5, SUM(num), SUM(den) "
                f"FROM ind_leaf WHERE length(code) = 12{diffed} GROUP BY indicator, code")
    skip = f" AND indicator NOT IN {_in((*INCREMENTAL, *DIFFED))}" if incremental else ""
    for child, parent in STEPS:
        child_level, level = tree.LEVELS[child], tree.LEVELS[parent]
        parts = [f"SELECT indicator, code, num, den FROM ind_new WHERE level = {child_level} "
                 f"AND indicator <> 'income_median'{skip}"]
        if parent:
            parts.append(f"SELECT indicator, code, num, den FROM ind_leaf WHERE length(code) = {parent}{skip}")
        cur.execute(
            f"INSERT INTO ind_new (indicator, code, level, num, den) "
            f"SELECT indicator, substr(code, 1, {parent}), {level}, SUM(num), SUM(den) "
            f"FROM ({' UNION ALL '.join(parts)}) x GROUP BY indicator, substr(code, 1, {parent})",
        )
    if incremental:
        village_differences(cur, period_id, INCREMENTAL, stored="ind_dirty")
        # the re-summed villages whose figure did not change are left as they are
        cur.execute(f"DELETE FROM ind_new WHERE level = {tree.VILLAGE} AND indicator IN {_in(INCREMENTAL)} AND NOT EXISTS "
                    f"(SELECT 1 FROM ind_delta d WHERE d.indicator = ind_new.indicator AND d.code = ind_new.code)")
        roll_up_changes(cur, period_id, INCREMENTAL, "ind_touch")
        village_differences(cur, period_id, DIFFED, leaves=True)  # compared for every village: their sources mark none
        diffed_villages(cur)
        roll_up_changes(cur, period_id, DIFFED, "ind_touch2")


def village_differences(cur: Any, period_id: str, indicators: Sequence[str], *, stored: str = "",
                        leaves: bool = False) -> None:
    """``ind_delta`` of ``indicators``: per village, this refresh's figure minus the stored one, where they differ.
    ``stored``: the table of the villages whose stored rows are compared (the re-summed ones; driven from it, by the
    index on period and region); every village when empty (groups recomputed for every village). This refresh's
    figures are the village rows of ``ind_new``, or with ``leaves`` the village leaves summed (not in ``ind_new``)."""
    inc = _in(indicators)
    among = f" JOIN {stored} d ON d.code = v.region_code" if stored else ""
    new = (f"SELECT indicator, code, SUM(num) AS num, SUM(den) AS den FROM ind_leaf WHERE length(code) = 12 "
           f"AND indicator IN {inc} GROUP BY indicator, code" if leaves else
           f"SELECT indicator, code, num, den FROM ind_new WHERE level = {tree.VILLAGE} AND indicator IN {inc}")
    # a full join of the two sides (one row each at most), twice as fast as grouping their union
    cur.execute(
        f"INSERT INTO ind_delta (indicator, code, num, den, rows_) "
        f"SELECT COALESCE(n.indicator, s.indicator), COALESCE(n.code, s.code), COALESCE(n.num, 0) - COALESCE(s.num, 0), "
        f"CASE WHEN n.den IS NULL AND s.den IS NULL THEN NULL ELSE COALESCE(n.den, 0) - COALESCE(s.den, 0) END, "
        f"CASE WHEN n.code IS NULL THEN -1 WHEN s.code IS NULL THEN 1 ELSE 0 END "
        f"FROM ({new}) n FULL JOIN (SELECT v.indicator, v.region_code AS code, v.numerator AS num, v.denominator AS den "
        f"FROM {IV} v{among} WHERE v.period_id = %s AND v.indicator IN {inc} AND v.level = {tree.VILLAGE}) s "
        f"ON s.indicator = n.indicator AND s.code = n.code "
        f"WHERE n.code IS NULL OR s.code IS NULL OR n.num <> s.num OR COALESCE(n.den, 0) <> COALESCE(s.den, 0)",
        [period_id],
    )
    analyze(cur, "ind_delta")


def diffed_villages(cur: Any) -> None:
    """``ind_touch2``: the villages whose ``DIFFED`` figure changed (``ind_delta``) and their ancestors; the rows of
    those villages (summed from their leaves) go into ``ind_new``, the others' not, so that the merge writes the
    changed ones only."""
    dif = _in(DIFFED)
    touched(cur, "ind_touch2", f"SELECT code FROM ind_delta WHERE indicator IN {dif}")
    analyze(cur, "ind_touch2")
    cur.execute(f"INSERT INTO ind_new (indicator, code, level, num, den) SELECT l.indicator, l.code, {tree.VILLAGE}, "
                f"SUM(l.num), SUM(l.den) FROM ind_leaf l JOIN ind_touch2 t ON t.code = l.code "
                f"WHERE l.indicator IN {dif} GROUP BY l.indicator, l.code")


def roll_up_changes(cur: Any, period_id: str, indicators: Sequence[str], touch: str) -> None:
    """Incremental refresh, ``indicators`` (sums of village figures) with their villages' differences in
    ``ind_delta``: each region of ``touch`` (the changed villages' ancestors) with differences below it gets its stored
    sums plus them, so the work grows with the changed villages, not with the regions' other children; the rows of
    regions without differences are left as they are (not in ``ind_new``). A region has a row when one of its
    children has: one appears with its first child and goes with its last (looked up only then, by index); the rows
    that go are listed in ``ind_gone`` for the merge to delete."""
    inc = _in(indicators)
    cur.execute(f"INSERT INTO ind_gone (indicator, code) SELECT indicator, code FROM ind_delta "
                f"WHERE rows_ < 0 AND indicator IN {inc}")
    for child, parent in STEPS:
        child_level, level = tree.LEVELS[child], tree.LEVELS[parent]
        # a region some of whose children lost their row keeps its own only if a child still has one: a stored row
        # that does not go, or one that appeared
        remains = (
            f"(EXISTS (SELECT 1 FROM ind_new c WHERE c.indicator = d.indicator AND c.level = {child_level} "
            f"AND substr(c.code, 1, {parent}) = d.code) OR EXISTS (SELECT 1 FROM {IV} c WHERE c.period_id = %s "
            f"AND c.indicator = d.indicator AND c.level = {child_level} AND {sql_in_subtree('c.region_code', 'd.code')} "
            f"AND NOT EXISTS (SELECT 1 FROM ind_gone g WHERE g.indicator = c.indicator AND g.code = c.region_code)))"
        )
        delta = (f"SELECT indicator, substr(code, 1, {parent}) AS code, SUM(num) AS num, SUM(den) AS den, "
                 f"SUM(CASE WHEN rows_ > 0 THEN 1 ELSE 0 END) AS appeared, "
                 f"SUM(CASE WHEN rows_ < 0 THEN 1 ELSE 0 END) AS gone FROM ind_delta WHERE indicator IN {inc} "
                 f"GROUP BY indicator, "
                 f"substr(code, 1, {parent})")
        den = ("CASE WHEN v.denominator IS NULL AND d.den IS NULL THEN NULL "
               "ELSE COALESCE(v.denominator, 0) + COALESCE(d.den, 0) END")
        stored = (f"FROM {IV} v JOIN {touch} t ON t.code = v.region_code "
                  f"JOIN ({delta}) d ON d.indicator = v.indicator AND d.code = v.region_code "
                  f"WHERE v.period_id = %s AND v.indicator IN {inc} AND length(t.code) = {parent}")
        # the stored rows with differences below them, changed; then those that go; then the rows that appear
        cur.execute(
            f"INSERT INTO ind_new (indicator, code, level, num, den) "
            f"SELECT v.indicator, v.region_code, {level}, v.numerator + COALESCE(d.num, 0), {den} {stored} "
            f"AND (d.gone = 0 OR d.appeared > 0 OR {remains})",
            [period_id, period_id],
        )
        cur.execute(
            f"INSERT INTO ind_gone (indicator, code) SELECT v.indicator, v.region_code {stored} "
            f"AND d.gone > 0 AND d.appeared = 0 AND NOT {remains}",
            [period_id, period_id],
        )
        cur.execute(
            f"INSERT INTO ind_new (indicator, code, level, num, den) "
            f"SELECT d.indicator, d.code, {level}, d.num, d.den "
            f"FROM ({delta}) d WHERE d.appeared > 0 AND NOT EXISTS (SELECT 1 FROM {IV} v WHERE v.period_id = %s "
            f"AND v.indicator = d.indicator AND v.region_code = d.code)",
            [period_id],
        )


def merge(cur: Any, period_id: str, now: dt.datetime, *, incremental: bool, medians: str = "all"
          ) -> tuple[int, int]:
    """Write ``ind_new`` into ``IndicatorValue``: changed and new rows, and delete rows of regions without data
    any more. ``medians``: "all" recomputed, "keep" (none recomputed) or "moved" (those of ``ind_mtouch``).
    Returns (written, deleted)."""
    # In an incremental refresh the registry indicators (and DIFFED) are written for the regions that changed only,
    # and deleted where ``ind_gone`` lists them: their stored rows are looked up by index, not scanned in full; so
    # are moved medians.
    whole = [c for c in COMPUTED if not (c in MEDIANS and medians != "all")
             and not (incremental and (c in INCREMENTAL or c in DIFFED))]
    scopes = [(_in(whole), "")]
    if medians == "moved":
        scopes.append((_in(MEDIANS), " AND region_code IN (SELECT code FROM ind_mtouch)"))
    deleted = 0
    for indicators, scope in scopes:
        cur.execute(
            f"DELETE FROM {IV} WHERE period_id = %s AND indicator IN {indicators}{scope} AND NOT EXISTS "
            f"(SELECT 1 FROM ind_new n WHERE n.indicator = {IV}.indicator AND n.code = {IV}.region_code)",
            [period_id],
        )
        deleted += max(int(cur.rowcount), 0)
    if incremental:  # the rows that went with their last child (roll_up_changes)
        analyze(cur, "ind_gone")  # a few rows: looked up by index, not the period's values hashed
        cur.execute(f"DELETE FROM {IV} WHERE period_id = %s AND EXISTS (SELECT 1 FROM ind_gone g "
                    f"WHERE g.indicator = {IV}.indicator AND g.code = {IV}.region_code)", [period_id])
        deleted += max(int(cur.rowcount), 0)
    per_unit = f"WHEN indicator IN {_in(PER_UNIT)} THEN ROUND(1.0 * num / den, 4) " if PER_UNIT else ""
    scaled = " ".join(f"WHEN '{c}' THEN {float(i.scale)}" for c, i in definitions.INDICATORS.items()
                      if i.scale not in (1, 100) and c.replace("_", "").isalnum())
    scale = f"CASE indicator {scaled} ELSE 100.0 END" if scaled else "100.0"  # per 1,000: scale 1000
    value = (f"CASE WHEN reporting = 0 THEN NULL WHEN den IS NULL THEN ROUND(num, 4) WHEN den = 0 THEN NULL {per_unit}"
             f"ELSE ROUND({scale} * num / den, 4) END")
    cols = ("numerator", "denominator", "value", "level", "expected", "reporting")
    differs = " OR ".join(distinct(f"{IV}.{c}", f"excluded.{c}") for c in cols)
    sets = ", ".join(f"{c} = excluded.{c}" for c in (*cols, "updated_at"))
    cur.execute(
        f"INSERT INTO {IV} (period_id, indicator, region_code, level, numerator, denominator, value, expected, "
        f"reporting, updated_at) "
        f"SELECT %s, indicator, code, level, ROUND(num, 2), ROUND(den, 2), {value}, expected, reporting, %s "
        f"FROM ind_new WHERE true "
        f"ON CONFLICT (period_id, indicator, region_code) DO UPDATE SET {sets} WHERE {differs}",
        [period_id, _ts(now)],
    )
    return max(int(cur.rowcount), 0), deleted


def run(period_id: str, win: Window, *, since: dt.datetime | None,
        progress: Callable[[str], None] | None = None) -> Outcome:
    """Recompute the values of one period: everything when ``since`` is None, otherwise the facts of the households
    changed after ``since`` and the sums of their villages (and every group that is always recomputed). Caller's
    transaction."""
    say = progress or (lambda _s: None)
    out = Outcome(full=since is None)
    now = timezone.now()

    def step(label: str, fn: Callable[[], Any]) -> Any:
        say(label)
        t0 = time.perf_counter()
        result = fn()
        out.timings[label] = time.perf_counter() - t0
        return result

    missing = set(COMPUTED) ^ set(definitions.INDICATORS)
    if missing:
        raise RuntimeError(f"definitions and compute.py disagree on {sorted(missing)}")
    with connection.cursor() as cur:
        _create_temp(cur)
        big_sorts(cur)
        set_local(cur, "jit", "off")  # compiling took longer than running these statements
        # On an error the caller's transaction rolls back, and the temporary tables with it.
        incremental = since is not None
        if since is not None:
            out.villages = step("changed villages", lambda: find_dirty(cur, period_id, since))
            cur.execute("SELECT code FROM ind_touch ORDER BY code")
            out.touched = [r[0] for r in cur.fetchall()]
        medians = "keep" if incremental else "all"  # kept when no income of the year changed
        if out.villages != 0:
            out.households = step("households", lambda: household_facts(cur, period_id, win, incremental=incremental))
            if not incremental:  # the table was rewritten: the plans of this refresh and the next need its size
                step("analyze", lambda: analyze(cur, FACTS))
            if incremental and incomes_changed(cur, period_id):
                medians = "moved"
            step("villages", lambda: household_leaves(cur, period_id, win, dirty=incremental))
        step("events", lambda: event_leaves(cur, win))
        step("quality", lambda: quality_leaves(cur, period_id, win, incremental=incremental))
        step("connectivity", lambda: connectivity_leaves(cur, win))
        step("commerce", lambda: commerce_indicators.leaves(cur, on=win.coverage_on or win.today,
                                                            starts_on=win.starts_on, ends_on=win.ends_on))
        step("team", lambda: team_indicators.leaves(
            cur, on=win.coverage_on or win.today, starts_on=win.starts_on, ends_on=win.ends_on,
            with_cadre=village_figure("household_with_cadre", period_id, incremental=incremental)))
        step("projects", lambda: project_indicators.leaves(cur, win))
        step("welfare", lambda: welfare_indicators.leaves(cur, win))
        step("reporting", lambda: reporting_counties(cur))
        step("roll-up", lambda: roll_up(cur, period_id, incremental=incremental))
        step("reporting rates", lambda: reporting_rates(cur))
        if medians == "moved" and not step("median", lambda: move_medians(cur, period_id)):
            medians = "all"  # a region without a median state: every median recomputed (and the states written)
        if medians == "all":
            step("median", lambda: income_medians(cur, period_id))
        out.written, out.deleted = step("write", lambda: merge(cur, period_id, now, incremental=incremental,
                                                               medians=medians))
        if not incremental:
            # The period's values were all written again: without fresh statistics the next incremental refresh was
            # planned as if the period had none and read all of them twice (1.9 + 3.8 s of 8 at 1.25 M households)
            step("analyze values", lambda: analyze(cur, IV))
        _drop_temp(cur)
    return out
