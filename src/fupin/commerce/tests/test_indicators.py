"""The commerce indicators, computed set-based by indicators.compute, against figures counted by hand."""

import datetime as dt
from decimal import Decimal

from fupin.commerce import services
from fupin.commerce.models import Tier
from fupin.indicators import services as indicator_services
from fupin.indicators.models import IndicatorValue


def test_commerce_indicators_by_hand(shop, bureau, operator, households):
    services.set_populous_villages(actor=bureau, codes=["533301205201", "533301101201"])
    services.save_station(actor=bureau, region_code="533301205201", tier=Tier.VILLAGE_POINT, name="季加村服务点",
                          opened_on=dt.date(2019, 1, 1))
    services.save_station(actor=bureau, region_code="533301101", tier=Tier.TOWNSHIP_STATION, name="六库街道站")
    h = households["533301205201"]
    for day, qty in ((dt.date(2021, 3, 1), "10"), (dt.date(2021, 6, 1), "2.5"), (dt.date(2022, 1, 5), "1")):
        services.record_purchase(actor=operator, shop_id=shop.pk, household_id=h.pk, product="草果", purchased_on=day,
                                 quantity=qty, unit="kg", unit_price="12", protective_price="10")
    period = indicator_services.ensure_period("2021")
    indicator_services.refresh(period)

    def value(indicator, code):
        return IndicatorValue.objects.get(period=period, indicator=indicator, region_code=code)

    cov = value("station_populous_coverage", "533301")
    assert (cov.numerator, cov.denominator, cov.value) == (1, 2, Decimal("50.0000"))
    assert value("shop_linked_households", "53").value == 2
    income = value("purchase_income_per_household", "533301")
    assert (income.numerator, income.denominator) == (Decimal("150.00"), 2)
    assert income.value == Decimal("75.0000")  # yuan per household, not a percentage
    assert value("purchase_income_per_household", "533301205201").value == Decimal("150.0000")
