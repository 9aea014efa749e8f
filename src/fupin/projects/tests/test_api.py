"""The API goes through the same services and selectors: scoped, masked, refusals as 403/422."""

import datetime as dt
from decimal import Decimal

from fupin import testing
from fupin.core.roles import Role
from fupin.projects.models import Project, Stage


def test_project_api_is_scoped_and_steps_go_through_the_services(client, users, tree, project):
    client.force_login(users["county"])
    r = client.get("/api/v1/projects/")
    assert r.status_code == 200 and [p["code"] for p in r.json()["results"]] == [project.code]
    r = client.post(f"/api/v1/projects/{project.pk}/steps/approve", {"note": "同意"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["stage"] == "approved"
    r = client.post(f"/api/v1/projects/{project.pk}/steps/notice", {"days": 3}, content_type="application/json")
    assert r.status_code == 422
    other = testing.make_user("fugong", tree["533323"], Role.COUNTY_ADMIN)
    client.force_login(other)
    assert client.get(f"/api/v1/projects/{project.pk}").status_code == 404
    assert client.post(f"/api/v1/projects/{project.pk}/steps/reject", {"note": "x"},
                       content_type="application/json").status_code == 404
    assert Project.objects.get(pk=project.pk).stage == Stage.APPROVED
    assert client.get("/api/v1/projects/?region=533301").status_code == 404
    client.force_login(users["clerk"])
    r = client.post("/api/v1/projects/", {"code": "C-1", "name": "x", "year": 2019, "type": "industry",
                                          "lead_unit": "u", "region_code": "533301205201", "budget": "1",
                                          "planned_start": "2019-01-01", "planned_end": "2019-02-01"},
                    content_type="application/json")
    assert r.status_code == 403


def test_lines_allocations_spending_and_tasks(client, finance, lines, project, tree):
    client.force_login(finance["province"])
    r = client.post("/api/v1/projects/allocations", {"source_id": lines["province"].pk, "to_line_id": lines["city"].pk,
                                                     "amount": "150000.00", "allocated_on": "2019-02-01"},
                    content_type="application/json")
    assert r.status_code == 201 and r.json()["region_code"] == "5333"
    r = client.post("/api/v1/projects/allocations", {"source_id": lines["province"].pk, "to_line_id": lines["city"].pk,
                                                     "amount": "50000.01"}, content_type="application/json")
    assert r.status_code == 422
    rows = {x["code"]: x for x in client.get("/api/v1/projects/lines?year=2019").json()}
    assert "2019-c-special" not in rows and Decimal(rows["2019-53-special"]["balance"]) == Decimal("50000")
    assert client.get("/api/v1/projects/spending?by=line").status_code == 200
    from fupin.projects.services import load_plans

    load_plans()
    lead = testing.make_user("lead", tree["53"], Role.LEAD_UNIT, organisation="省扶贫办")
    client.force_login(lead)
    t11 = next(t for t in client.get("/api/v1/projects/tasks?plan=yunnan-2019-2020").json() if t["number"] == "11")
    r = client.post(f"/api/v1/projects/tasks/{t11['id']}/reports", {"period": "2019-Q4", "text": "平台上线",
                                                                    "progress": 100}, content_type="application/json")
    assert r.status_code == 201 and r.json()["done_on"] == dt.date.today().isoformat()
    assert len(client.get("/api/v1/projects/targets").json()) >= 20
