"""The welfare indicators, computed set-based by indicators.compute, against the recount of the indicator tests."""

import datetime as dt
from decimal import Decimal

import pytest

from fupin.core.permissions import SYSTEM
from fupin.indicators import services as indicator_services
from fupin.indicators.models import IndicatorValue
from fupin.indicators.tests.recount import recount, stored
from fupin.welfare import services
from fupin.welfare.models import CommitmentKind, Donor
from fupin.welfare.tests.conftest import give

pytestmark = pytest.mark.django_db


def test_welfare_indicators_equal_the_recount(need, donor, users, tree, village_households):
    give(need, donor, "3000")
    services.disburse(actor=SYSTEM, need=need, amount=Decimal("1200"), paid_on=dt.date(2026, 11, 25),
                      purpose="学费", evidence="收据 1")
    services.disburse(actor=SYSTEM, need=need, amount=Decimal("1800"), paid_on=dt.date(2026, 11, 26),
                      purpose="住宿费", evidence="收据 2")
    other = services.propose_need(actor=users["clerk"], household=village_households[1], kind="illness", story="看病。",
                                  goal=Decimal(500), consent_by="户主", consent_on=dt.date(2026, 11, 2),
                                  consent_method="witnessed")
    other = services.review_need(actor=users["township"], need=other, publish=True)
    give(other, donor, "100", "T2")
    services.withdraw_consent(actor=users["clerk"], need=other)
    enterprise = Donor.objects.create(display_name="某科技公司", kind=Donor.Kind.ENTERPRISE)
    services.save_pairing(actor=SYSTEM, enterprise=enterprise, region=tree["533301"], agreement="协议",
                          signed_on=dt.date(2026, 1, 1), year=2026, commitments={CommitmentKind.JOBS: Decimal(10)})
    period = indicator_services.ensure_period("2026")
    indicator_services.refresh(period)
    codes = ("welfare_needs_published", "welfare_needs_met", "welfare_money_raised", "welfare_money_disbursed",
             "welfare_households_helped", "welfare_pairings")
    want = {k: v for k, v in recount(period).items() if k[0] in codes}
    got = {k: v for k, v in stored(period).items() if k[0] in codes}
    assert got == want
    assert IndicatorValue.objects.get(period=period, indicator="welfare_money_raised", region_code="53").value == 3100
    assert IndicatorValue.objects.get(period=period, indicator="welfare_needs_published", region_code="").value == 1
    assert IndicatorValue.objects.get(period=period, indicator="welfare_needs_met", region_code="533301").value == 1
    assert IndicatorValue.objects.get(period=period, indicator="welfare_pairings", region_code="5333").value == 1
