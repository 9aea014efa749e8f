"""The income chart's axis is time: 2018, 2019, 2020 and 2025 are not drawn as four evenly spaced years
(issue 21); the missing years are gaps in the page's chart and in the printed SVG."""

import pytest

from fupin.registry import portrait, svgchart


@pytest.mark.django_db
def test_missing_years_are_gaps():
    incomes = [{"year": y, "wage_other": 1000 * (y - 2017), "household_size": 2} for y in (2018, 2019, 2020, 2025)]
    series = portrait.income_series({"incomes": incomes})
    assert series["years"] == list(range(2018, 2026))
    assert series["per_capita"][3:7] == [None, None, None, None]
    assert series["per_capita"][7] is not None
    svg = str(svgchart.income_svg(series))
    assert ">2023<" in svg and svg.count("<circle") == 4
