"""The welfare platform's indicators as leaf facts for ``indicators.compute`` (definitions in
``indicators.definitions``): set-based INSERT … SELECT into ``ind_leaf``, by the village of a need or the region of
a project or pairing, rolled up by code prefix there. Same SQL on SQLite and PostgreSQL.

- welfare_needs_published: needs published by the period's end and not withdrawn by then, per village;
- welfare_needs_met: of those, the ones met by the period's end;
- welfare_money_raised / welfare_money_disbursed: donations received / disbursements paid within the period, needs
  and projects together;
- welfare_households_helped: distinct households paid out of their needs within the period, per village;
- welfare_pairings: enterprise pairings in force signed by the period's end, per paired county or village.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fupin.core.sql import date_param
from fupin.welfare.models import Disbursement, Donation, Need, Pairing, WelfareProject

CODES = ("welfare_needs_published", "welfare_needs_met", "welfare_money_raised", "welfare_money_disbursed",
         "welfare_households_helped", "welfare_pairings")
NEEDS = Need._meta.db_table
PROJECTS = WelfareProject._meta.db_table
DONATIONS = Donation._meta.db_table
DISBURSEMENTS = Disbursement._meta.db_table
PAIRINGS = Pairing._meta.db_table


def leaves(cur: Any, win: Any) -> None:
    """Per leaf region, for the period ``win`` (an ``indicators.compute.Window``)."""
    start, end = date_param(win.starts_on), date_param(win.ends_on)
    after_end = date_param(win.ends_on + dt.timedelta(days=1))  # timestamps before the next day's start
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'welfare_needs_published', village_id, COUNT(*), "
        f"NULL FROM {NEEDS} WHERE published_at IS NOT NULL AND published_at < %s "
        f"AND (consent_withdrawn_at IS NULL OR consent_withdrawn_at >= %s) GROUP BY village_id",
        [after_end, after_end],
    )
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'welfare_needs_met', village_id, COUNT(*), NULL "
        f"FROM {NEEDS} WHERE published_at IS NOT NULL AND met_at IS NOT NULL AND met_at < %s "
        f"AND (consent_withdrawn_at IS NULL OR consent_withdrawn_at >= %s) GROUP BY village_id",
        [after_end, after_end],
    )
    for indicator, table, day in (("welfare_money_raised", DONATIONS, "received_on"),
                                  ("welfare_money_disbursed", DISBURSEMENTS, "paid_on")):
        cur.execute(
            f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT '{indicator}', code, SUM(amount), NULL FROM ("
            f"SELECT n.village_id AS code, e.amount AS amount FROM {table} e JOIN {NEEDS} n ON n.id = e.need_id "
            f"WHERE e.{day} >= %s AND e.{day} <= %s UNION ALL "
            f"SELECT p.region_id, e.amount FROM {table} e JOIN {PROJECTS} p ON p.id = e.project_id "
            f"WHERE e.{day} >= %s AND e.{day} <= %s) x GROUP BY code",
            [start, end, start, end],
        )
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'welfare_households_helped', village_id, "
        f"COUNT(DISTINCT household_id), NULL FROM {NEEDS} n WHERE EXISTS (SELECT 1 FROM {DISBURSEMENTS} d "
        f"WHERE d.need_id = n.id AND d.paid_on >= %s AND d.paid_on <= %s) GROUP BY village_id",
        [start, end],
    )
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'welfare_pairings', region_id, COUNT(*), NULL "
        f"FROM {PAIRINGS} WHERE status = 'active' AND signed_on <= %s GROUP BY region_id",
        [end],
    )
