"""The early-warning API: the township's alerts ranked by risk, masked for roles without need and audited when
clear; 404 outside the region; visit, dismiss and include through the same services; risk reports; flows."""

import datetime as dt

import pytest
from django.utils import timezone

from fupin.core.models import AuditEvent
from fupin.core.permissions import SYSTEM
from fupin.lifecycle.models import Case
from fupin.monitoring import services
from fupin.monitoring.models import Alert
from fupin.registry.models import Household

from .conftest import AS_OF

API = "/api/v1/monitoring"


@pytest.fixture
def alerts(planted):
    Household.objects.filter(pk=planted["water"].pk).update(housing_safety="D")  # 20 + 30 points
    services.run_rules(actor=SYSTEM, as_of=AS_OF)
    return planted


def _client(client, user):
    client.force_login(user)
    return client


def test_list_is_the_township_queue_ranked_and_names_are_in_clear_and_audited(client, users, alerts):
    c = _client(client, users["township"])
    r = c.get(f"{API}/alerts").json()
    numbers = {a["household_number"] for a in r["results"]}
    assert alerts["elsewhere"].number not in numbers and alerts["water"].number in numbers
    assert r["count"] == 8  # every planted alert but the other county's; water has two
    assert [a["points"] for a in r["results"]] == sorted((a["points"] for a in r["results"]), reverse=True)
    water = [a for a in r["results"] if a["household_number"] == alerts["water"].number]
    assert {a["household_risk_score"] for a in water} == {50}
    head = alerts["water"].members.get(relation="01").name
    assert water[0]["head_name"] == head
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ_PERSONAL, object_type="monitoring.alert").exists()
    r = c.get(f"{API}/alerts", {"rule": "HOUSING_UNSAFE"}).json()
    assert {a["rule"] for a in r["results"]} == {"HOUSING_UNSAFE"} and r["count"] == 2


def test_analyst_sees_names_masked(client, users, alerts):
    r = _client(client, users["analyst"]).get(f"{API}/alerts").json()
    assert r["count"] == 9  # the province: the other county too
    head = alerts["water"].members.get(relation="01").name
    shown = next(a for a in r["results"] if a["household_number"] == alerts["water"].number)["head_name"]
    assert shown != head and shown.startswith(head[0]) and "*" in shown
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ_PERSONAL, user=users["analyst"]).exists()


def test_outside_the_region_is_404_and_actions_go_through_the_services(client, users, alerts):
    c = _client(client, users["township"])
    other = Alert.objects.get(household=alerts["elsewhere"])
    assert c.get(f"{API}/alerts/{other.pk}").status_code == 404
    r = c.post(f"{API}/alerts/{other.pk}/dismiss", {"reason": "x"}, content_type="application/json")
    assert r.status_code == 404 and Alert.objects.get(pk=other.pk).state == Alert.State.NEW
    a = Alert.objects.get(household=alerts["housing"])
    d = c.get(f"{API}/alerts/{a.pk}").json()
    assert d["explanation"].startswith("住房安全等级") and d["evidence"] == {"housing_safety": "C"}
    r = c.post(f"{API}/alerts/{a.pk}/visit", {"note": "墙体开裂"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "visited" and r.json()["visit_note"] == "墙体开裂"
    r = c.post(f"{API}/alerts/{a.pk}/dismiss", {"reason": ""}, content_type="application/json")
    assert r.status_code == 422
    r = c.post(f"{API}/alerts/{a.pk}/include", {"reason": "危房"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "included"
    case = Case.objects.get(household=alerts["housing"])
    assert r.json()["case_id"] == case.pk and case.risks == ["09"]
    clerk = _client(client, users["clerk"])
    b = Alert.objects.get(household=alerts["school"])
    assert clerk.post(f"{API}/alerts/{b.pk}/dismiss", {"reason": "x"},
                      content_type="application/json").status_code == 403


def test_report_and_flows(client, users, alerts):
    c = _client(client, users["clerk"])
    today = timezone.localdate()
    r = c.post(f"{API}/reports", {"household_id": alerts["none"].pk, "kind": "accident", "occurred_on": str(today),
                                  "description": "车祸骨折", "source": "self", "reporter": "王五"},
               content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["alert_id"] == Alert.objects.get(rule="REPORTED_ACCIDENT").pk and body["reporter"] == "王五"
    r = c.post(f"{API}/reports", {"household_id": alerts["elsewhere"].pk, "kind": "accident",
                                  "occurred_on": str(today), "description": "x", "source": "self"},
               content_type="application/json")
    assert r.status_code == 404
    r = _client(client, users["analyst"]).get(f"{API}/reports").json()
    assert [x["reporter"] for x in r] == ["王*"]
    c = _client(client, users["clerk"])
    f = c.get(f"{API}/flows", {"start": str(today - dt.timedelta(days=1)), "end": str(today)}).json()
    assert f["region"] == "533301205201" and "综合保障" in f["relief_definition"]
    assert {x["kind"] for x in f["flows"]} >= {"monitoring", "relief", "exit"}
