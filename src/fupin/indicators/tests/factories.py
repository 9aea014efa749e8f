"""Rows shared by the page, assessment and report tests (rows written directly, independent of the engine):
test indicators registered for the test only, yearly periods, values and targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from fupin.core.tree import level_of
from fupin.indicators import definitions
from fupin.indicators.models import IndicatorValue, Period
from fupin.targets.models import Target

COVER = "zz_test_cover"  # more is better, a percentage
INCIDENCE = "zz_test_incidence"  # less is better, a percentage
COUNT = "zz_test_count"  # describes only

TEST_INDICATORS = (
    definitions.Indicator(COVER, "测试覆盖率", definitions.Unit.PERCENT, 1, "覆盖的村", "村", scale=100,
                          group="测试组"),
    definitions.Indicator(INCIDENCE, "测试发生率", definitions.Unit.PERCENT, -1, "发生的户", "户", scale=100,
                          group="测试组"),
    definitions.Indicator(COUNT, "测试户数", definitions.Unit.HOUSEHOLDS, 0, "户"),
)


def year(code: str) -> Period:
    y = int(code)
    return Period.objects.get_or_create(code=code, defaults={
        "kind": Period.Kind.YEAR, "starts_on": dt.date(y, 1, 1), "ends_on": dt.date(y, 12, 31),
        "refreshed_at": timezone.now()})[0]


def val(period: Period, indicator: str, region: str, value: str | int | None, numerator: str | int = 0,
        denominator: str | int | None = None) -> IndicatorValue:
    return IndicatorValue.objects.create(
        period=period, indicator=indicator, region_code=region, level=level_of(region),
        numerator=Decimal(numerator), denominator=None if denominator is None else Decimal(denominator),
        value=None if value is None else Decimal(value), updated_at=timezone.now())


def target(indicator: str, threshold: str | int, due: str, prefix: str = "", flag: str = "",
           title: str = "") -> Target:
    """A target of the one targets table (fupin.targets), due at the end of ``due``'s year."""
    year = dt.date.fromisoformat(due).year
    return Target.objects.create(code=f"t-{indicator}-{threshold}-{year}-{prefix}-{flag}".replace("_", "-")[:60],
                                 indicator=indicator, value=Decimal(threshold), unit=Target.Unit.PERCENT, year=year,
                                 scope_prefix=prefix, area_type=flag, title=title or f"{indicator} {threshold}",
                                 source="test")


def seed(tree) -> Period:
    """Values for 2024 and 2025 over the test tree (see fupin.testing.TREE)."""
    p24, p25 = year("2024"), year("2025")
    for code, cover, incidence in [("", 80, 3), ("53", 85, 2.5), ("52", 70, 4), ("5333", 85, 2.5),
                                   ("5201", 70, 4), ("533301", 90, 2), ("533323", 60, 5), ("520102", 70, 4),
                                   ("533301101", 95, 1), ("533301205", 75, 3), ("533323101", 60, 5),
                                   ("533301101001", 100, 0), ("533301101201", 90, 2), ("533301205201", 75, 3),
                                   ("533323101201", 60, 5)]:
        val(p25, COVER, code, cover, cover, 100)
        val(p25, INCIDENCE, code, incidence, incidence, 100)
        val(p25, COUNT, code, 10, 10)
        val(p24, COVER, code, cover - 10, cover - 10, 100)
    return p25
