"""The leaf facts of the rural e-commerce indicators (definitions in ``indicators.definitions``), for
``indicators.compute``: set-based INSERT … SELECT into its temporary table ``ind_leaf`` (indicator, code, num, den),
per village. Same SQL on SQLite and PostgreSQL.

- station_populous_coverage: per populous village, 1 / 1 when a station located in it is open on the date;
- shop_linked_households: registered households linked on the date to an approved shop, per village;
- purchase_income_per_household: amounts paid within the period to those households, over their number;
- poor_demo_counties: per poor county (is_poor_county), 1 / 1 when it is an 电子商务进农村综合示范县 named in the
  period's year or before (001 八).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fupin.commerce.models import DemoCounty, PopulousVillage, Purchase, Shop, ShopHousehold, Station
from fupin.core.sql import date_param as sql_date
from fupin.registry.models import Household
from fupin.registry.statuses import REGISTERED_STATUSES

CODES = ("station_populous_coverage", "shop_linked_households", "purchase_income_per_household", "poor_demo_counties")
DEMO_COUNTIES = DemoCounty._meta.db_table
REGIONS = "regions_region"
STATIONS = Station._meta.db_table
POPULOUS = PopulousVillage._meta.db_table
LINKS = ShopHousehold._meta.db_table
SHOPS = Shop._meta.db_table
PURCHASES = Purchase._meta.db_table
HOUSEHOLDS = Household._meta.db_table


def _statuses() -> str:
    return "(" + ", ".join(f"'{s}'" for s in REGISTERED_STATUSES) + ")"


def leaves(cur: Any, *, on: dt.date, starts_on: dt.date, ends_on: dt.date) -> None:
    """Insert the three indicators' village facts into ``ind_leaf``: stations and links as of ``on``, purchases
    dated from ``starts_on`` to ``ends_on``."""
    day = sql_date(on)
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'station_populous_coverage', p.village_id, "
        f"CASE WHEN EXISTS (SELECT 1 FROM {STATIONS} s WHERE s.region_id = p.village_id "
        f"AND (s.opened_on IS NULL OR s.opened_on <= %s) AND (s.closed_on IS NULL OR s.closed_on > %s)) "
        f"THEN 1 ELSE 0 END, 1 FROM {POPULOUS} p",
        [day, day],
    )
    cur.execute("DROP TABLE IF EXISTS cm_linked")
    cur.execute("CREATE TEMP TABLE cm_linked (id BIGINT PRIMARY KEY, code VARCHAR(12))")
    cur.execute(
        f"INSERT INTO cm_linked (id, code) SELECT h.id, h.village_id FROM {HOUSEHOLDS} h "
        f"WHERE h.status IN {_statuses()} AND h.id IN (SELECT l.household_id FROM {LINKS} l "
        f"JOIN {SHOPS} s ON s.id = l.shop_id WHERE s.status = 'approved' AND l.started_on <= %s "
        f"AND (l.ended_on IS NULL OR l.ended_on > %s))",
        [day, day],
    )
    cur.execute(
        "INSERT INTO ind_leaf (indicator, code, num, den) "
        "SELECT 'shop_linked_households', code, COUNT(*), NULL FROM cm_linked GROUP BY code"
    )
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) "
        f"SELECT 'purchase_income_per_household', k.code, COALESCE(SUM(p.amount), 0), COUNT(*) FROM cm_linked k "
        f"LEFT JOIN (SELECT household_id, SUM(amount) AS amount FROM {PURCHASES} "
        f"WHERE purchased_on >= %s AND purchased_on <= %s GROUP BY household_id) p ON p.household_id = k.id "
        f"GROUP BY k.code",
        [sql_date(starts_on), sql_date(ends_on)],
    )
    cur.execute("DROP TABLE cm_linked")
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'poor_demo_counties', r.code, "
        f"CASE WHEN EXISTS (SELECT 1 FROM {DEMO_COUNTIES} d WHERE d.county_id = r.code AND d.year <= %s) "
        f"THEN 1 ELSE 0 END, 1 FROM {REGIONS} r WHERE r.level = 3 AND r.is_poor_county",
        [on.year],
    )
