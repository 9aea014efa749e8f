"""A clean registry for the quality rules: households that no rule finds anything in, so that each planted
case must be found exactly (and nothing else)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from fupin.lifecycle.models import Case, Measure, MonitoringRecord
from fupin.regions.models import Region
from fupin.registry import idnumber
from fupin.registry.models import Household, Income, Member, PovertyLine
from fupin.registry.services import refresh_latest_income

AS_OF = dt.date(2026, 6, 30)
INCOME_YEAR = 2025
_seq = itertools.count(1)


def born(age: int, month: int = 1) -> dt.date:
    return dt.date(AS_OF.year - age, month, 15)


def add_member(h: Household, *, age: int, sex: str, relation: str, n: int, **fields: Any) -> Member:
    birth = born(age)
    values: dict[str, Any] = dict(
        household=h, name=f"王{relation}{n}", sex=sex, birth_date=birth, relation=relation, ethnicity="01",
        health="01", education="03" if age >= 18 else "", labour_skill="01" if 16 <= age <= 60 else "",
        schooling="05" if 12 <= age <= 15 else ("04" if 6 <= age <= 11 else ("01" if age >= 18 else "02")),
        has_medical_insurance=True, has_pension_insurance=age >= 60,
        id_number=idnumber.make(idnumber.issuing_code(h.village_id[:6], birth.year), birth, n % 499, sex),
    )
    values.update(fields)
    return Member.objects.create(**values)


def clean_household(village: Region, *, status: str = "poor", user: Any = None, **fields: Any) -> Household:
    """Head 45 (man, working 8 months), spouse 43, son 14 in junior school; income of 2025 above the line;
    an industry measure; a monitored household gets an open record (risk: unstable work) and a job measure."""
    n = next(_seq)
    values: dict[str, Any] = dict(
        number=f"Q{village.code}{n:04d}", village=village, status=status, standard="01",
        attribute="05" if status in ("exited", "monitored") else "01", main_cause="07", identified_year=2016,
        exit_year=2019 if status in ("exited", "monitored") else None, housing_safety="A", housing_area=Decimal(90),
        phone=f"138{n:08d}", water_safe=True, water_difficult=False, has_living_power=True,
        has_production_power=True, has_radio_tv=True,
    )
    values.update(fields)
    h = Household.objects.create(**values)
    add_member(h, age=45, sex="1", relation="01", n=n * 10 + 1, work_months=8, work_location="03")
    add_member(h, age=43, sex="2", relation="02", n=n * 10 + 2)
    add_member(h, age=14, sex="1", relation="03", n=n * 10 + 3)
    Income.objects.create(household=h, year=INCOME_YEAR, household_size=3, wage_other=Decimal(18000),
                          business=Decimal(3000))
    refresh_latest_income(Household.objects.filter(pk=h.pk))
    Measure.objects.create(household=h, type="01", description="产业", start_date=dt.date(2024, 3, 1),
                           responsible="李干部")
    if status == "monitored":
        monitor(h, risks=["07"], user=user)
        Measure.objects.create(household=h, type="02", description="就业", start_date=dt.date(2026, 1, 5),
                               responsible="李干部")
    return h


def monitor(h: Household, *, risks: list[str], user: Any, started: dt.date = dt.date(2025, 11, 1),
            ended: dt.date | None = None, method: str = "") -> MonitoringRecord:
    case = Case.objects.create(household=h, kind="monitoring", stage="approved", year=started.year, reason="监测",
                               opened_by=user, category="01", risks=risks)
    return MonitoringRecord.objects.create(household=h, category="01", risks=risks, started_on=started,
                                           included_by=case, ended_on=ended, elimination_method=method)


def lines() -> None:
    PovertyLine.objects.update_or_create(year=INCOME_YEAR, standard="monitoring", province="53",
                                         defaults={"amount": Decimal("6500")})
    PovertyLine.objects.update_or_create(year=INCOME_YEAR, standard="monitoring", province="52",
                                         defaults={"amount": Decimal("6500")})


def head(h: Household) -> Member:
    return h.members.get(relation="01")


def spouse(h: Household) -> Member:
    return h.members.get(relation="02")


def child(h: Household) -> Member:
    return h.members.get(relation="03")
