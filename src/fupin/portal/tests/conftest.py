import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from fupin import testing
from fupin.indicators.models import IndicatorValue, Period
from fupin.lifecycle.models import Case, Notice
from fupin.portal import demo as portal_demo
from fupin.welfare import demo as welfare_demo

VILLAGE = "533301205201"  # 季加村委会
SMALL_VILLAGE = "533301101201"  # 赖茂村委会


def post_notice(village, households, user, kind="exit"):
    today = timezone.localdate()
    notice = Notice.objects.create(village=village, kind=kind, year=today.year, starts_on=today - dt.timedelta(days=1),
                                   ends_on=today + dt.timedelta(days=6), created_by=user)
    for h in households:
        Case.objects.create(household=h, kind=kind, stage="notice", year=today.year, reason="demo", opened_by=user,
                            notice=notice)
    return notice


def freeze_demo_year():
    """A frozen year with figures for the nation, 云南, 怒江 and two counties (one below five households)."""
    p = Period.objects.create(code="2025", kind="year", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31),
                              frozen_at=timezone.now())
    now = timezone.now()
    rows = [("", 0, 40, 1.2), ("53", 1, 40, 1.2), ("52", 1, 6, 0.5), ("5333", 2, 40, 1.2), ("533301", 3, 37, 1.4),
            ("533323", 3, 3, 0.4)]
    for code, level, households, incidence in rows:
        IndicatorValue.objects.create(period=p, indicator="registered_households", region_code=code, level=level,
                                      numerator=households, value=households, updated_at=now)
        IndicatorValue.objects.create(period=p, indicator="incidence", region_code=code, level=level,
                                      numerator=1, denominator=100, value=Decimal(str(incidence)), updated_at=now)
    return p


@pytest.fixture
def demo_site(tree, users):
    """The demo of the welfare platform and the portal over the test tree: 25 households in one village, 3 in a
    small one, a notice, a frozen year."""
    village = [testing.make_household(tree[VILLAGE], phone=f"1390871{i:04d}") for i in range(25)]
    small = [testing.make_household(tree[SMALL_VILLAGE], phone=f"1370871{i:04d}") for i in range(3)]
    welfare_demo.create("533301", needs=6)
    portal_demo.create()
    post_notice(tree[VILLAGE], village[18:24], users["township"])  # six entries: joins stay ambiguous
    freeze_demo_year()
    return {"village": village, "small": small}
