"""Issue #20, existence probing and empty writes, for the API writes that the access matrix sends ``{}`` only.

* With a valid body, as every role, on the object inside and outside the role's region and on a key no object has:
  a role refused the object (403 or 404) is refused the same way for the absent key, or the difference tells it that
  the object exists. Roles that may never take the action answer 403 before the object is looked up; roles that may
  answer 404 outside their region, as for an object that does not exist.
* A write with an empty body that would say nothing (an income with no component, a measure patch with no field) is
  refused with 422 and a message saying what to send, and nothing is written.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from fupin.core.models import AuditEvent
from fupin.core.tests.reliability import matrix
from fupin.core.tests.reliability.access_table import TABLE
from fupin.core.tests.reliability.world import ABSENT, ROLES, YUNNAN, build, sides

pytestmark = pytest.mark.reliability

# A valid body for every API write that names an object (in its path, or in its body as "$param": the side's object,
# or ABSENT for the absent probe). Writes whose role check cannot come before the lookup are listed in SKIPPED.
BODIES: dict[str, dict[str, Any]] = {
    "PATCH /api/v1/households/{household_id}": {"housing_safety": "B", "reason": "房屋鉴定"},
    "POST /api/v1/households/{household_id}/members": {
        "name": "新成员", "id_number": "533301199001010011", "relation": "03", "ethnicity": "01", "health": "01"},
    "PATCH /api/v1/households/{household_id}/members/{member_id}": {"education": "4", "reason": "更正"},
    "POST /api/v1/households/{household_id}/members/{member_id}/leave": {"reason": "迁出"},
    "PUT /api/v1/households/{household_id}/incomes/{year}": {"wage_other": 5000},
    "POST /api/v1/households/{household_id}/transfer": {"village_code": YUNNAN, "reason": "迁户"},
    "POST /api/v1/lifecycle/cases": {"household_id": "$household_id", "kind": "identification", "reason": "申请"},
    "POST /api/v1/lifecycle/cases/{pk}/review": {"approve": True, "reason": "评议通过", "evidence": "会议纪要"},
    "POST /api/v1/lifecycle/cases/{pk}/notice": {"days": 7},
    "POST /api/v1/lifecycle/cases/{pk}/objections": {"content": "有异议"},
    "POST /api/v1/lifecycle/cases/{pk}/audit": {"approve": True, "reason": "审核通过"},
    "POST /api/v1/lifecycle/cases/{pk}/approval": {"approve": True, "reason": "审批通过"},
    "POST /api/v1/lifecycle/cases/{pk}/withdraw": {"reason": "撤回"},
    "PATCH /api/v1/lifecycle/measures/{pk}": {"result": "已完成"},
    "POST /api/v1/monitoring/alerts/{pk}/visit": {"note": "已走访"},
    "POST /api/v1/monitoring/alerts/{pk}/dismiss": {"reason": "核实无风险"},
    "POST /api/v1/monitoring/alerts/{pk}/include": {"reason": "纳入监测"},
    "POST /api/v1/commerce/shops/{pk}/decision": {"approve": True},
    "PUT /api/v1/team/households/{household_id}/cadre": {"member_id": None, "reason": "调整帮扶责任人"},
}
SKIPPED: dict[str, str] = {}


def _fill_body(body: dict[str, Any], params: dict[str, Any] | None) -> dict[str, Any]:
    """``"$name"`` values replaced by the side's object (``params``), or by ABSENT for the absent probe."""
    def one(v: Any) -> Any:
        if isinstance(v, str) and v.startswith("$"):
            return params[v[1:]] if params is not None else ABSENT
        return v
    return {k: one(v) for k, v in body.items()}


def _write(client: Client, method: str, route: str, kind: str, params: dict[str, Any] | None, body: dict) -> int:
    path = matrix.fill(route, kind if params is not None else "absent", params)
    return client.generic(method, path, data=json.dumps(_fill_body(body, params)),
                          content_type="application/json").status_code


def _object_writes() -> list[str]:
    return [k for k, (kind, _spec) in TABLE.items() if k.split(" ")[0] in ("POST", "PUT", "PATCH")
            and k.split(" ")[1].startswith("/api/") and (kind not in ("-", "absent") or k in BODIES)]


def test_every_write_naming_an_object_is_probed():
    missing = [k for k in _object_writes() if k not in BODIES and k not in SKIPPED]
    assert not missing, f"add a valid body to BODIES in {__file__} for: {missing}"


@pytest.mark.django_db
def test_no_existence_probing_with_valid_bodies():
    world = build()
    clients = {}
    for role in ROLES[1:]:
        clients[role] = Client()
        clients[role].force_login(world.users[role])
    problems: list[str] = []
    for key, body in BODIES.items():
        method, _, route = key.partition(" ")
        kind = TABLE[key][0]
        for role in ROLES[1:]:
            inside, outside = sides(role)
            # the absent key first, then the objects: a write that succeeds must not change what the probe sees
            absent = _write(clients[role], method, route, kind, None, body)
            statuses = {"inside": _write(clients[role], method, route, kind, world.side[inside].params, body)}
            if outside is not None:
                statuses["outside"] = _write(clients[role], method, route, kind, world.side[outside].params, body)
            problems += [f"{key}: {role} {status} for the object {side} but {absent} for an absent one"
                         for side, status in statuses.items() if status in (403, 404) and status != absent]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_an_income_with_no_component_is_refused():
    from fupin.registry.models import Income

    world = build()
    clerk = Client()
    clerk.force_login(world.users["clerk"])
    pk = world.side[YUNNAN].params["pk"]
    before = (Income.objects.count(), AuditEvent.objects.count())
    for body in ({}, {"household_size": 3}, {"reason": "年度收入"}):
        r = clerk.put(f"/api/v1/households/{pk}/incomes/2021", body, content_type="application/json")
        assert r.status_code == 422, (body, r.content)
        assert "请至少填写一项收入" in r.json()["errors"]["__all__"][0]
    assert (Income.objects.count(), AuditEvent.objects.count()) == before
    # a zero income is a meaningful answer when it is said: one component sent (0) records it
    r = clerk.put(f"/api/v1/households/{pk}/incomes/2021", {"wage_other": 0}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert Income.objects.get(household_id=pk, year=2021).net_total == 0
    schema = clerk.get("/api/v1/openapi.json").json()["components"]["schemas"]["IncomeIn"]
    assert {"required": ["wage_other"]} in schema["anyOf"]


@pytest.mark.django_db
def test_a_measure_patch_with_no_field_is_refused():
    from fupin.lifecycle.models import Measure

    world = build()
    clerk = Client()
    clerk.force_login(world.users["clerk"])
    pk = world.side[YUNNAN].params["measure"]
    r = clerk.patch(f"/api/v1/lifecycle/measures/{pk}", {}, content_type="application/json")
    assert r.status_code == 422, r.content
    assert "请至少填写一项要修改的内容" in r.json()["errors"]["__all__"][0], r.json()
    r = clerk.patch(f"/api/v1/lifecycle/measures/{pk}", {"end_date": None}, content_type="application/json")
    assert r.status_code == 200, r.content  # null is a value: it clears the end date
    r = clerk.patch(f"/api/v1/lifecycle/measures/{pk}", {"result": "已完成"}, content_type="application/json")
    assert r.status_code == 200 and Measure.objects.get(pk=pk).result == "已完成"
