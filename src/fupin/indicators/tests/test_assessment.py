"""The assessment arithmetic against a hand calculation, the choice of target, flags inherited by subtrees."""

import datetime as dt
from decimal import Decimal as D

import pytest

from fupin.indicators import assessment
from fupin.indicators.models import AssessmentScheme, AssessmentWeight, Period
from fupin.targets.models import Target

from .factories import COVER, INCIDENCE, seed, target, val, year

pytestmark = pytest.mark.usefixtures("inds")


def t(pk, prefix="", flag="", due="2020-12-31", threshold=90):
    return Target(pk=pk, indicator=COVER, scope_prefix=prefix, area_type=flag, year=dt.date.fromisoformat(due).year,
                  value=D(threshold), title=str(pk))


def period(y):
    return Period(code=str(y), kind="year", starts_on=dt.date(y, 1, 1), ends_on=dt.date(y, 12, 31))


def test_the_most_specific_target_with_the_nearest_due_date():
    targets = [t(1), t(2, due="2018-12-31"), t(3, prefix="53"), t(4, prefix="53", flag="is_sanqu_sanzhou"),
               t(5, prefix="53", flag="is_sanqu_sanzhou", due="2019-06-30"), t(6, prefix="5333")]
    pick = assessment.applicable_target
    assert pick(targets, "52", frozenset(), period(2019)).pk == 1  # only the national one applies (2020, not 2018)
    assert pick(targets, "52", frozenset(), period(2018)).pk == 2  # 2018: the one due in 2018
    assert pick(targets, "52", frozenset(), period(2024)).pk == 1  # all past: the latest
    assert pick(targets, "530102", frozenset(), period(2019)).pk == 3  # a longer prefix wins
    assert pick(targets, "530102", frozenset({"is_sanqu_sanzhou"}), period(2019)).pk == 5  # flag, nearest due
    assert pick(targets, "530102", frozenset({"is_sanqu_sanzhou"}), period(2020)).pk == 4
    assert pick(targets, "533301", frozenset({"is_sanqu_sanzhou"}), period(2019)).pk == 6  # prefix before flag
    assert pick(targets, "", frozenset(), period(2019)).pk == 1  # the nation
    assert pick([t(7, prefix="53")], "", frozenset(), period(2019)) is None


def test_scores_by_hand():
    """Three counties, weights 50 (cover, target 80), 30 (incidence, less is better, no target), 20 (cover2,
    no target):

    A: cover 100 → min(100/80, 1) = 1 → 50;   incidence 2 (lowest) → 1 → 30;    cover2 30 → (30−10)/(40−10) = .6667 → 13.334
    B: cover 60 → .75 → 37.5;                 incidence 5 → (8−5)/(8−2) = .5 → 15; cover2 40 → 1 → 20
    C: cover — → 0;                            incidence 8 → 0;                    cover2 10 → 0
    """
    from fupin.indicators import definitions

    definitions.register(definitions.Indicator("zz_test_cover2", "测试2", "percent", 1, "x", "y", scale=100))
    try:
        regions = [("A", "甲"), ("B", "乙"), ("C", "丙")]
        values = {("A", COVER): D(100), ("B", COVER): D(60),
                  ("A", INCIDENCE): D(2), ("B", INCIDENCE): D(5), ("C", INCIDENCE): D(8),
                  ("A", "zz_test_cover2"): D(30), ("B", "zz_test_cover2"): D(40), ("C", "zz_test_cover2"): D(10)}
        tgt = t(1, threshold=80)
        targets = {("A", COVER): tgt, ("B", COVER): tgt, ("C", COVER): tgt}
        rows = assessment.score_regions(regions, values, [(COVER, D(50)), (INCIDENCE, D(30)),
                                                          ("zz_test_cover2", D(20))], targets)
    finally:
        definitions.INDICATORS.pop("zz_test_cover2")
    got = {r.code: (r.total, r.rank, r.scores) for r in rows}
    assert got["A"][0] == D("93.33") and got["A"][2]["zz_test_cover2"] == D("0.6667")
    assert got["B"][0] == D("72.50") and got["B"][2][INCIDENCE] == D("0.5000")
    assert got["C"][0] == D("0.00") and got["C"][2] == {COVER: 0, INCIDENCE: 0, "zz_test_cover2": 0}
    assert [r.code for r in rows] == ["A", "B", "C"] and [r.rank for r in rows] == [1, 2, 3]


def test_less_is_better_against_a_target_and_equal_totals_share_a_rank():
    tgt = Target(indicator=INCIDENCE, value=D(2), year=2025)
    rows = assessment.score_regions(
        [("A", "甲"), ("B", "乙"), ("C", "丙"), ("D", "丁")],
        {("A", INCIDENCE): D(1), ("B", INCIDENCE): D(2), ("C", INCIDENCE): D(4), ("D", INCIDENCE): D(8)},
        [(INCIDENCE, D(10))], {(c, INCIDENCE): tgt for c in "ABCD"})
    assert [(r.code, r.total, r.rank) for r in rows] == [
        ("A", D("10.00"), 1), ("B", D("10.00"), 1), ("C", D("5.00"), 3), ("D", D("2.50"), 4)]


def test_all_equal_without_a_target_scores_full():
    rows = assessment.score_regions([("A", "甲"), ("B", "乙")], {("A", COVER): D(5), ("B", COVER): D(5)},
                                    [(COVER, D(1))], {})
    assert [r.total for r in rows] == [D("1.00"), D("1.00")] and [r.rank for r in rows] == [1, 1]


def test_assess_reads_the_scheme_year_within_the_users_subtree(tree, users):
    seed(tree)
    target(COVER, 80, "2025-12-31")
    target(COVER, 100, "2025-12-31", flag="is_sanqu_sanzhou")  # applies only to flagged areas
    tree["5333"].is_sanqu_sanzhou = True
    tree["5333"].save()
    s = AssessmentScheme.objects.create(name="乡镇考核", year=2025, level=4)
    AssessmentWeight.objects.create(scheme=s, indicator=COVER, weight=70)
    AssessmentWeight.objects.create(scheme=s, indicator=INCIDENCE, weight=30)
    result = assessment.assess(users["analyst"], s, within="53")
    # townships of 怒江 (flagged): cover target 100. 六库 95 → .95×70 = 66.5, incidence 1 lowest → 30 → 96.5
    # 古登 75 → .75×70 = 52.5, incidence 3 → (5−3)/(5−1) = .5 → 15 → 67.5;  上帕 60 → 42 + 0 = 42
    assert [(r.name, r.total, r.rank) for r in result.rows] == [
        ("六库街道", D("96.50"), 1), ("古登乡", D("67.50"), 2), ("上帕镇", D("42.00"), 3)]
    assert result.maximum == 100
    assert all(r.targets[COVER].threshold == 100 for r in result.rows)
    # the county user sees its own townships only; min–max is among them
    mine = assessment.assess(users["county"], s, within="533301")
    assert [(r.name, r.total) for r in mine.rows] == [("六库街道", D("96.50")), ("古登乡", D("52.50"))]
    # no period for the scheme's year: nothing assessed
    s.year = 2030
    assert assessment.assess(users["analyst"], s, within="53").rows == []


def test_area_flags_hold_for_the_subtree_and_village_flags_for_the_village(tree):
    tree["5333"].is_sanqu_sanzhou = True
    tree["5333"].save()
    tree["533301205201"].is_poor_village = True
    tree["533301205201"].save()
    flags = assessment.region_flags(["533301", "533301205201", "533301205", "52"], within="53",
                                    wanted=["is_sanqu_sanzhou", "is_poor_village"])
    assert flags["533301"] == {"is_sanqu_sanzhou"}
    assert flags["533301205201"] == {"is_sanqu_sanzhou", "is_poor_village"}
    assert flags["533301205"] == {"is_sanqu_sanzhou"} and flags["52"] == frozenset()
    val(year("2025"), COVER, "53", 1)  # keep the factories' import used
