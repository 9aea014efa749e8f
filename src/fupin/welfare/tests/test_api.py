"""/api/v1/welfare: the same walk as the pages through the JSON API (propose, review, pledge, donation, disbursement,
withdrawal), needs masked per role and in their public form for a donor, projects, pairings with quarterly
reports, donors and the alliance; scoped (outside the region 404) and refused to other roles."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from fupin import testing
from fupin.core.permissions import SYSTEM
from fupin.core.roles import Role
from fupin.welfare import services
from fupin.welfare.models import Donor, Need, Pledge, WelfareProject

pytestmark = pytest.mark.django_db

API = "/api/v1/welfare"


def _as(user):
    c = Client()
    c.force_login(user)
    return c


def _post(client, path, data):
    return client.post(f"{API}{path}", data, content_type="application/json")


def test_the_walk_through_the_api(users, village_households, donor_user, donor):
    clerk, township = _as(users["clerk"]), _as(users["township"])
    household = village_households[1]
    head = household.members.get(relation="01").name
    r = _post(clerk, "/needs", {"household_id": household.pk, "kind": "illness", "story": "慢性病需要长期服药。",
                                "goal": "2500", "consent_by": "户主本人", "consent_on": "2026-11-01",
                                "consent_method": "witnessed"})
    assert r.status_code == 201, r.content
    need_id = r.json()["id"]
    assert r.json()["status"] == "proposed" and r.json()["head_name"] == head  # the clerk sees names
    bad = _post(clerk, "/needs", {"household_id": household.pk, "kind": "illness", "story": f"户主{head}生病。",
                                  "goal": "2500", "consent_by": "户主", "consent_on": "2026-11-01",
                                  "consent_method": "witnessed"})
    assert bad.status_code == 422 and "公开说明中含有姓名" in str(bad.json()["errors"])

    netizen = _as(donor_user)
    assert netizen.get(f"{API}/needs/{need_id}").status_code == 404  # not public yet
    r = _post(township, f"/needs/{need_id}/review", {"publish": True})
    assert r.status_code == 200 and r.json()["public_label"] == "季加村委会·张姓家庭"

    listed = netizen.get(f"{API}/needs").json()
    assert listed["count"] == 1
    public = listed["results"][0]
    assert public["public_label"] == "季加村委会·张姓家庭" and public["household_number"] is None
    assert public["head_name"] is None and public["village_code"] is None and public["consent_by"] is None
    assert household.number not in str(listed) and head not in str(listed)

    r = _post(netizen, "/pledges", {"need_id": need_id, "amount": "2500", "donor_id": 999999})
    assert r.status_code == 201 and Pledge.objects.get().donor == donor  # in its own name, whatever it says
    assert netizen.get(f"{API}/pledges").json()["count"] == 1
    assert _post(netizen, "/donations", {"donor_id": donor.pk, "need_id": need_id, "amount": "1",
                                         "channel": "bank", "reference": "x", "received_on": "2026-11-02"}
                 ).status_code == 403
    r = _post(township, "/donations", {"donor_id": donor.pk, "need_id": need_id, "amount": "2500",
                                       "channel": "platform", "reference": "GY-API-1",
                                       "pledge_id": Pledge.objects.get().pk, "received_on": "2026-11-21"})
    assert r.status_code == 201 and r.json()["donor_name"] == "爱心网友小王"
    r = _post(township, "/disbursements", {"need_id": need_id, "amount": "2600", "paid_on": "2026-11-25",
                                           "purpose": "药费", "evidence": "收据 A1"})
    assert r.status_code == 422 and "超过结余" in str(r.json())
    r = _post(township, "/disbursements", {"need_id": need_id, "amount": "2500", "paid_on": "2026-11-25",
                                           "purpose": "药费", "evidence": "收据 A2"})
    assert r.status_code == 201
    r = _post(clerk, f"/disbursements/{r.json()['id']}/confirm", {"how": "户主签字"})
    assert r.json()["confirmed_how"] == "户主签字"
    ledger = netizen.get(f"{API}/needs/{need_id}").json()["ledger"]
    assert {(x["kind"], x["reference"]) for x in ledger} == {("donation", "GY-API-1"), ("disbursement", "收据 A2")}

    analyst = _as(users["analyst"]).get(f"{API}/needs").json()["results"][0]
    assert analyst["head_name"] != head and analyst["head_name"].startswith(head[0])  # masked for the analyst
    assert _as(users["exchange"]).get(f"{API}/needs").status_code == 403

    r = _post(clerk, f"/needs/{need_id}/withdraw", {"note": "户主要求撤下"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert netizen.get(f"{API}/needs/{need_id}").status_code == 404
    assert netizen.get(f"{API}/needs").json()["count"] == 0


def test_needs_outside_the_region_do_not_exist(users, tree, need):
    other = _as(testing.make_user("fugong_clerk", tree["533323101201"], Role.CLERK))
    assert other.get(f"{API}/needs/{need.pk}").status_code == 404
    assert other.get(f"{API}/needs").json()["count"] == 0
    assert _post(other, f"/needs/{need.pk}/withdraw", {}).status_code == 404
    assert Need.objects.get(pk=need.pk).status == "published"


def test_projects_pairings_and_donors_through_the_api(users, tree, village_households):
    county = _as(users["county"])
    body = {"name": "草果烘干车间", "organiser": "泸水市人民政府", "kind": "industry", "region_code": "533301",
            "goal": "500000", "starts_on": "2026-06-01", "ends_on": "2027-05-31", "households_served": 3,
            "published_by_county": True}
    assert _post(county, "/projects", {**body, "region_code": "533323"}).status_code == 403  # another county
    r = _post(county, "/projects", body)
    assert r.status_code == 201 and r.json()["households_served"] == "<5" and r.json()["households_served_exact"] == 3
    project_id = r.json()["id"]
    r = _post(county, f"/projects/{project_id}/served", {"household_id": village_households[0].pk})
    assert r.json()["served_households"][0]["household_number"] == village_households[0].number
    r = county.put(f"{API}/projects/{project_id}", {**body, "results": "车间已开工。"}, content_type="application/json")
    assert r.json()["results"] == "车间已开工。" and r.json()["households_served_exact"] == 1

    r = _post(county, "/donors", {"display_name": "云岭网络科技有限公司", "kind": "enterprise", "username": "yunling",
                                  "password": "云岭-草果-2026-ok", "alliance_member": True})
    assert r.status_code == 201 and r.json()["region_code"] == "533301" and r.json()["alliance_member"]
    enterprise = Donor.objects.get(pk=r.json()["id"])
    me = _as(enterprise.user)
    assert me.get(f"{API}/projects/{project_id}").status_code == 404  # a draft is not public
    _post(county, f"/projects/{project_id}/publish", {})
    mine = me.get(f"{API}/projects?open=true").json()
    assert [p["id"] for p in mine["results"]] == [project_id]
    detail = me.get(f"{API}/projects/{project_id}").json()
    assert detail["served_households"] == [] and detail["households_served_exact"] is None  # never public
    r = _post(me, f"/projects/{project_id}/take-up", {})
    assert r.status_code == 200 and r.json()["taken_by"] == "云岭网络科技有限公司"
    assert WelfareProject.objects.get().taken_by == enterprise

    r = _post(county, "/pairings", {"enterprise_id": enterprise.pk, "region_code": "533301205201",
                                    "agreement": "结对帮扶协议", "signed_on": "2026-01-15", "year": 2026,
                                    "commitments": {"money": "100000", "jobs": "10"}})
    assert r.status_code == 201
    pairing = r.json()
    money = next(c for c in pairing["commitments"] if c["kind"] == "money")
    assert _post(county, "/pairings", {**{"enterprise_id": enterprise.pk, "region_code": "533301205201",
                                          "agreement": "x", "signed_on": "2026-01-15", "year": 2026},
                                       "commitments": {"cash": "1"}}).status_code == 422
    r = _post(me, f"/pairings/{pairing['id']}/reports", {"commitment_id": money["id"], "quarter": 1,
                                                         "achieved": "30000", "note": "首笔捐赠"})
    assert r.status_code == 200
    r = _post(me, f"/pairings/{pairing['id']}/reports", {"commitment_id": money["id"], "quarter": 2,
                                                         "achieved": "25000"})
    money = next(c for c in r.json()["commitments"] if c["kind"] == "money")
    assert money["achieved"] == "55000.00" and [q["quarter"] for q in money["quarters"]] == [1, 2]
    assert me.get(f"{API}/pairings").json()["count"] == 1 and me.get(f"{API}/donor").json()["id"] == enterprise.pk

    r = _post(county, f"/donors/{enterprise.pk}/alliance", {"member": False})
    assert r.json()["alliance_member"] is False
    assert _post(county, "/donors", {"display_name": "网友", "kind": "person"}).status_code == 422
    fugong = _as(testing.make_user("fugong", tree["533323"], Role.COUNTY_ADMIN))
    assert fugong.get(f"{API}/donors").json()["count"] == 0
    assert _post(fugong, f"/donors/{enterprise.pk}/alliance", {"member": True}).status_code == 404
    assert fugong.get(f"{API}/pairings/{pairing['id']}").status_code == 404
    assert _as(users["clerk"]).get(f"{API}/donors").status_code == 403


def test_a_donor_cannot_write_for_others(users, tree, donor_user, donor):
    other = Donor.objects.create(display_name="某科技公司", kind=Donor.Kind.ENTERPRISE)
    pairing = services.save_pairing(actor=SYSTEM, enterprise=other, region=tree["533301"], agreement="协议",
                                    signed_on=dt.date(2026, 1, 1), year=2026, commitments={"money": Decimal(10)})
    netizen = _as(donor_user)
    assert netizen.get(f"{API}/pairings/{pairing.pk}").status_code == 404
    assert netizen.get(f"{API}/donors").status_code == 403
    assert netizen.get(f"{API}/disbursements").status_code == 403
    assert _post(netizen, "/projects", {"name": "x", "organiser": "y", "kind": "other", "region_code": "533301",
                                        "goal": "1", "starts_on": "2026-01-01", "ends_on": "2026-02-01"}
                 ).status_code == 403
