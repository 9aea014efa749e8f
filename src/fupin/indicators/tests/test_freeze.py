"""A frozen period keeps its values whatever happens to the data later; the current period follows the data."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fupin.core.models import AuditEvent
from fupin.indicators import services
from fupin.indicators.models import HouseholdFact, IndicatorValue, MedianState, Period
from fupin.indicators.tests.recount import build_demo
from fupin.registry.models import Household


@pytest.fixture
def demo(tree, users, settings):
    settings.FUPIN_INDICATOR_REFRESH_OVERLAP = 0
    build_demo(tree, users)
    return users


def _rows(code):
    return {(v.indicator, v.region_code): (v.numerator, v.denominator, v.value, v.updated_at)
            for v in IndicatorValue.objects.filter(period_id=code)}


def test_frozen_period_unchanged_current_period_changed(demo):
    current = str(timezone.localdate().year)
    services.ensure_period("2020")
    services.refresh_open()
    assert Period.objects.filter(code__in=["2020", current]).count() == 2
    assert MedianState.objects.filter(period_id="2020").exists()
    period = services.freeze("2020", actor=demo["sysadmin"])
    assert period.is_frozen and period.frozen_by == demo["sysadmin"]
    # what only recomputation needs is dropped: the household facts and the median states
    assert not HouseholdFact.objects.filter(period_id="2020").exists()
    assert not MedianState.objects.filter(period_id="2020").exists()
    event = AuditEvent.objects.get(object_type="indicators.period", object_id="2020")
    assert event.user == demo["sysadmin"] and "2020" in event.summary
    frozen, now = _rows("2020"), _rows(current)

    # later data: every poor household of the demo exits
    for h in Household.objects.filter(status="poor"):
        h.status, h.exit_year = "exited", 2020
        h.save()
    results = services.refresh_open()
    assert "2020" not in {r.period for r in results}
    assert _rows("2020") == frozen
    after = _rows(current)
    assert after[("poor_households", "")][0] < now[("poor_households", "")][0]
    assert after[("poor_households", "")][0] == Household.objects.filter(
        status__in=["returned", "newly_poor"]).count()

    with pytest.raises(services.PeriodFrozen) as exc:
        services.refresh("2020", full=True)
    assert "已于" in str(exc.value) and "no longer refreshed" in str(exc.value)
    assert _rows("2020") == frozen


def test_a_period_that_has_not_ended_cannot_be_frozen(demo):
    code = str(timezone.localdate().year)
    services.ensure_period(code)
    with pytest.raises(services.IndicatorError, match="has not ended"):
        services.freeze(code, actor=demo["sysadmin"])
    services.ensure_period("2019")
    services.freeze("2019", actor=None)
    with pytest.raises(services.IndicatorError, match="already frozen"):
        services.freeze("2019", actor=None)


@pytest.mark.parametrize("code", ["20", "2026-13", "1999", "2026-1", "abcd"])
def test_bad_period_codes_are_refused(code, db):
    with pytest.raises(services.IndicatorError):
        services.ensure_period(code)


def test_period_bounds(db):
    p = services.ensure_period("2024-02")
    assert (p.kind, str(p.starts_on), str(p.ends_on)) == ("month", "2024-02-01", "2024-02-29")
    p = services.ensure_period("2020")
    assert (p.kind, str(p.starts_on), str(p.ends_on)) == ("year", "2020-01-01", "2020-12-31")
