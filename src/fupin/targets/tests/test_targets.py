"""The one targets table: what the readers ask of a target, and which targets can be judged against an indicator."""

import datetime as dt

from fupin.targets.models import Target


def test_a_target_is_due_at_the_end_of_its_year_and_limited_by_region_flags_only():
    t = Target(code="x", indicator="poor_village_broadband", value=90, year=2018, area_type="is_sanqu_sanzhou")
    assert (t.due, t.threshold, t.scope_flag) == (dt.date(2018, 12, 31), 90, "is_sanqu_sanzhou")
    assert t.area_label and t.area_label != "is_sanqu_sanzhou"  # the region model's name of the flag
    assert Target(area_type="poor_village").scope_flag == ""  # the indicator's own population, not a region flag


def test_only_targets_of_an_indicators_population_are_assessable(db):
    common = {"value": 90, "unit": "percent", "year": 2020, "source": "test"}
    Target.objects.create(code="a", title="a", indicator="school_broadband", **common)
    Target.objects.create(code="b", title="b", indicator="school_broadband", area_type="rural_school", **common)
    Target.objects.create(code="c", title="c", indicator="", **common)
    Target.objects.create(code="d", title="d", indicator="poor_village_broadband", area_type="poor_village", **common)
    assessable = set(Target.objects.filter(code__in=list("abcd")).assessable().values_list("code", flat=True))
    assert assessable == {"a", "d"}
