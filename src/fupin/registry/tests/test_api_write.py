"""Households and members written through the API: same services, same validation, scoped, audited."""

import datetime as dt

from django.test import Client

from fupin.core.models import AuditEvent
from fupin.registry import idnumber
from fupin.registry.models import Household


def client_for(user) -> Client:
    c = Client(enforce_csrf_checks=False)
    c.force_login(user)
    return c


def member(seq=3, sex="1", relation="01", birth=dt.date(1980, 2, 2)):
    return {"name": "李四", "id_number": idnumber.make(idnumber.issuing_code("533301", birth.year), birth, seq, sex),
            "relation": relation, "ethnicity": "20", "health": "01"}


def payload(**extra):
    return {"number": "533301205201990001", "village_code": "533301205201", "status": "poor", "standard": "01",
            "attribute": "01", "main_cause": "07", "identified_year": 2017, "members": [member()], **extra}


def test_register_update_and_history_through_the_api(users, tree):
    c = client_for(users["clerk"])
    r = c.post("/api/v1/households/", payload(), content_type="application/json")
    assert r.status_code == 201, r.content
    hid = r.json()["id"]
    assert r.json()["members"][0]["id_number"] == member()["id_number"]
    r = c.patch(f"/api/v1/households/{hid}", {"housing_safety": "C", "reason": "房屋鉴定"},
                content_type="application/json")
    assert r.status_code == 200 and r.json()["housing_safety"] == "C"
    r = c.put(f"/api/v1/households/{hid}/incomes/2019", {"wage_other": "5000", "business": "1000"},
              content_type="application/json")
    assert r.json()["incomes"][0]["per_capita"] == "6000.00"
    versions = c.get(f"/api/v1/households/{hid}/history").json()
    assert [v["kind"] for v in versions] == ["income", "update", "create"]
    assert AuditEvent.objects.filter(action="update", object_id=str(hid), channel="api").exists()


def test_validation_errors_are_422_with_fields(users, tree):
    bad = payload(members=[{**member(), "id_number": member()["id_number"][:17] + "0"}])
    if bad["members"][0]["id_number"] == member()["id_number"]:
        bad["members"][0]["id_number"] = member()["id_number"][:17] + "1"
    r = client_for(users["clerk"]).post("/api/v1/households/", bad, content_type="application/json")
    assert r.status_code == 422
    assert "check digit" in r.json()["errors"]["members.0.id_number"][0]
    assert not Household.objects.exists()


def test_writes_outside_scope_or_role_are_refused(users, tree, households):
    r = client_for(users["clerk"]).post("/api/v1/households/", payload(village_code="533301101001"),
                                        content_type="application/json")
    assert r.status_code == 403
    r = client_for(users["analyst"]).post("/api/v1/households/", payload(), content_type="application/json")
    assert r.status_code == 403
    other = households["533323101201"]
    r = client_for(users["county"]).patch(f"/api/v1/households/{other.pk}", {"reason": "x", "housing_safety": "A"},
                                          content_type="application/json")
    assert r.status_code == 404


def test_member_leaves_and_history_masks_for_analysts(users, tree):
    c = client_for(users["clerk"])
    hid = c.post("/api/v1/households/", payload(members=[member(), member(seq=4, sex="2", relation="02")]),
                 content_type="application/json").json()["id"]
    spouse = Household.objects.get(pk=hid).members.get(relation="02")
    r = c.post(f"/api/v1/households/{hid}/members/{spouse.pk}/leave", {"reason": "迁出"},
               content_type="application/json")
    assert r.status_code == 200 and len(r.json()["members"]) == 1
    analyst_view = client_for(users["analyst"]).get(f"/api/v1/households/{hid}/history").json()
    member_changes = [ch for v in analyst_view for ch in v["changes"] if ch["path"].startswith("members.")]
    assert member_changes and all(ch["new"] == "***" for ch in member_changes)
    assert spouse.id_number not in str(analyst_view)
