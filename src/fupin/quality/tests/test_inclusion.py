"""Issue 14 item 3: an inclusion (identification, new poverty, monitoring object) with an implausible income needs a
stated reason, kept with the case."""

from __future__ import annotations

import pytest

from fupin.core import codes
from fupin.core.roles import Role
from fupin.lifecycle import services as lifecycle
from fupin.lifecycle.services.common import LifecycleError
from fupin.quality.gates import inclusion_doubts
from fupin.quality.tests.helpers import INCOME_YEAR
from fupin.registry.models import Income
from fupin.testing import make_user


def test_an_income_far_above_the_line_needs_a_reason_to_include(base, tree):
    h = base["exited"]
    assert inclusion_doubts(h, kind="monitoring", year=INCOME_YEAR + 1) == []  # a plausible income: no doubt
    Income.objects.filter(household=h).update(wage_other=60000)
    [doubt] = inclusion_doubts(h, kind="monitoring", year=INCOME_YEAR + 1)
    assert "above 1.5 × the line 6500.00" in doubt
    clerk = make_user("clerk_laimao", tree["533301101201"], Role.CLERK)
    risk = sorted(codes.codes("monitoring_risk"))[0]
    with pytest.raises(LifecycleError) as exc:
        lifecycle.open_case(actor=clerk, household=h, kind="monitoring", reason="因病", category="01", risks=[risk])
    assert "income_reason" in str(exc.value) and "6500.00" in str(exc.value)
    case = lifecycle.open_case(actor=clerk, household=h, kind="monitoring", reason="因病", category="01", risks=[risk],
                               income_reason="2025 年务工收入为一次性工伤赔偿，2026 年已无收入")
    assert "一次性工伤赔偿" in case.evidence and "6500.00" in case.evidence


def test_an_implausibly_low_income_is_a_doubt_too(base):
    h = base["poor"]
    Income.objects.filter(household=h).update(wage_other=0, business=0, property_dividend=0, transfer_other=0,
                                              transfer_dibao=0, transfer_pension=0, transfer_ecological=0, reward=0)
    doubts = inclusion_doubts(h, kind="identification", year=INCOME_YEAR)
    assert any("implausibly below 1000" in d for d in doubts)
