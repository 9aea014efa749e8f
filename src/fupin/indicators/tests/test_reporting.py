"""An indicator whose source a county has not collected is "no data" there, not 0 %; a roll-up sums the reporting
counties only and says how many reported; a target is judged only where every county reported (issue 23 item 3)."""

from decimal import Decimal

from django.urls import reverse

from fupin.commerce.models import Station
from fupin.indicators import assessment, services
from fupin.indicators.models import IndicatorValue
from fupin.targets.models import Target


def test_areas_that_collect_nothing_are_no_data_and_roll_ups_give_the_reporting_rate(tree, users, client):
    # 泸水市 (533301) keeps e-commerce records: one of its two rural villages has a station. 福贡县 and 南明区 none.
    Station.objects.create(tier="village", region=tree["533301205201"], name="季加村电商服务站")
    period = services.ensure_period("2020")
    services.refresh(period)

    def row(code):
        return IndicatorValue.objects.get(period=period, indicator="village_ecommerce", region_code=code)

    county = row("533301")
    assert (county.numerator, county.denominator, county.value) == (1, 2, Decimal("50.0000"))
    assert (county.expected, county.reporting) == (1, 1)
    guizhou = row("52")
    assert guizhou.value is None and guizhou.no_data and (guizhou.expected, guizhou.reporting) == (1, 0)
    assert row("533323").no_data
    assert not IndicatorValue.objects.filter(period=period, indicator="village_ecommerce",
                                             region_code="533323101201").exists()
    nation = row("")
    assert (nation.numerator, nation.denominator, nation.value) == (1, 2, Decimal("50.0000"))  # not 1 of 4 villages
    assert (nation.expected, nation.reporting) == (3, 1)
    assert nation.reporting_rate == "reported by 1 of 3 counties"
    # the national target is not judged on a third of the counties; 泸水市's is
    Target.objects.create(code="t-ecommerce-all", indicator="village_ecommerce", value=100, year=2020, title="全覆盖",
                          unit="percent", source="test")
    figs = {f.indicator.code: f for f in assessment.figures(users["sysadmin"], period, "")}
    assert figs["village_ecommerce"].value == Decimal("50.0000") and figs["village_ecommerce"].met is None
    figs = {f.indicator.code: f for f in assessment.figures(users["sysadmin"], period, "533301")}
    assert figs["village_ecommerce"].met is False
    # the pages say so
    client.force_login(users["sysadmin"])
    body = client.get(reverse("indicators_ranking"), {"period": "2020", "indicator": "village_ecommerce",
                                                      "within": "", "level": 1}).content.decode()
    assert "无数据" in body
