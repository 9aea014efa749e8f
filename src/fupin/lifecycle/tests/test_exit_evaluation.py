"""The set-based exit evaluation agrees with an independent per-household calculation over a demo
registry on real Yunnan villages; village and county exit follow from the same query."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from fupin.lifecycle import evaluation
from fupin.lifecycle.models import PovertyLine, RuralPopulation
from fupin.regions.models import Region
from fupin.regions.services import load_regions
from fupin.registry.demo import generate
from fupin.registry.models import INCOME_FIELDS, Household

YEAR = 2020
PROVINCIAL_53 = Decimal("4300")


def independent(h, year, national, provincial):
    """Per household, in Python, straight from the dossier rows."""
    line = provincial.get(h.village_id[:2], national) if h.standard == "02" else national
    members = [m for m in h.members.all() if m.is_active]
    income = next((i for i in h.incomes.all() if i.year == year), None)
    ref = dt.date(year, 12, 31)
    unmet = []
    if income is None:
        unmet.append("fail_income")
    else:
        net = sum((getattr(income, f) for f in INCOME_FIELDS), Decimal(0)) - income.business_expense
        if not net > line * income.household_size:
            unmet.append("fail_income")

    def age(b):
        return ref.year - b.year - ((ref.month, ref.day) < (b.month, b.day))

    if any(6 <= age(m.birth_date) <= 15 and m.schooling == "01" for m in members):
        unmet.append("fail_education")
    if any(not m.has_medical_insurance for m in members):
        unmet.append("fail_medical")
    if h.housing_safety not in ("A", "B"):
        unmet.append("fail_housing")
    if not h.water_safe or h.water_difficult:
        unmet.append("fail_water")
    return unmet


@pytest.fixture
def demo(db):
    load_regions(directory=settings.DIVISIONS_DIR, provinces=["53"])
    generate(households=1500, area="53", seed=7)
    PovertyLine.objects.create(year=YEAR, standard="provincial", province="53", amount=PROVINCIAL_53)
    # Plant the rarer failures so that every criterion is exercised.
    hs = list(Household.objects.order_by("id")[:40])
    for h in hs[:10]:
        m = h.members.first()
        m.birth_date, m.schooling = dt.date(2010, 6, 1), "01"
        m.save()
    for h in hs[10:20]:
        h.members.update(has_medical_insurance=False)
    for h in hs[20:30]:
        h.incomes.filter(year=YEAR).delete()
    return Household.objects.count()


def test_set_based_evaluation_agrees_with_an_independent_calculation(demo):
    national, provincial = Decimal(4000), {"53": PROVINCIAL_53}
    rows = {
        r["pk"]: r
        for r in evaluation.evaluate(Household.objects.all(), YEAR).values("pk", "line", *evaluation.CRITERIA, "passes")
    }
    assert len(rows) == demo == 1500
    seen = dict.fromkeys(evaluation.CRITERIA, 0)
    for h in Household.objects.prefetch_related("members", "incomes"):
        expected = independent(h, YEAR, national, provincial)
        assert evaluation.unmet(rows[h.pk]) == expected, h.number
        assert rows[h.pk]["passes"] == (not expected)
        assert Decimal(rows[h.pk]["line"]) == (PROVINCIAL_53 if h.standard == "02" else national)
        for k in expected:
            seen[k] += 1
    assert all(seen.values()), seen  # every criterion fails somewhere: the comparison is not vacuous
    assert any(r["passes"] for r in rows.values())
    totals = evaluation.summary(Household.objects.all(), YEAR)
    assert totals["households"] == 1500 and totals["passing"] == sum(r["passes"] for r in rows.values())
    assert totals["fail_water"] == seen["fail_water"]


def test_village_and_county_exit_from_the_subtree(demo):
    county = Region.objects.get(code="533301")  # 泸水市, in 怒江, always in the demo
    villages = evaluation.village_exits(county.code, YEAR)
    assert villages
    v = villages[0]
    RuralPopulation.objects.update_or_create(region_id=v.code, year=YEAR, defaults={"persons": 100_000})
    again = {x.code: x for x in evaluation.village_exits(county.code, YEAR)}[v.code]
    assert again.population == 100_000 and not again.population_from_registry
    assert again.incidence == (Decimal(again.remaining_persons) / 100_000).quantize(Decimal("0.0001"))
    assert again.threshold == Decimal("0.03")  # Yunnan is western
    assert again.passes == (again.remaining_persons * 100 < 3 * 100_000)  # exact, not the rounded incidence
    area = evaluation.area_exit(county, YEAR)
    assert area.remaining_persons == sum(x.remaining_persons for x in evaluation.village_exits(county.code, YEAR))
    poor_hh = Household.objects.filter(village__code__startswith="533301", status__in=evaluation.POOR_STATUSES)
    assert area.poor_households == poor_hh.count()


def test_thresholds_are_configurable_and_lower_in_the_east(settings):
    assert evaluation.incidence_threshold("53") == Decimal("0.03")
    assert evaluation.incidence_threshold("32") == Decimal("0.02")
    settings.FUPIN_EXIT_INCIDENCE = Decimal("0.01")
    assert evaluation.incidence_threshold("3201") == Decimal("0.01")


def test_national_lines_and_lifecycle_codes_are_seeded_by_migration(db):
    from fupin.core import codes

    lines = dict(PovertyLine.objects.filter(standard="national").values_list("year", "amount"))
    assert lines == {2014: 2736, 2015: 2855, 2016: 2952, 2017: 3335, 2018: 3535, 2019: 3747, 2020: 4000}
    assert {"non_poor", "applicant"} <= set(codes.codes("household_status"))
    assert len(codes.codes("monitoring_category")) == 3 and "01" in codes.codes("risk_elimination")
    assert evaluation.lines_for(2020) == (Decimal(4000), {})
    with pytest.raises(evaluation.NoPovertyLine):
        evaluation.lines_for(2013)
