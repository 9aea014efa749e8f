"""On demo data, the unconnected ledger, the target values and the ranking agree with an independent recount
(the events replayed one by one in Python)."""

import datetime as dt
from fractions import Fraction

import pytest

from fupin.connectivity import demo, indicators, selectors, services
from fupin.connectivity.models import ConnectivityEvent, Facility
from fupin.connectivity.tests.factories import add_villages, poor_villages, replay
from fupin.regions.models import Region
from fupin.targets.models import Target

ON = dt.date(2018, 12, 31)


@pytest.fixture
def demo_data(tree, users):
    add_villages(tree, per_township=40)
    Region.objects.filter(code__startswith="5333").update(is_sanqu_sanzhou=True)
    result = demo.generate(area="53", seed=7, poor_share=0.6)
    assert result.events > 0 and result.poor_marked > 0
    return users


def test_demo_is_idempotent(demo_data):
    n = ConnectivityEvent.objects.count()
    assert demo.generate(area="53", seed=8).skipped
    assert ConnectivityEvent.objects.count() == n


def test_unconnected_ledger_matches_the_replay(demo_data):
    state = replay()
    expected = {c for c in poor_villages("53") if not state.get(c, {}).get("connected")}
    ledger = set(selectors.unconnected_ledger(demo_data["sysadmin"]).values_list("code", flat=True))
    assert ledger == expected and expected
    county = set(selectors.unconnected_ledger(demo_data["county"]).values_list("code", flat=True))
    assert county == {c for c in expected if c.startswith("533301")}


@pytest.mark.parametrize("on", [dt.date(2016, 12, 31), ON, dt.date(2020, 12, 31), None])
def test_coverage_by_county_matches_the_replay(demo_data, on):
    state = replay(on)
    got = {v.code: (v.numerator, v.denominator)
           for v in indicators.compute("poor_village_broadband", prefix="53", group_len=6, on=on)}
    want = {}
    for code in poor_villages("53"):
        n, d = want.get(code[:6], (0, 0))
        want[code[:6]] = (n + bool(state.get(code, {}).get("connected")), d + 1)
    assert got == want


def test_target_values_match_the_recount(demo_data):
    progress = {p.target.code: p for p in selectors.progress(demo_data["sysadmin"], today=dt.date(2021, 6, 1))}
    state_2018, state_2020 = replay(ON), replay(dt.date(2020, 12, 31))
    poor = poor_villages("")
    p = progress["cn-2018-poor-village-broadband"]
    assert (p.at_due.numerator, p.at_due.denominator) == (sum(bool(state_2018.get(c, {}).get("connected")) for c in poor),
                                                          len(poor))
    deep = poor_villages("", "is_sanqu_sanzhou")
    p = progress["cn-2020-sanqu-broadband"]
    assert p.at_due.denominator == len(deep) > 0
    assert p.at_due.numerator == sum(bool(state_2020.get(c, {}).get("connected")) for c in deep)
    assert p.met_at_due == (100 * p.at_due.numerator / len(deep) >= 90)
    schools = Facility.objects.filter(type="school", region__code__startswith="53")
    p = progress["yn-2020-school-broadband"]
    assert p.at_due.denominator == schools.count()
    assert p.at_due.numerator == schools.filter(connected_on__lte=dt.date(2020, 12, 31)).count()
    townships = Region.objects.filter(level=4).exclude(code__regex=r"^\d{6}0")
    with_express = Facility.objects.filter(type="express", opened_on__lte=dt.date(2020, 12, 31)).values("region")
    p = progress["yn-2020-township-express"]
    # the denominator: the townships of the counties that report express points (#23), as the indicators app's
    reporting = {c[:6] for c in Facility.objects.filter(type="express").values_list("region_id", flat=True)}
    mine = [c for c in townships.filter(code__startswith="53").values_list("code", flat=True) if c[:6] in reporting]
    assert p.at_due.denominator == len(mine) > 0
    assert p.at_due.numerator == townships.filter(code__in=mine).filter(code__in=with_express).count()
    counties = Region.objects.filter(level=3, code__startswith="53")
    assert p.counties == (counties.filter(code__in=reporting).count(), counties.count())
    assert p.met_at_due is None if p.counties[0] < p.counties[1] else p.met_at_due is not None


def test_coverage_pages_divide_by_the_reporting_counties_only(tree):
    """#23: a county without any express point or e-commerce station has not reported; its townships and villages
    are not counted as uncovered on the connectivity pages (as in the indicators)."""
    from fupin.commerce.models import Station

    assert indicators.total("township_express", prefix="53").denominator == 0  # nobody reports: no data, not 0 %
    assert indicators.reporting("township_express", prefix="53") == (0, Region.objects.filter(
        level=3, code__startswith="53").count())
    township = Region.objects.filter(level=4, code__startswith="533301").exclude(code__regex=r"^\d{6}0").first()
    Facility.objects.create(type="express", region=township, name="快递点", opened_on=dt.date(2019, 1, 1))
    v = indicators.total("township_express", prefix="53")
    rural = Region.objects.filter(level=4).exclude(code__regex=r"^\d{6}0")
    assert (v.numerator, v.denominator) == (1, rural.filter(code__startswith="533301").count())
    village = Region.objects.filter(level=5, code__startswith="533301").exclude(code__regex=r"^\d{9}[01]").first()
    Station.objects.create(tier="village", region=village, name="服务点", opened_on=dt.date(2019, 1, 1))
    v = indicators.total("village_ecommerce", prefix="")
    villages = Region.objects.filter(level=5).exclude(code__regex=r"^\d{9}[01]")
    assert (v.numerator, v.denominator) == (1, villages.filter(code__startswith="533301").count())


def test_strict_threshold():
    t = Target(value=98, strict=True)
    p = selectors.Progress(t, indicators.INDICATORS["poor_village_broadband"], None,  # type: ignore[arg-type]
                           None, indicators.Value("", 98, 100))
    assert p.met_now is False
    p.current = indicators.Value("", 99, 100)
    assert p.met_now is True


def test_ranking_matches_the_recount(demo_data):
    snap = services.freeze_ranking(actor=demo_data["sysadmin"], as_of=ON, prefix="5333")
    state = replay(ON)
    want = {}
    for code in poor_villages("5333"):
        n, d = want.get(code[:6], (0, 0))
        want[code[:6]] = (n + bool(state.get(code, {}).get("connected")), d + 1)
    rows = list(snap.rows.all())
    assert {r.region_code: (r.connected, r.villages) for r in rows} == want
    share = {c: Fraction(n, d) for c, (n, d) in want.items()}
    for r in rows:  # competition ranking: 1 + the number of regions with a strictly higher coverage
        assert r.rank == 1 + sum(1 for c in share if share[c] > share[r.region_code])
