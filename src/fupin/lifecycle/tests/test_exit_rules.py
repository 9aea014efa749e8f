"""Exit thresholds compared exactly, no population is no data, and county exit rules as province parameters
(issue 23 items 1, 2 and 8)."""

from decimal import Decimal

from fupin.lifecycle import evaluation
from fupin.lifecycle.evaluation import AreaExit
from fupin.lifecycle.models import RuralPopulation
from fupin.testing import make_household

YEAR = 2020


def area(population: int, remaining: int, threshold: str = "0.03") -> AreaExit:
    return AreaExit(code="533301205201", name="村", population=population, population_from_registry=False,
                    poor_households=remaining, poor_persons=remaining, remaining_households=remaining,
                    remaining_persons=remaining, threshold=Decimal(threshold))


def test_rounding_does_not_decide_an_exit():
    a = area(567, 17)  # 2.998 %, shown rounded as 0.0300
    assert a.incidence == Decimal("0.0300")
    assert a.passes and a.reasons == []
    assert not area(100, 3).passes  # exactly 3 %: not below
    assert area(100, 3).reasons == [evaluation.ABOVE_THRESHOLD]


def test_no_population_is_no_data_and_fails():
    a = area(0, 0)
    assert a.no_data and a.incidence is None
    assert not a.passes
    assert [str(r) for r in a.reasons] == [str(evaluation.NO_POPULATION)]


def _county(tree):
    poor_village, other = tree["533301205201"], tree["533301101201"]
    poor_village.is_poor_village = True
    poor_village.save()
    make_household(poor_village, size=3)  # income below the 2020 line: stays poor
    RuralPopulation.objects.create(region=poor_village, year=YEAR, persons=100)  # 3 %: the village fails
    RuralPopulation.objects.create(region=other, year=YEAR, persons=1000)  # no registered household
    return tree["533301"]


def test_county_exit_follows_the_national_text_by_default(tree):
    county = _county(tree)
    a = evaluation.area_exit(county, YEAR)
    assert a.rules == evaluation.NATIONAL_COUNTY_RULES and "厅字〔2016〕16号" in a.rules.source
    assert a.population == 1100  # every village's rural population, with registered households or not
    assert a.remaining_persons == 3 and a.failing_villages == 0
    assert a.passes


def test_county_exit_rules_are_province_parameters(tree, settings):
    county = _county(tree)
    settings.FUPIN_COUNTY_EXIT_RULES = {"53": {"poor_villages_must_pass": True,
                                               "population": "villages_with_households", "source": "某省文件"}}
    a = evaluation.area_exit(county, YEAR)
    assert a.rules.source == "某省文件"
    assert a.population == 100 and a.failing_villages == 1
    assert not a.passes and evaluation.FAILING_VILLAGES in a.reasons
    assert evaluation.county_exit_rules("52") == evaluation.NATIONAL_COUNTY_RULES
