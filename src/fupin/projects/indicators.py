"""The projects' indicators as leaf facts for ``indicators.compute`` (its definitions are in
``indicators.definitions``): set-based INSERT … SELECT into ``ind_leaf``, one statement each, grouped by the region a
record hangs on (a project's location, a beneficiary's village, a plan's region), rolled up by code prefix there."""

from __future__ import annotations

from typing import Any

from fupin.core.sql import date_param
from fupin.projects.models import Allocation, Beneficiary, Disbursement, FundLine, Plan, Project, Task

CODES = ("project_funds_allocated", "project_funds_spent", "projects_accepted_on_time", "households_reached",
         "tasks_done_on_time")

ALLOCATIONS = Allocation._meta.db_table
DISBURSEMENTS = Disbursement._meta.db_table
LINES = FundLine._meta.db_table
PROJECTS = Project._meta.db_table
BENEFICIARIES = Beneficiary._meta.db_table
TASKS = Task._meta.db_table
PLANS = Plan._meta.db_table
HOUSEHOLDS = "registry_household"


def leaves(cur: Any, win: Any) -> None:
    """Per leaf region, for the period ``win`` (an ``indicators.compute.Window``)."""
    year, end, start, today = win.year, date_param(win.ends_on), date_param(win.starts_on), date_param(win.today)
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'project_funds_allocated', a.region_id, "
        f"SUM(a.amount), NULL FROM {ALLOCATIONS} a JOIN {LINES} l ON l.id = a.source_id "
        f"WHERE a.project_id IS NOT NULL AND l.year = %s AND a.allocated_on <= %s GROUP BY a.region_id",
        [year, end],
    )
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'project_funds_spent', code, SUM(paid), "
        f"SUM(given) FROM (SELECT a.region_id AS code, 0 AS paid, a.amount AS given FROM {ALLOCATIONS} a "
        f"JOIN {LINES} l ON l.id = a.source_id WHERE a.project_id IS NOT NULL AND l.year = %s AND a.allocated_on <= %s "
        f"UNION ALL SELECT d.region_id, d.amount, 0 FROM {DISBURSEMENTS} d JOIN {LINES} l ON l.id = d.line_id "
        f"WHERE l.year = %s AND d.paid_on <= %s) x GROUP BY code",
        [year, end, year, end],
    )
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'projects_accepted_on_time', region_id, "
        f"SUM(CASE WHEN accepted_on IS NOT NULL AND accepted_on <= planned_end THEN 1 ELSE 0 END), COUNT(*) "
        f"FROM {PROJECTS} WHERE stage <> 'rejected' AND planned_end >= %s AND planned_end <= %s "
        f"AND (planned_end < %s OR accepted_on IS NOT NULL) GROUP BY region_id",
        [start, end, today],
    )
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'households_reached', h.village_id, "
        f"COUNT(DISTINCT b.household_id), NULL FROM {BENEFICIARIES} b JOIN {PROJECTS} p ON p.id = b.project_id "
        f"JOIN {HOUSEHOLDS} h ON h.id = b.household_id WHERE p.stage <> 'rejected' AND p.year = %s "
        f"GROUP BY h.village_id",
        [year],
    )
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'tasks_done_on_time', p.region_id, "
        f"SUM(CASE WHEN t.done_on IS NOT NULL AND t.done_on <= t.deadline THEN 1 ELSE 0 END), COUNT(*) "
        f"FROM {TASKS} t JOIN {PLANS} p ON p.id = t.plan_id WHERE p.region_id IS NOT NULL "
        f"AND t.deadline >= %s AND t.deadline <= %s AND (t.deadline < %s OR t.done_on IS NOT NULL) "
        f"GROUP BY p.region_id",
        [start, end, today],
    )
