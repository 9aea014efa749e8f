"""Registered poor (建档立卡), households out of poverty (脱贫户) and monitoring objects (监测对象, by kind) are separate
populations; 三保障 is named for what it measures, with the share meeting every exit criterion beside it (issue 23
items 4 and 5)."""

from decimal import Decimal

from fupin.indicators import definitions, services
from fupin.indicators.models import IndicatorValue
from fupin.lifecycle.models import Case, MonitoringRecord
from fupin.registry.models import Income
from fupin.testing import make_household

VILLAGE = "533301205201"


def _values(period):
    return {v.indicator: (v.numerator, v.denominator) for v in IndicatorValue.objects.filter(period=period,
                                                                                             region_code=VILLAGE)}


def test_a_monitoring_object_never_registered_is_not_registered_poor(tree, users):
    v = tree[VILLAGE]
    make_household(v, status="poor")  # income below the 2020 line
    out = make_household(v, status="exited", exit_year=2019)
    Income.objects.filter(household=out, year=2020).update(wage_other=30000)  # well above the line
    marginal = make_household(v, status="monitored")  # 边缘易致贫户: never registered, never exited
    case = Case.objects.create(household=marginal, kind="monitoring", year=2020, reason="r", opened_by=users["county"],
                               stage="approved", previous_status="non_poor")
    MonitoringRecord.objects.create(household=marginal, category="02", risks=["01"], started_on="2020-03-01",
                                    included_by=case)
    unstable = make_household(v, status="monitored", exit_year=2018)  # 脱贫不稳定户: registered, out of poverty
    period = services.ensure_period("2020")
    services.refresh(period)
    got = _values(period)
    assert got["registered_households"][0] == 3  # the poor, the exited and the unstable one
    assert got["registered_persons"][0] == 9
    assert got["poor_households"][0] == 1
    assert got["exited_total_households"][0] == 2  # 脱贫户: the exited and the unstable one
    assert got["monitoring_objects"][0] == 2 and got["monitoring_persons"][0] == 6
    assert (got["monitoring_unstable"][0], got["monitoring_marginal"][0], got["monitoring_sudden"][0]) == (1, 1, 0)
    assert got["assurance_met"] == (Decimal(3), Decimal(3))  # over registered households only
    assert got["exit_criteria_met"] == (Decimal(1), Decimal(3))  # only the exited one's income is above the line
    assert unstable.pk


def test_names_promise_what_they_measure():
    assert str(definitions.get("assurance_met").name) == "Three guarantees and safe water met"
    both = definitions.get("exit_criteria_met")
    assert both.group == definitions.get("assurance_met").group  # shown beside it
    assert "income" in str(both.numerator)
