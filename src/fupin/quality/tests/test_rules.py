"""Each rule of the catalogue with a planted case: over a clean registry (where no rule finds anything) the
plant changes a few records, and the rule must find exactly those."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from fupin.core.permissions import SYSTEM
from fupin.lifecycle.models import Measure, MonitoringRecord
from fupin.quality import services
from fupin.quality.models import Finding, VillageRecord
from fupin.quality.rules import RULES
from fupin.quality.tests.helpers import AS_OF, INCOME_YEAR, add_member, born, child, head, monitor, spouse
from fupin.regions.models import Region
from fupin.registry.models import Household, Income, Member
from fupin.registry.services import refresh_latest_income

B = dict[str, Household]


def p(m: Member) -> str:
    return f"person:{m.pk}"


def hh(h: Household) -> str:
    return f"household:{h.pk}"


def rec(h: Household) -> str:
    return f"monitoring:{MonitoringRecord.objects.filter(household=h).latest('id').pk}"


def upd(m: Member, **fields: Any) -> Member:
    Member.objects.filter(pk=m.pk).update(**fields)
    return m


def house(h: Household, **fields: Any) -> Household:
    Household.objects.filter(pk=h.pk).update(**fields)
    return h


def income(h: Household, **fields: Any) -> Household:
    Income.objects.filter(household=h, year=INCOME_YEAR).update(**fields)
    refresh_latest_income(Household.objects.filter(pk=h.pk))
    return h


def risks(h: Household, *codes: str) -> str:
    MonitoringRecord.objects.filter(household=h).update(risks=list(codes))
    return rec(h)


def new(h: Household, age: int, sex: str, relation: str, **fields: Any) -> Member:
    return add_member(h, age=age, sex=sex, relation=relation, n=900 + Member.objects.count(), **fields)


def _m17(b: B) -> set[str]:
    Measure.objects.filter(household=b["monitored"]).delete()
    MonitoringRecord.objects.filter(household=b["monitored"]).update(ended_on=dt.date(2026, 5, 1),
                                                                     elimination_method="01")
    return {rec(b["monitored"])}


def _m19(b: B, users: Any) -> set[str]:
    monitor(b["exited"], risks=["01", "02", "03", "04", "05", "06"], user=users["county"])
    return {risks(b["monitored"]), rec(b["exited"])}


def _i01(b: B) -> set[str]:
    Income.objects.filter(household=b["guizhou"]).delete()
    house(b["guizhou"], latest_income_year=None, latest_per_capita=None)
    return {hh(b["guizhou"])}


def _b06(b: B) -> set[str]:
    Measure.objects.create(household=b["poor"], type="09", description="兜底", start_date=dt.date(2025, 1, 1),
                           responsible="李")
    return {hh(b["poor"])}


def _b10(b: B) -> set[str]:
    m = Measure.objects.filter(household=b["poor"]).first()
    assert m is not None
    Measure.objects.filter(pk=m.pk).update(end_date=dt.date(2024, 1, 1))
    return {f"measure:{m.pk}"}


def _village(code: str, **fields: Any) -> set[str]:
    Region.objects.filter(code=code).update(**fields)
    return {f"village:{code}"}


PLANTS: dict[str, Callable[..., set[str]]] = {
    "P01_ID_PLACEHOLDER": lambda b: {p(upd(child(b["poor"]), id_number="123456200001010011")),
                                     p(upd(spouse(b["exited"]), id_number="53330119800101123"))},
    "P02_ID_REGION_UNKNOWN": lambda b: {p(upd(spouse(b["poor"]), id_number="990101198301150024"))},
    "P03_ID_BIRTH_MISMATCH": lambda b: {p(upd(head(b["exited"]), birth_date=born(45) + dt.timedelta(days=1)))},
    "P04_ID_SEX_MISMATCH": lambda b: {p(upd(child(b["guizhou"]), sex="2"))},
    "P05_RELATION_SEX": lambda b: {p(upd(child(b["poor"]), sex="2")), p(upd(spouse(b["exited"]), relation="06"))},
    "P06_HEAD_SPOUSE_SAME_SEX": lambda b: {hh(b["guizhou"])} if upd(spouse(b["guizhou"]), sex="1") else set(),
    "P07_NO_HEAD": lambda b: {hh(b["exited"])} if upd(head(b["exited"]), relation="20") else set(),
    "P08_SEVERAL_HEADS": lambda b: {hh(b["poor"])} if upd(spouse(b["poor"]), relation="01") else set(),
    "P09_SEVERAL_SPOUSES": lambda b: {hh(b["monitored"])} if new(b["monitored"], 40, "2", "02") else set(),
    "P10_NO_MEMBERS": lambda b: {hh(b["guizhou"])} if Member.objects.filter(household=b["guizhou"]).update(
        is_active=False) else set(),
    "P11_CHILD_OLDER_THAN_PARENT": lambda b: {p(upd(child(b["poor"]), birth_date=born(35)))},
    "P12_PARENT_YOUNGER": lambda b: {p(new(b["poor"], 55, "2", "12", has_pension_insurance=True))},
    "P13_GRANDCHILD_AGE": lambda b: {p(new(b["exited"], 20, "1", "07"))},
    "P14_HEAD_MINOR": lambda b: {p(upd(head(b["guizhou"]), birth_date=born(15)))},
    "P15_SPOUSE_MINOR": lambda b: {p(upd(spouse(b["poor"]), birth_date=born(17)))},
    "P16_AGE_IMPLAUSIBLE": lambda b: {p(new(b["poor"], 115, "2", "18", labour_skill=""))},
    "L01_CHILD_LABOUR": lambda b: {p(upd(child(b["poor"]), labour_skill="01"))},
    "L02_OLD_LABOUR": lambda b: {p(new(b["exited"], 75, "1", "11", labour_skill="01"))},
    "L03_ILL_FULL_LABOUR": lambda b: {p(upd(spouse(b["poor"]), health="03"))},
    "L04_DISABLED_FULL_LABOUR": lambda b: {p(upd(spouse(b["poor"]), health="04", disability_category="04",
                                                 disability_grade="01", labour_skill="02"))},
    "L05_NO_LABOUR_BUT_WORKING": lambda b: {p(upd(head(b["exited"]), labour_skill="05"))},
    "L06_PUPIL_LABOUR": lambda b: {p(upd(child(b["guizhou"]), labour_skill="01"))},
    "L07_LABOUR_BLANK": lambda b: {p(upd(spouse(b["poor"]), labour_skill=""))},
    "L08_MONTHS_OVER_YEAR": lambda b: {p(upd(head(b["poor"]), work_months=9, welfare_job_months=4))},
    "L09_WORK_PLACE_MONTHS": lambda b: {p(upd(spouse(b["poor"]), work_location="01"))},
    "S01_COMPULSORY_OUT": lambda b: {p(upd(child(b["poor"]), schooling="01"))},
    "S02_PRESCHOOL_AGE": lambda b: {p(upd(child(b["poor"]), schooling="02"))},
    "S03_PRIMARY_AGE": lambda b: {p(upd(spouse(b["poor"]), schooling="04"))},
    "S04_JUNIOR_AGE": lambda b: {p(upd(head(b["exited"]), schooling="05"))},
    "S05_SENIOR_AGE": lambda b: {p(upd(spouse(b["guizhou"]), schooling="07"))},
    "S06_COLLEGE_AGE": lambda b: {p(upd(child(b["poor"]), schooling="10"))},
    "S07_EDUCATION_AGE": lambda b: {p(upd(child(b["poor"]), education="05"))},
    "S08_SCHOOLING_BLANK": lambda b: {p(upd(child(b["monitored"]), schooling=""))},
    "S09_ADULT_EDUCATION_BLANK": lambda b: {p(upd(spouse(b["poor"]), education=""))},
    "C01_NO_MEDICAL_INSURANCE": lambda b: {p(upd(spouse(b["poor"]), has_medical_insurance=False))},
    "C02_SERIOUS_WITHOUT_BASIC": lambda b: {p(upd(spouse(b["poor"]), has_medical_insurance=False,
                                                  has_serious_illness_insurance=True))},
    "C03_NO_PENSION": lambda b: {p(new(b["exited"], 65, "1", "11", has_pension_insurance=False))},
    "C04_HEALTH_BLANK": lambda b: {p(upd(spouse(b["poor"]), health=""))},
    "C05_DISABILITY_DETAIL": lambda b: {p(upd(spouse(b["poor"]), health="04"))},
    "C06_DISABILITY_NOT_DISABLED": lambda b: {p(upd(spouse(b["poor"]), disability_grade="03"))},
    "C07_HOUSING_NOT_ASSESSED": lambda b: {hh(house(b["poor"], housing_safety=""))},
    "C08_EXITED_HOUSING_UNSAFE": lambda b: {hh(house(b["exited"], housing_safety="C"))}
    if house(b["poor"], housing_safety="D") else set(),
    "C09_EXITED_WATER_UNSAFE": lambda b: {hh(house(b["exited"], water_safe=False)),
                                          hh(house(b["monitored"], water_difficult=True))},
    "C10_NO_LIVING_POWER": lambda b: {hh(house(b["guizhou"], has_living_power=False))},
    "C11_PHONE_FORMAT": lambda b: {hh(house(b["poor"], phone="1380000")), hh(house(b["guizhou"], phone="2381234567a"))}
    if house(b["exited"], phone="0886-3621234") else set(),
    "C12_PHONE_MISSING": lambda b: {hh(house(b["poor"], phone=""))},
    "C13_PHONE_SHARED": lambda b: {hh(house(b[k], phone="13900001111")) for k in ("poor", "exited", "monitored")},
    "C14_HOUSING_AREA_ZERO": lambda b: {hh(house(b["poor"], housing_area=0))},
    "C15_LIVING_NOT_COLLECTED": lambda b: {hh(house(b["poor"], water_safe=None)),
                                           hh(house(b["exited"], has_living_power=None))},
    "C16_MEDICAL_NOT_COLLECTED": lambda b: {p(upd(spouse(b["monitored"]), has_medical_insurance=None))},
    "I01_NO_INCOME": _i01,
    "I02_INCOME_TOO_LOW": lambda b: {hh(income(b["guizhou"], wage_other=1000, business=0))},
    "I03_POOR_INCOME_HIGH": lambda b: {hh(income(b["poor"], wage_other=60000))},
    "I04_EXITED_BELOW_LINE": lambda b: {hh(income(b["exited"], wage_other=9000))},
    "I05_SIZE_VS_MEMBERS": lambda b: {hh(b["poor"])} if new(b["poor"], 70, "1", "11") else set(),
    "I06_INDUSTRY_NO_BUSINESS": lambda b: {hh(income(b["exited"], business=0, wage_other=21000))},
    "I07_WELFARE_JOB_NO_WAGE": lambda b: {hh(b["monitored"])} if upd(spouse(b["monitored"]), welfare_job_months=4)
    else set(),
    "I08_DIBAO_NO_TRANSFER": lambda b: {hh(b["poor"])} if upd(spouse(b["poor"]), receives_dibao=True) else set(),
    "I09_TEKUN_NO_TRANSFER": lambda b: {hh(b["poor"])} if upd(spouse(b["poor"]), receives_tekun=True) else set(),
    "I10_DIBAO_TRANSFER_NO_RECIPIENT": lambda b: {hh(income(b["exited"], transfer_dibao=1200))},
    "I11_WAGE_NO_WORKER": lambda b: {hh(b["guizhou"])} if upd(head(b["guizhou"]), work_months=0, work_location="")
    else set(),
    "I12_WORKER_NO_WAGE": lambda b: {hh(income(b["guizhou"], wage_other=0, business=21000))},
    "I13_NEGATIVE_NET": lambda b: {hh(income(b["guizhou"], business_expense=30000))},
    "I14_PENSION_NO_ELDERLY": lambda b: {hh(income(b["poor"], transfer_pension=2000))},
    "M01_ILLNESS_NOBODY_ILL": lambda b: {risks(b["monitored"], "01")} if Measure.objects.create(
        household=b["monitored"], type="05", description="健康", start_date=dt.date(2026, 1, 1), responsible="李")
    else set(),
    "M02_DISABILITY_NOBODY_DISABLED": lambda b: {risks(b["monitored"], "03")},
    "M03_LABOUR_LACK_WITH_LABOURERS": lambda b: {risks(b["monitored"], "08")},
    "M04_SCHOOL_RISK_NO_STUDENT": lambda b: {risks(b["monitored"], "02")} if upd(child(b["monitored"]), schooling="01")
    else set(),
    "M05_ILLNESS_NO_HEALTH_MEASURE": lambda b: {risks(b["monitored"], "01")},
    "M06_SCHOOL_NO_EDUCATION_MEASURE": lambda b: {risks(b["monitored"], "02")},
    "M07_HOUSING_NO_HOUSING_MEASURE": lambda b: {risks(b["monitored"], "09")},
    "M08_WATER_NO_WATER_MEASURE": lambda b: {risks(b["monitored"], "10")},
    "M09_JOB_NO_EMPLOYMENT_MEASURE": lambda b: {rec(b["monitored"])} if Measure.objects.filter(
        household=b["monitored"], type="02").delete() else set(),
    "M10_NO_MEASURE": lambda b: {rec(b["monitored"])} if Measure.objects.filter(household=b["monitored"]).delete()
    else set(),
    "M11_HOUSING_UNSAFE_NO_RISK": lambda b: {rec(house(b["monitored"], housing_safety="C"))},
    "M12_WATER_UNSAFE_NO_RISK": lambda b: {rec(house(b["monitored"], water_safe=False))},
    "M13_DROPOUT_NO_RISK": lambda b: {rec(b["monitored"])} if upd(child(b["monitored"]), schooling="01") else set(),
    "M14_UNINSURED_NO_RISK": lambda b: {rec(b["monitored"])} if upd(spouse(b["monitored"]), has_medical_insurance=False)
    else set(),
    "M15_MONITORED_NO_RECORD": lambda b: {hh(house(b["guizhou"], status="monitored"))},
    "M16_RECORD_OPEN_NOT_MONITORED": lambda b, users: {
        f"monitoring:{monitor(b['exited'], risks=['07'], user=users['county']).pk}"},
    "M17_ASSISTED_ELIMINATION_NO_MEASURE": _m17,
    "M18_ELIMINATED_TOO_SOON": lambda b: {rec(b["monitored"])} if MonitoringRecord.objects.filter(
        household=b["monitored"]).update(ended_on=dt.date(2026, 2, 1), elimination_method="02") else set(),
    "M19_RISK_COUNT": _m19,
    "B01_DIBAO_ATTRIBUTE_NO_RECIPIENT": lambda b: {hh(house(b["poor"], attribute="02"))},
    "B02_TEKUN_ATTRIBUTE_NO_RECIPIENT": lambda b: {hh(house(b["exited"], attribute="07"))},
    "B03_DIBAO_GENERAL_ATTRIBUTE": lambda b: {hh(b["poor"])} if upd(spouse(b["poor"]), receives_dibao=True) else set(),
    "B04_DIBAO_AND_TEKUN": lambda b: {p(upd(spouse(b["poor"]), receives_dibao=True, receives_tekun=True))},
    "B05_TEKUN_WITH_LABOUR": lambda b: {p(upd(spouse(b["poor"]), receives_tekun=True))},
    "B06_SAFETY_NET_MEASURE_NO_BENEFIT": _b06,
    "B07_BENEFIT_NO_MEASURE": lambda b: {hh(b["poor"])} if upd(spouse(b["poor"]), receives_dibao=True) else set(),
    "B08_LABOUR_ONLY_SAFETY_NET": lambda b: {hh(b["poor"])} if Measure.objects.filter(household=b["poor"]).update(
        type="09") else set(),
    "B09_POOR_NO_MEASURE": lambda b: {hh(b["poor"]), hh(b["guizhou"])} if Measure.objects.filter(
        household__in=[b["poor"], b["guizhou"]]).delete() else set(),
    "B10_MEASURE_DATES": _b10,
    "V01_EXITED_VILLAGE_HIGH_INCIDENCE": lambda b: _village("533301205201", is_poor_village=True, poor_exit_year=2020),
    "V02_POOR_VILLAGE_NO_HOUSEHOLDS": lambda b: _village("533301101001", is_poor_village=True),
    "V03_EXITED_VILLAGE_NOT_POOR": lambda b: _village("533323101201", poor_exit_year=2019),
    "V04_EXITED_VILLAGE_NO_BASIC_DATA": lambda b: _village("533301205201", is_poor_village=True, poor_exit_year=2020),
    "V05_UNSAFE_EXCEEDS_HOUSEHOLDS": lambda b: _record("533301101201", households=10, unsafe_water_households=6,
                                                       dangerous_housing_households=5),
    "V06_EXITED_VILLAGE_NO_ROAD": lambda b: _record("533301205201", hardened_road=False) | _village(
        "533301205201", is_poor_village=True, poor_exit_year=2020),
    "V07_REGISTERED_EXCEED_VILLAGE": lambda b: _record("533323101201", households=0, persons=0)
    if _record("533301101201", households=1) else set(),
}


def plant(code: str, base: Any, users: Any) -> set[str]:
    """Plant the case of rule ``code``; the records the rule must find."""
    fn = PLANTS[code]
    return fn(base, users) if fn.__code__.co_argcount == 2 else fn(base)


def plant_together(codes: set[str], base: Any, users: Any) -> None:
    """Plant the cases of ``codes`` side by side, each in its own savepoint: one that does not apply on top of the
    others is left out (the caller tries it again in a later round)."""
    from django.db import transaction

    for code in sorted(codes):
        try:
            with transaction.atomic():
                plant(code, base, users)
        except Exception:  # this plant does not apply on top of the others: a later round
            pass


def _record(code: str, **fields: Any) -> set[str]:
    VillageRecord.objects.create(region_id=code, as_of=dt.date(2026, 1, 1), **{"households": 100, "persons": 400,
                                                                             **fields})
    return {f"village:{code}"}


def findings(code: str) -> set[str]:
    return set(Finding.objects.filter(rule_id=code, state=Finding.State.OPEN).values_list("record", flat=True))


def test_every_rule_has_a_planted_case():
    assert set(PLANTS) == set(RULES)


def test_the_clean_registry_has_no_findings(base):
    run = services.run_quality(actor=SYSTEM, as_of=AS_OF)
    assert run.summary["errors"] == {}
    assert run.summary["rules"] == len(RULES)
    found = {c: n for c, n in run.summary["hits"].items() if n}
    assert found == {}


@pytest.mark.parametrize("code", sorted(PLANTS))
def test_planted_case_is_found_exactly(code, base, users):
    expected = plant(code, base, users)
    assert expected
    run = services.run_quality(actor=SYSTEM, as_of=AS_OF, rule_codes=[code])
    assert run.summary["errors"] == {}
    assert findings(code) == expected
    assert Decimal(len(expected)) == run.summary["hits"][code]
