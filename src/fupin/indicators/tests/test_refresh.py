"""An incremental refresh after a few households change recomputes those villages and their ancestors only, writes
only rows of those regions, and gives the same values as a full rebuild (and as the recount)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from fupin.indicators import services
from fupin.indicators.models import ChangedRegion, IndicatorValue, MedianState
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


def test_regions_that_lose_their_last_household_or_gain_their_first_equal_a_full_rebuild(demo):
    """The incremental roll-up adds the changed villages' differences to the stored sums: a township whose only
    village with households is emptied loses its rows, one that gets its first household gains them."""
    period = services.ensure_period("2020")
    services.refresh(period)
    villages = Household.objects.values_list("village_id", flat=True)
    by_township: dict[str, set[str]] = {}
    for v in villages:
        by_township.setdefault(v[:9], set()).add(v)
    emptied_township = min(sorted(by_township), key=lambda t: len(by_township[t]))
    emptied = sorted(by_township[emptied_township])[0]
    county = Region.objects.get(code=emptied[:6])
    township = Region.objects.create(code=county.code + "998", name="新乡镇", level=4, parent=county)
    empty = Region.objects.create(code=township.code + "001", name="新村", level=5, parent=township)
    mover = Household.objects.exclude(village__code__startswith=emptied_township).exclude(cases__isnull=False).order_by("id").first()
    mover.village_id = empty.code
    mover.save()
    # every household of the township moves to another village (a bulk writer that sets updated_at)
    Household.objects.filter(village__code__startswith=emptied_township).update(
        village_id=Household.objects.exclude(village__code__startswith=emptied_township).exclude(pk=mover.pk)
        .values_list("village_id", flat=True).first(),
        updated_at=timezone.now())
    stored = set(IndicatorValue.objects.filter(period=period).values_list("indicator", "region_code"))
    assert ("registered_households", emptied_township) in stored
    assert ("registered_households", empty.code[:9]) not in stored

    result = services.refresh(period)
    assert not result.full
    after = _rows(period)
    assert ("registered_households", emptied_township) not in after
    assert ("registered_households", emptied) not in after
    assert after[("registered_households", empty.code[:9])][0] == 1
    services.refresh(period, full=True)
    assert _rows(period) == after


def test_medians_moved_by_their_state_equal_a_full_rebuild(demo, monkeypatch):
    """Incomes corrected round after round — some to the nation's median exactly (ties in the middle), some far below
    or above, some households leaving the registered population: the medians moved incrementally from their
    ``MedianState`` (no full recomputation) equal a full rebuild."""
    from fupin.indicators import compute

    period = services.ensure_period("2020")
    services.refresh(period, full=True)
    full_medians = []
    real = compute.income_medians

    def spy(cur, period_id, *, towns=False):
        if not towns:
            full_medians.append(period_id)
        return real(cur, period_id, towns=towns)

    monkeypatch.setattr(compute, "income_medians", spy)
    root = make_user("root", None, is_superuser=True, is_staff=True)
    incomes = list(Income.objects.filter(year=2020).select_related("household").order_by("id"))
    rng = random.Random(19)
    for round_ in range(4):
        nation = IndicatorValue.objects.get(period=period, indicator="income_median", region_code="").value
        for income in rng.sample(incomes, 7):
            size = income.household_size
            target = {"tie": nation, "low": Decimal("-50.00"), "high": Decimal("99999.00")}[rng.choice(["tie", "low", "high"])]
            components = {f: Decimal(0) for f in (*INCOME_FIELDS, "business_expense")}
            components["wage_other" if target >= 0 else "business_expense"] = abs(target) * size
            registry_services.set_income(actor=root, household=income.household, year=2020,
                                         components={**components, "household_size": size}, reason="更正")
        if round_ == 2:  # a household leaves: its income leaves every median above it
            gone = incomes[rng.randrange(len(incomes))].household
            Household.objects.filter(pk=gone.pk).update(status="removed", updated_at=timezone.now())
        result = services.refresh(period)
        assert not result.full and "median" in result.timings
        assert full_medians == []
        if round_ in (0, 3):
            after = _rows(period)
            states = set(MedianState.objects.filter(period=period).values_list("region_code", "count", "lower", "below",
                                                                                 "at_most"))
            services.refresh(period, full=True)
            assert _rows(period) == after
            assert set(MedianState.objects.filter(period=period).values_list(
                "region_code", "count", "lower", "below", "at_most")) == states
            full_medians.clear()


def test_figures_recomputed_for_every_village_write_only_the_villages_that_differ(demo):
    """Quality findings move with quality runs, which mark no village: an incremental refresh recomputes them for
    every village, but rolls up and writes only the villages whose figure changed — and equals a full rebuild."""
    from fupin.quality.models import Finding

    period = services.ensure_period("2020")
    services.refresh(period, full=True)
    finding = Finding.objects.filter(state="open").order_by("id").first()
    assert finding is not None
    Finding.objects.filter(pk=finding.pk).update(state="fixed")  # a quality run found it fixed
    before = _rows(period)
    started = IndicatorValue.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    result = services.refresh(period)
    assert not result.full
    after = _rows(period)
    village = finding.region_code
    assert after[("quality_findings", village)][0] == before[("quality_findings", village)][0] - 1
    assert after[("quality_findings", "")][0] == before[("quality_findings", "")][0] - 1
    written = set(IndicatorValue.objects.filter(period=period, updated_at__gt=started, indicator="quality_findings")
                  .values_list("region_code", flat=True))
    assert written == {village[:n] for n in (0, 2, 4, 6, 9, 12)}
    services.refresh(period, full=True)
    assert _rows(period) == after
