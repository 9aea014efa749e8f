"""Households with one planted risk each, in the test tree (fupin.testing)."""

import datetime as dt
from decimal import Decimal

import pytest

from fupin import testing
from fupin.lifecycle.models import Case, Kind, MonitoringRecord, PovertyLine, Stage
from fupin.registry import idnumber
from fupin.registry.models import Household, Income, Member
from fupin.registry.services import refresh_latest_income

AS_OF = dt.date(2026, 3, 1)
MINE = "533301205201"  # a village of the township user's township
OTHER = "533323101201"  # a village of another county


def _house(village, status, housing="A", **fields):
    h = testing.make_household(village, status=status, **fields)
    Household.objects.filter(pk=h.pk).update(housing_safety=housing)
    h.refresh_from_db()
    return h


def _refresh(h: Household) -> Household:
    refresh_latest_income(Household.objects.filter(pk=h.pk))
    h.refresh_from_db()
    return h


@pytest.fixture
def planted(tree, users):
    """name → household; each household has exactly the risk its name says (``none`` has none)."""
    PovertyLine.objects.update_or_create(year=2020, standard="national", province="",
                                         defaults={"amount": Decimal("2000")})  # line × 1.5 = 3000
    v, other = tree[MINE], tree[OTHER]
    h: dict[str, Household] = {}
    # make_household: 2020 per-capita (3000·3 + 1000) / 3 = 3333.33, above 3000
    h["none"] = testing.make_household(v, status="exited")
    h["income"] = testing.make_household(v, status="exited")
    Income.objects.filter(household=h["income"]).update(wage_other=1000)  # (1000 + 1000) / 3 = 666.67
    _refresh(h["income"])
    h["drop"] = testing.make_household(v, status="non_poor")
    Income.objects.create(household=h["drop"], year=2019, household_size=3, wage_other=30000)
    _refresh(h["drop"])
    h["housing"] = _house(v, "exited", "C")
    h["water"] = testing.make_household(v, status="exited", water_safe=False)
    h["insurance"] = testing.make_household(v, status="exited")
    Member.objects.filter(pk=h["insurance"].members.order_by("id").last().pk).update(has_medical_insurance=False)
    h["school"] = testing.make_household(v, status="exited")
    birth = dt.date(2016, 5, 1)
    Member.objects.create(household=h["school"], name="张小", sex="1", birth_date=birth, relation="03",
                          ethnicity="01", health="01", schooling="01",
                          id_number=idnumber.make(idnumber.issuing_code(MINE[:6], 2016), birth, 77, "1"))
    h["monitored"] = testing.make_household(v, status="monitored")
    case = Case.objects.create(household=h["monitored"], kind=Kind.MONITORING, stage=Stage.APPROVED, year=2025,
                               reason="x", opened_by=users["clerk"], category="01", risks=["01"])
    MonitoringRecord.objects.create(household=h["monitored"], category="01", risks=["01"],
                                    started_on=AS_OF - dt.timedelta(days=60), included_by=case)
    # a poor household is not an object of early warning, whatever its data
    h["poor"] = _house(v, "poor", "D", water_safe=False)
    h["elsewhere"] = _house(other, "exited", "D")
    return h
