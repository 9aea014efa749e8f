"""A township reviewer works through its alert queue, ranked by risk score; visits, dismisses and includes a
household as a monitoring object, which opens the lifecycle procedure; other regions' alerts do not exist."""

import datetime as dt

import pytest
from django.urls import reverse

from fupin import testing
from fupin.core.models import AuditEvent
from fupin.core.permissions import SYSTEM
from fupin.core.roles import Role
from fupin.lifecycle import services as lifecycle
from fupin.lifecycle.models import Case, Kind, MonitoringRecord, Stage, Step
from fupin.monitoring import services
from fupin.monitoring.models import Alert
from fupin.registry.models import Household, HouseholdVersion

from .conftest import AS_OF


@pytest.fixture
def alerts(planted):
    # the water household also has unsafe housing: two alerts, 20 + 30 points, ranked above income (40)
    Household.objects.filter(pk=planted["water"].pk).update(housing_safety="D")
    services.run_rules(actor=SYSTEM, as_of=AS_OF)
    return {name: Alert.objects.filter(household=h).order_by("id").first() for name, h in planted.items()}


def test_queue_shows_only_the_township_households_ranked_by_risk(client, users, planted, alerts):
    client.force_login(users["township"])
    page = client.get(reverse("monitoring_queue")).content.decode()
    numbers = {name: planted[name].number for name in planted}
    assert numbers["elsewhere"] not in page and numbers["poor"] not in page and numbers["none"] not in page
    order = sorted(["water", "income", "housing", "school", "drop"], key=lambda n: page.index(numbers[n]))
    assert order[:2] == ["water", "income"]  # 50, then 40
    assert "住房安全无保障" in page and "饮水安全无保障" in page and ">50<" in page
    other = alerts["elsewhere"]
    assert client.get(reverse("monitoring_alert", args=[other.pk])).status_code == 404
    r = client.post(reverse("monitoring_alert", args=[other.pk]), {"action": "dismiss", "reason": "x"})
    assert r.status_code == 404
    assert Alert.objects.get(pk=other.pk).state == Alert.State.NEW


def test_visit_and_dismiss_are_recorded(client, users, alerts):
    a = alerts["housing"]
    client.force_login(users["township"])
    page = client.get(reverse("monitoring_alert", args=[a.pk])).content.decode()
    # the evidence in words: its label, never the raw key (issue 21)
    assert "住房安全等级为 C 级或 D 级" in page and "住房安全" in page and "housing_safety" not in page
    r = client.post(reverse("monitoring_alert", args=[a.pk]), {"action": "visit", "note": "入户查看，墙体开裂"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.state == Alert.State.VISITED and a.visit_note == "入户查看，墙体开裂"
    v = HouseholdVersion.objects.filter(household=a.household).latest("id")
    assert "防返贫预警" in v.reason and "入户查看" in v.reason and v.username == "township"
    client.post(reverse("monitoring_alert", args=[a.pk]), {"action": "dismiss", "reason": ""})
    assert Alert.objects.get(pk=a.pk).state == Alert.State.VISITED  # a reason is required
    client.post(reverse("monitoring_alert", args=[a.pk]), {"action": "dismiss", "reason": "已完成危房改造"})
    a.refresh_from_db()
    assert a.state == Alert.State.DISMISSED and a.resolved_by == users["township"]
    assert AuditEvent.objects.filter(object_type="monitoring.alert", object_id=str(a.pk)).count() == 2


def test_clerk_cannot_decide(client, users, alerts):
    client.force_login(users["clerk"])
    a = alerts["housing"]
    client.post(reverse("monitoring_alert", args=[a.pk]), {"action": "dismiss", "reason": "x"})
    assert Alert.objects.get(pk=a.pk).state == Alert.State.NEW


def test_include_opens_the_monitoring_procedure_and_the_chain_makes_the_household_monitored(
        client, users, tree, alerts, monkeypatch):
    a = alerts["water"]
    household = a.household
    client.force_login(users["township"])
    client.post(reverse("monitoring_alert", args=[a.pk]), {"action": "visit", "note": "饮水困难属实"})
    r = client.post(reverse("monitoring_alert", args=[a.pk]), {"action": "include", "reason": "饮水、住房均无保障"})
    assert r.status_code == 302
    case = Case.objects.get(household=household)
    assert case.kind == Kind.MONITORING and case.stage == Stage.APPLIED and case.category == "01"
    assert sorted(case.risks) == ["09", "10"]
    assert case.steps.get().origin == "verification"
    both = Alert.objects.filter(household=household)
    assert {x.state for x in both} == {Alert.State.INCLUDED} and {x.case_id for x in both} == {case.pk}
    household.refresh_from_db()
    assert household.status == "exited"  # unchanged until the county approves
    assert "纳入监测" in HouseholdVersion.objects.filter(household=household).latest("id").reason
    # the ordinary chain: village review and notice, township audit, county approval
    lifecycle.review(actor=users["clerk"], case=case, approve=True, reason="评议通过", evidence="会议纪要")
    lifecycle.start_notice(actor=users["clerk"], cases=[case])
    monkeypatch.setattr(lifecycle.common, "today", lambda: dt.date.today() + dt.timedelta(days=8))
    second = testing.make_user("township2", tree["533301205"], Role.TOWNSHIP_REVIEWER)
    lifecycle.township_audit(actor=second, case=case, approve=True, reason="审核通过")
    lifecycle.county_approval(actor=users["county"], case=case, approve=True, reason="批准")
    household.refresh_from_db()
    assert household.status == "monitored"
    assert MonitoringRecord.objects.get(household=household).risks == case.risks
    assert Step.objects.filter(case=case).count() == 5  # apply, review, notice, audit, approval
    # the flow statistics count it, in the township's region and not elsewhere
    today = dt.date.today()
    r = client.get(reverse("monitoring_flows") + f"?start={today}&end={today + dt.timedelta(days=1)}&format=csv")
    body = b"".join(r.streaming_content).decode()
    rows = {line.split(",")[1]: line.split(",")[3:] for line in body.splitlines()[1:]}
    assert rows["monitoring"] == ["1", "3"]  # one household, three persons
    assert rows["exit"] == ["0", "0"] and rows["WATER_UNSAFE"] == ["1", "1/0"]
    client.force_login(testing.make_user("fugong", tree["533323101"], Role.TOWNSHIP_REVIEWER))
    body = b"".join(client.get(reverse("monitoring_flows") + f"?start={today}&end={today}&format=csv")
                    .streaming_content).decode()
    assert ",monitoring," in body and {line.split(",")[1]: line.split(",")[3:] for line in body.splitlines()[1:]
                                       }["monitoring"] == ["0", "0"]
    page = client.get(reverse("monitoring_flows")).content.decode()
    assert "Flow statistics" in page or "流动" in page


def test_the_lifecycle_refusal_is_shown(client, users, alerts):
    a = alerts["drop"]  # a non-registered household ...
    Household.objects.filter(pk=a.household_id).update(status="poor")  # ... that became poor meanwhile
    client.force_login(users["township"])
    r = client.post(reverse("monitoring_alert", args=[a.pk]), {"action": "include", "reason": "收入下降"}, follow=True)
    assert "cannot start monitoring" in r.content.decode() or "不能办理此程序" in r.content.decode()
    assert Alert.objects.get(pk=a.pk).state == Alert.State.NEW and not Case.objects.filter(household=a.household).exists()
