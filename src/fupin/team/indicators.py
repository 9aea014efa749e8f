"""The leaf facts of the team and 网络扶智 indicators (definitions in ``indicators.definitions``), for
``indicators.compute``: set-based INSERT … SELECT into its temporary table ``ind_leaf`` (indicator, code, num, den).
Same SQL on SQLite and PostgreSQL. ``on`` is the day postings, schools and clinics are taken as of; visits and
trainings count within the period (``starts_on`` … ``ends_on``).

- poor_village_team_leader: per registered poor village, 1 / 1 when a work team (leader or member) and a village
  leader (一村一带头人) are posted there on the day;
- household_with_cadre: registered households with a responsible cadre (the current assignment) / registered;
- visits_per_household: visits in the period to registered households / registered households with a cadre;
- cadres_trained: team members serving on the day who attended a training by the period's end / serving members,
  at the region node each serves;
- persons_trained: registered persons (matched by ID number) who attended a training in the period;
- school_100m / school_remote_classroom: open schools with ≥ 100 Mbit/s, with a remote classroom in force / open;
- clinic_telemedicine: open township health centres and village clinics offering telemedicine / open;
- ecommerce_trained_5 / ecommerce_practitioners_10 / ecommerce_senior_1: registered poor villages with at least 5
  people trained in e-commerce, 10 practitioners, 1 senior talent (004 四(三)), by the period's end.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fupin.connectivity.models import Facility
from fupin.core.sql import date_param as sql_date
from fupin.regions.models import Region
from fupin.registry.models import Cadre, Household
from fupin.registry.statuses import REGISTERED_STATUSES
from fupin.team.models import Attendance, Posting, Training, Visit

# By village from the registry's households: recomputed, like the registry's own figures, for the villages whose
# households changed (``household_leaves``); the others are recomputed in full (``leaves``).
HOUSEHOLD_CODES = ("household_with_cadre",)
CODES = ("poor_village_team_leader", "visits_per_household", "cadres_trained",
         "persons_trained", "school_100m", "school_remote_classroom", "clinic_telemedicine", "ecommerce_trained_5",
         "ecommerce_practitioners_10", "ecommerce_senior_1")
# Counted by county like the other facility indicators: a county without school (clinic) records has not reported.
REPORTED_BY_COUNTY = {
    "school_100m": (Facility._meta.db_table, "type = 'school'"),
    "school_remote_classroom": (Facility._meta.db_table, "type = 'school'"),
    "clinic_telemedicine": (Facility._meta.db_table, "type IN ('township_health', 'village_clinic')"),
}
POSTINGS = Posting._meta.db_table
HOUSEHOLDS = Household._meta.db_table
CADRES = Cadre._meta.db_table
VISITS = Visit._meta.db_table
ATTENDANCE = Attendance._meta.db_table
TRAININGS = Training._meta.db_table
FACILITIES = Facility._meta.db_table
REGIONS = Region._meta.db_table
# Thresholds per poor village of 004 四(三): (indicator, levels counted, at least).
ECOMMERCE_TARGETS = (("ecommerce_trained_5", ("trained", "practitioner", "senior"), 5),
                     ("ecommerce_practitioners_10", ("practitioner", "senior"), 10),
                     ("ecommerce_senior_1", ("senior",), 1))


def _statuses() -> str:
    return "(" + ", ".join(f"'{s}'" for s in REGISTERED_STATUSES) + ")"


def _posted(alias: str, roles: tuple[str, ...]) -> str:
    role_list = ", ".join(f"'{r}'" for r in roles)
    return (f"EXISTS (SELECT 1 FROM {POSTINGS} p WHERE p.region_id = {alias}.code AND p.role IN ({role_list}) "
            f"AND p.start_date <= %s AND (p.end_date IS NULL OR p.end_date > %s))")


def household_leaves(cur: Any, *, villages: str = "") -> None:
    """``HOUSEHOLD_CODES`` per village, of every village or of those of the SQL ``villages`` (a query of codes)."""
    only = f" AND h.village_id IN ({villages})" if villages else ""
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'household_with_cadre', h.village_id, "
        f"SUM(CASE WHEN h.cadre_id IS NULL THEN 0 ELSE 1 END), COUNT(*) FROM {HOUSEHOLDS} h "
        f"WHERE h.status IN {_statuses()}{only} GROUP BY h.village_id"
    )


def leaves(cur: Any, *, on: dt.date, starts_on: dt.date, ends_on: dt.date, with_cadre: tuple[str, list[Any]]) -> None:
    """The other indicators, in full. ``with_cadre``: a query of (code, n), the registered households with a cadre of
    each village (the numerator of ``household_with_cadre``, kept by the refresh), and its parameters."""
    day, start, end = sql_date(on), sql_date(starts_on), sql_date(ends_on)
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'poor_village_team_leader', r.code, "
        f"CASE WHEN {_posted('r', ('team_leader', 'team_member'))} AND {_posted('r', ('village_leader',))} "
        f"THEN 1 ELSE 0 END, 1 FROM {REGIONS} r WHERE r.level = 5 AND r.is_poor_village",
        [day, day, day, day],
    )
    # visits in the period to registered households with a cadre, per village of the visited household; over the
    # village's households with a cadre (read from the refresh's figure, not from every household)
    households, params = with_cadre
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'visits_per_household', w.code, "
        f"COALESCE(v.n, 0), w.n FROM ({households}) w LEFT JOIN (SELECT h.village_id, COUNT(*) AS n FROM {VISITS} x "
        f"JOIN {HOUSEHOLDS} h ON h.id = x.household_id WHERE x.visited_on >= %s AND x.visited_on <= %s "
        f"AND h.status IN {_statuses()} AND h.cadre_id IS NOT NULL GROUP BY h.village_id) v ON v.village_id = w.code "
        f"WHERE w.n > 0",
        [*params, start, end],
    )
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'cadres_trained', c.region_id, "
        f"SUM(CASE WHEN EXISTS (SELECT 1 FROM {ATTENDANCE} a JOIN {TRAININGS} t ON t.id = a.training_id "
        f"WHERE a.cadre_id = c.id AND t.starts_on <= %s) THEN 1 ELSE 0 END), COUNT(*) FROM {CADRES} c "
        f"WHERE (c.start_date IS NULL OR c.start_date <= %s) AND (c.end_date IS NULL OR c.end_date > %s) "
        f"GROUP BY c.region_id",
        [end, day, day],
    )
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'persons_trained', a.village_id, "
        f"COUNT(DISTINCT a.member_id), NULL FROM {ATTENDANCE} a JOIN {TRAININGS} t ON t.id = a.training_id "
        f"WHERE a.member_id IS NOT NULL AND t.starts_on >= %s AND t.starts_on <= %s GROUP BY a.village_id",
        [start, end],
    )
    open_on = "(f.opened_on IS NULL OR f.opened_on <= %s) AND (f.closed_on IS NULL OR f.closed_on > %s)"
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'school_100m', f.region_id, "
        f"SUM(CASE WHEN f.bandwidth >= 100 AND f.connected_on <= %s THEN 1 ELSE 0 END), COUNT(*) "
        f"FROM {FACILITIES} f WHERE f.type = 'school' AND {open_on} GROUP BY f.region_id",
        [day, day, day],
    )
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'school_remote_classroom', f.region_id, "
        f"SUM(CASE WHEN f.remote_classroom_on <= %s AND (f.remote_classroom_until IS NULL "
        f"OR f.remote_classroom_until > %s) THEN 1 ELSE 0 END), COUNT(*) "
        f"FROM {FACILITIES} f WHERE f.type = 'school' AND {open_on} GROUP BY f.region_id",
        [day, day, day, day],
    )
    cur.execute(
        f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT 'clinic_telemedicine', f.region_id, "
        f"SUM(CASE WHEN f.telemedicine_on <= %s THEN 1 ELSE 0 END), COUNT(*) FROM {FACILITIES} f "
        f"WHERE f.type IN ('township_health', 'village_clinic') AND {open_on} GROUP BY f.region_id",
        [day, day, day],
    )
    # E-commerce trainees per village: distinct people (by ID number, else the row) at e-commerce trainings.
    for code, levels, least in ECOMMERCE_TARGETS:
        level_list = ", ".join(f"'{v}'" for v in levels)
        cur.execute(
            f"INSERT INTO ind_leaf (indicator, code, num, den) SELECT '{code}', r.code, "
            f"CASE WHEN (SELECT COUNT(DISTINCT CASE WHEN a.id_number = '' THEN 'row' || a.id ELSE a.id_number END) "
            f"FROM {ATTENDANCE} a JOIN {TRAININGS} t ON t.id = a.training_id WHERE a.village_id = r.code "
            f"AND t.topic = 'ecommerce' AND t.starts_on <= %s AND a.level IN ({level_list})) >= {int(least)} "
            f"THEN 1 ELSE 0 END, 1 FROM {REGIONS} r WHERE r.level = 5 AND r.is_poor_village",
            [end],
        )
