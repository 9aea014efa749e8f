"""An incremental refresh after a few households change recomputes those villages and their ancestors only, writes
only rows of those regions, and gives the same values as a full rebuild (and as the recount)."""

from __future__ import annotations

import datetime as dt

import pytest

from fupin.indicators import services
from fupin.indicators.models import ChangedRegion, IndicatorValue
from fupin.indicators.tests.recount import build_demo, recount
from fupin.lifecycle.models import Case, RuralPopulation
from fupin.regions.models import Region
from fupin.registry import idnumber
from fupin.registry import services as registry_services
from fupin.registry.models import INCOME_FIELDS, Household, Income
from fupin.testing import make_user


@pytest.fixture
def demo(tree, users, settings):
    settings.FUPIN_INDICATOR_REFRESH_OVERLAP = 0
    build_demo(tree, users)
    return users


def _rows(period):
    return {(v.indicator, v.region_code): (v.numerator, v.denominator, v.value)
            for v in IndicatorValue.objects.filter(period=period)}


def _ancestors(codes):
    return {c[:n] for c in codes for n in (0, 2, 4, 6, 9, 12)}


def test_incremental_refresh_touches_only_the_changed_villages_and_equals_a_full_rebuild(demo):
    period = services.ensure_period("2020")
    assert services.refresh(period).full
    villages = sorted(set(Household.objects.filter(village__code__startswith="53").values_list("village_id", flat=True)))
    assert len(villages) > 8
    with_cases = set(Case.objects.values_list("household_id", flat=True))
    pick = [h for h in (Household.objects.filter(village_id=v).exclude(pk__in=with_cases).order_by("id").first()
                        for v in villages) if h][:5]
    assert len(pick) == 5
    villages = [h.village_id for h in pick] + [v for v in villages if v not in {h.village_id for h in pick}]
    # 1. a status change (saved by the lifecycle services in real life)
    pick[0].status, pick[0].exit_year = "exited", 2020
    pick[0].save()
    # 2. a member added through the registry service (members have no timestamp: the service marks the village)
    root = make_user("root", None, is_superuser=True, is_staff=True)
    registry_services.add_member(actor=root, household=pick[1], reason="出生", data={
        "name": "新成员", "id_number": idnumber.make(idnumber.issuing_code("533301", 2012), dt.date(2012, 3, 4), 7, "1"), "sex": "1",
        "birth_date": dt.date(2012, 3, 4), "relation": "03", "ethnicity": "01", "health": "01", "schooling": "01"})
    # 3. a household moved to another village: both villages change
    target = villages[-1]
    moved = Household.objects.get(pk=pick[2].pk)
    moved.village_id = target
    moved.save()
    # 4. a household deleted (no service deletes households; a writer that does marks its village)
    Household.objects.filter(pk=pick[3].pk).delete()
    services.mark_changed([villages[3]])
    # 5. a rural population figure (written by the admin site, which marks the region)
    RuralPopulation.objects.update_or_create(region_id=villages[4], year=2019, defaults={"persons": 4321})
    services.mark_changed([villages[4]])
    # 6. a yearly income through the registry service (no timestamp either)
    income = Income.objects.filter(household=pick[4], year=2020).first()
    assert income is not None
    components = {f: getattr(income, f) for f in (*INCOME_FIELDS, "business_expense", "household_size")}
    components["business"] += 5000
    registry_services.set_income(actor=root, household=pick[4], year=2020, components=components, reason="更正")
    changed = {villages[0], villages[1], villages[2], target, villages[3], villages[4]}

    before = _rows(period)
    started = IndicatorValue.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    result = services.refresh(period)
    assert not result.full
    assert result.villages == len(changed)
    assert set(result.touched) == _ancestors(changed)
    written = IndicatorValue.objects.filter(period=period, updated_at__gt=started)
    assert written.exists()
    assert set(written.values_list("region_code", flat=True)) <= _ancestors(changed)
    after = _rows(period)
    assert after != before
    # every value untouched outside the changed regions
    for key, value in before.items():
        if key[1] not in _ancestors(changed):
            assert after.get(key) == value, key
    # the same as the recount and as a full rebuild
    want = recount(period)
    assert {k: (v[0], v[1]) for k, v in after.items() if k[0] != "income_median"} == {
        k: v for k, v in want.items() if k[0] != "income_median"}
    services.refresh(period, full=True)
    assert _rows(period) == after


def test_nothing_changed_nothing_written(demo):
    period = services.ensure_period("2020")
    services.refresh(period)
    result = services.refresh(period)
    assert (result.villages, result.written, result.deleted) == (0, 0, 0)


def test_bulk_writers_mark_regions(demo):
    period = services.ensure_period("2020")
    services.refresh(period)
    services.mark_changed(["533301"])  # a county: all its villages
    result = services.refresh(period)
    county_villages = set(Region.objects.filter(level=5, code__startswith="533301").values_list("code", flat=True))
    assert result.villages == len(county_villages)
    assert {c for c in result.touched if len(c) == 12} == county_villages
    assert ChangedRegion.objects.filter(code="533301").exists()


@pytest.mark.parametrize("status,medians", [("exited", False), ("removed", True)])
def test_medians_are_recomputed_only_when_an_income_of_the_year_changes(demo, status, medians):
    period = services.ensure_period("2020")
    services.refresh(period)
    h = Household.objects.filter(status="poor", incomes__year=2020).order_by("id").first()
    h.status, h.exit_year = status, 2020 if status == "exited" else None
    h.save()  # exited: still registered, same income; removed: its income leaves every median
    result = services.refresh(period)
    assert result.villages == 1 and result.households == (0 if medians else 1)  # facts written
    assert ("median" in result.timings) is medians
    after = _rows(period)
    services.refresh(period, full=True)
    assert _rows(period) == after
