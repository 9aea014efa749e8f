"""The lifecycle through the API: the same services as the pages; cases outside the region answer 404,
illegal steps 422 with the bilingual message, wrong roles 403, and nothing changes on a refusal."""

from django.test import Client

from fupin.core.roles import Role
from fupin.lifecycle.models import Case, Stage, Step
from fupin.testing import make_user

from .conftest import VILLAGE

API = "/api/v1/lifecycle"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_steps_through_the_api(users, households, tree, clock):
    h = households[VILLAGE]
    h.status = "non_poor"
    h.save()
    clerk, township, county = client_for(users["clerk"]), client_for(users["township"]), client_for(users["county"])
    r = clerk.post(f"{API}/cases", {"household_id": h.pk, "kind": "identification", "year": 2019,
                                    "reason": "因病致贫", "evidence": "申请书"}, content_type="application/json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["stage"] == "applied" and r.json()["steps"][0]["action"] == "apply"

    # An illegal step: 422 with the message, nothing changes.
    r = clerk.post(f"{API}/cases/{pk}/review", {"approve": True, "reason": "通过"}, content_type="application/json")
    assert r.status_code == 422
    assert "record the minutes" in r.json()["errors"]["__all__"][0]
    # A wrong role: 403.
    r = county.post(f"{API}/cases/{pk}/review", {"approve": True, "reason": "x", "evidence": "y"},
                    content_type="application/json")
    assert r.status_code == 403 and "only clerk" in r.json()["errors"]["__all__"][0]
    assert Case.objects.get(pk=pk).stage == Stage.APPLIED and Step.objects.filter(case_id=pk).count() == 1

    r = clerk.post(f"{API}/cases/{pk}/review", {"approve": True, "reason": "通过", "evidence": "纪要"},
                   content_type="application/json")
    assert r.status_code == 200 and r.json()["stage"] == "reviewed"
    r = clerk.post(f"{API}/cases/{pk}/notice", {"days": 7}, content_type="application/json")
    assert r.json()["stage"] == "notice" and r.json()["notice_id"]
    r = township.post(f"{API}/cases/{pk}/objections", {"content": "有车", "objector": "村民"},
                      content_type="application/json")
    assert r.status_code == 201
    oid = r.json()["id"]
    clock.advance(7)
    r = township.post(f"{API}/cases/{pk}/audit", {"approve": True, "reason": "审核"}, content_type="application/json")
    assert r.status_code == 422 and "objection is still open" in r.json()["errors"]["__all__"][0]
    r = township.post(f"{API}/objections/{oid}/resolve", {"upheld": False, "resolution": "已出售"},
                      content_type="application/json")
    assert r.status_code == 200 and r.json()["upheld"] is False
    r = township.post(f"{API}/cases/{pk}/audit", {"approve": True, "reason": "审核"}, content_type="application/json")
    assert r.json()["stage"] == "audited"
    r = county.post(f"{API}/cases/{pk}/approval", {"approve": True, "reason": "同意"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["stage"] == "approved"
    assert [s["action"] for s in r.json()["steps"]] == ["apply", "review", "notice", "objection", "resolution",
                                                        "audit", "approval"]
    h.refresh_from_db()
    assert h.status == "poor"


def test_list_and_detail_are_scoped(users, households, tree):
    h = households[VILLAGE]
    h.status = "non_poor"
    h.save()
    clerk = client_for(users["clerk"])
    pk = clerk.post(f"{API}/cases", {"household_id": h.pk, "kind": "identification", "reason": "申请"},
                    content_type="application/json").json()["id"]
    listed = client_for(users["county"]).get(f"{API}/cases?page_size=10").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == pk
    other = client_for(make_user("fugong", tree["533323"], Role.COUNTY_ADMIN))
    assert other.get(f"{API}/cases").json()["count"] == 0
    assert other.get(f"{API}/cases/{pk}").status_code == 404
    r = other.post(f"{API}/cases/{pk}/withdraw", {"reason": "x"}, content_type="application/json")
    assert r.status_code == 403  # withdrawing is the clerk's: refused before the case is looked up (no probing)
    other_clerk = client_for(make_user("fugong_clerk", tree["533323101201"], Role.CLERK))
    r = other_clerk.post(f"{API}/cases/{pk}/withdraw", {"reason": "x"}, content_type="application/json")
    assert r.status_code == 404
    r = clerk.post(f"{API}/cases/{pk}/withdraw", {"reason": "申请人撤回"}, content_type="application/json")
    assert r.json()["stage"] == "withdrawn"
