"""A public notice (公示) starts today or later and runs 7 to 60 days (issue 20 A7): a notice dated in the past
would let the township audit at once, so the seven days of publicity would never have happened."""

import datetime as dt

import pytest
from django.test import Client

from fupin.lifecycle import services
from fupin.lifecycle.models import Case, Stage

from .conftest import VILLAGE

API = "/api/v1/lifecycle"


@pytest.fixture
def reviewed(users, households, tree):
    h = households[VILLAGE]
    h.status = "non_poor"
    h.save()
    case = services.open_case(actor=users["clerk"], household=h, kind="identification", year=2019,
                              reason="因病致贫", evidence="申请书")
    services.review(actor=users["clerk"], case=case, approve=True, reason="通过", evidence="纪要")
    return case


def _post(user, pk, body):
    c = Client()
    c.force_login(user)
    return c.post(f"{API}/cases/{pk}/notice", body, content_type="application/json")


@pytest.mark.parametrize("starts_on", ["0001-01-01", "yesterday"])
def test_api_refuses_a_notice_in_the_past(users, reviewed, starts_on):
    if starts_on == "yesterday":
        starts_on = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    r = _post(users["clerk"], reviewed.pk, {"days": 7, "starts_on": starts_on})
    assert r.status_code == 422, r.content
    assert "cannot start before today" in r.json()["errors"]["__all__"][0]
    assert Case.objects.get(pk=reviewed.pk).stage == Stage.REVIEWED


@pytest.mark.parametrize("days", [10**9, 10**30, 61])
def test_api_refuses_an_endless_notice(users, reviewed, days):
    r = _post(users["clerk"], reviewed.pk, {"days": days})
    assert r.status_code == 422, r.content
    assert "at most 60 days" in r.json()["errors"]["__all__"][0]


def test_the_township_cannot_audit_before_seven_days_have_passed(users, reviewed, clock):
    services.start_notice(actor=users["clerk"], cases=[reviewed], starts_on=clock.date)
    clock.advance(6)
    with pytest.raises(services.LifecycleError, match="the notice runs until"):
        services.township_audit(actor=users["township"], case=reviewed, approve=True, reason="核实")
    clock.advance(1)
    services.township_audit(actor=users["township"], case=reviewed, approve=True, reason="核实")


def test_a_notice_may_be_announced_ahead_but_not_far_ahead(users, reviewed, clock):
    with pytest.raises(services.LifecycleError, match="within 30 days"):
        services.start_notice(actor=users["clerk"], cases=[reviewed], starts_on=clock.date + dt.timedelta(days=31))
    notice = services.start_notice(actor=users["clerk"], cases=[reviewed], starts_on=clock.date + dt.timedelta(days=3))
    assert notice.ends_on == clock.date + dt.timedelta(days=9)
