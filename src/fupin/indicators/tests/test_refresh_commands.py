"""The commands and the background task call the same services: refresh (incremental after the first), freeze with
its refusal, and the task's summary."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fupin.indicators.models import IndicatorValue, Period
from fupin.indicators.tasks import refresh_indicators
from fupin.indicators.tests.recount import build_demo


@pytest.fixture
def demo(tree, users, settings):
    settings.FUPIN_INDICATOR_REFRESH_OVERLAP = 0
    build_demo(tree, users, households=60)
    return users


def test_refresh_and_freeze_commands(demo):
    out = StringIO()
    call_command("refresh_indicators", period="2020", verbosity=0, stdout=out)
    assert "2020: full rebuild" in out.getvalue()
    assert IndicatorValue.objects.filter(period_id="2020").exists()
    out = StringIO()
    call_command("refresh_indicators", period="2020", verbosity=0, stdout=out)
    assert "0 changed villages" in out.getvalue() and "0 values written" in out.getvalue()
    call_command("freeze_indicators", "2020", stdout=StringIO())
    assert Period.objects.get(code="2020").is_frozen
    with pytest.raises(CommandError, match="frozen"):
        call_command("refresh_indicators", period="2020", verbosity=0, stdout=StringIO())
    with pytest.raises(CommandError, match="not a period"):
        call_command("refresh_indicators", period="20xx", verbosity=0, stdout=StringIO())


def test_task_refreshes_every_open_period(demo):
    Period.objects.get_or_create(code="2020", defaults={"kind": "year", "starts_on": "2020-01-01",
                                                        "ends_on": "2020-12-31"})
    result = refresh_indicators.call()
    periods = {r["period"] for r in result}
    assert "2020" in periods and len(periods) == 3  # 2020, the current year and the current month
    assert all(r["full"] for r in result)
