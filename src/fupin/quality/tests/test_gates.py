"""The gate on eliminating a monitoring object's risk: each unmet condition listed; the minimum period is the
rule parameter of the household's province."""

from __future__ import annotations

import datetime as dt

from fupin.lifecycle.models import Measure
from fupin.quality import services
from fupin.quality.gates import elimination_problems
from fupin.quality.tests.helpers import AS_OF, INCOME_YEAR, child
from fupin.registry.models import Household, Income, Member, PovertyLine


def test_a_household_meeting_the_policy_passes(base):
    assert elimination_problems(base["monitored"], method="01", as_of=AS_OF) == []


def test_every_unmet_condition_is_listed(base):
    h = base["monitored"]
    Household.objects.filter(pk=h.pk).update(housing_safety="C", water_difficult=True)
    Member.objects.filter(pk=child(h).pk).update(schooling="01", has_medical_insurance=False)
    Income.objects.filter(household=h).update(wage_other=10000)  # (10000 + 3000) / 3 < 6500
    Measure.objects.filter(household=h).delete()
    h.refresh_from_db()
    problems = elimination_problems(h, method="01", as_of=dt.date(2026, 2, 1))
    assert [p.split(" / ")[1] for p in problems] == [
        "monitored 3 months, fewer than 6",
        f"per-capita net income 4333.33 of {INCOME_YEAR} not above the monitoring line 6500.00",
        "1 members without basic medical insurance",
        "1 children of compulsory-school age not in school",
        "housing not safe (grade C/D or not assessed)",
        "drinking water not safe or difficult to get",
        "elimination through assistance needs measures recorded since inclusion",
    ]
    # natural elimination (自然消除) needs no measures
    assert not any("measures" in p for p in elimination_problems(h, method="02", as_of=AS_OF))


def test_a_year_without_a_monitoring_line_is_a_problem_not_a_fallback(base):
    PovertyLine.objects.filter(standard="monitoring", province="53").delete()
    assert elimination_problems(base["monitored"], method="02", as_of=AS_OF) == [
        f"{INCOME_YEAR} 年本省没有监测收入标准 / no monitoring income line for {INCOME_YEAR} in province 53"]


def test_the_minimum_period_is_the_provinces_parameter(base, users):
    services.set_parameters(actor=users["sysadmin"], code="M18_ELIMINATED_TOO_SOON", values={"min_months": 12},
                            province="53")
    assert elimination_problems(base["monitored"], method="01", as_of=AS_OF) == [
        "监测期 7 个月，不足 12 个月 / monitored 7 months, fewer than 12"]
