"""The county's pages for welfare projects, pairings, donors and the alliance: forms validated with Chinese messages,
regions picked inside the user's area, the households served kept from the public, every write audited."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from fupin import testing
from fupin.core.models import AuditEvent
from fupin.core.permissions import SYSTEM
from fupin.core.roles import Role
from fupin.welfare import services
from fupin.welfare.models import CommitmentKind, Donor, Pairing, QuarterReport, WelfareProject

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
PROJECT = {"name": "春蕾助学", "organiser": "某公益基金会", "brand": "春蕾计划", "kind": "education", "region": "533301",
           "goal": "50000", "starts_on": "2026-03-01", "ends_on": "2027-02-28", "households_served": "0",
           "villages_served": "0", "description": "资助初高中学生。", "results": ""}


def _as(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_county_creates_edits_and_publishes_a_project_and_lists_who_it_serves(users, village_households):
    county = _as(users["county"])
    form = county.get(reverse("welfare_project_new"), **ZH).content.decode()
    assert 'class="regionpicker"' in form and "泸水市" in form  # the region is picked, not typed

    r = county.post(reverse("welfare_project_new"), {**PROJECT, "ends_on": "2026-01-01"}, **ZH)
    assert r.status_code == 200 and "项目结束日期不能早于开始日期" in r.content.decode()
    r = county.post(reverse("welfare_project_new"), {**PROJECT, "region": "533323"}, **ZH)  # 福贡县: another county
    assert "请在您的辖区内选择地区" in r.content.decode()
    assert not WelfareProject.objects.exists()

    r = county.post(reverse("welfare_project_new"), PROJECT, **ZH)
    project = WelfareProject.objects.get()
    assert r["Location"] == reverse("welfare_project", args=[project.pk]) and project.status == "draft"
    assert Client().get(reverse("portal_project", args=[project.pk])).status_code == 404  # a draft is not public

    for h in village_households[:3]:
        county.post(reverse("welfare_project_served", args=[project.pk]), {"household": h.number})
    county.post(reverse("welfare_project_served", args=[project.pk]), {"village": "533301205201"})
    r = county.post(reverse("welfare_project_served", args=[project.pk]), {"village": "533301205"}, follow=True,
                    **ZH)  # a township is not a village
    assert "行政村" in r.content.decode()
    project.refresh_from_db()
    assert (project.households_served, project.villages_served) == (3, 1)
    page = county.get(reverse("welfare_project", args=[project.pk]), **ZH).content.decode()
    assert village_households[0].number in page and "公开显示：&lt;5" in page

    county.post(reverse("welfare_project_edit", args=[project.pk]),
                {**PROJECT, "name": "春蕾助学·怒江", "results": "已资助学生 3 名。", "households_served": "99"})
    project.refresh_from_db()
    assert project.name == "春蕾助学·怒江" and project.households_served == 3  # the count follows the list

    county.post(reverse("welfare_project_publish", args=[project.pk]))
    public = Client().get(reverse("portal_project", args=[project.pk])).content.decode()
    assert "已资助学生 3 名" in public and "&lt;5" in public
    assert all(h.number not in public for h in village_households)

    county.post(reverse("welfare_project_served", args=[project.pk]), {"remove": f"h:{village_households[0].pk}"})
    assert WelfareProject.objects.get().households_served == 2
    assert AuditEvent.objects.filter(object_type="welfare.welfareproject", object_id=str(project.pk)).count() >= 7


def test_project_pages_are_for_the_county_and_its_region(users, tree):
    project = services.save_project(actor=SYSTEM, name="外县项目", organiser="某县", kind="other", region=tree["533323"],
                                    goal=Decimal(1000), starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
    assert _as(users["clerk"]).get(reverse("welfare_project_new")).status_code == 403
    assert _as(users["analyst"]).get(reverse("welfare_donors")).status_code == 403
    county = _as(users["county"])
    assert county.get(reverse("welfare_project_edit", args=[project.pk])).status_code == 404
    assert county.post(reverse("welfare_project_publish", args=[project.pk])).status_code == 404
    assert _as(users["sysadmin"]).get(reverse("welfare_project_edit", args=[project.pk])).status_code == 200


def test_a_county_project_is_published_and_taken_up_by_an_enterprise(users, tree):
    county = _as(users["county"])
    county.post(reverse("welfare_project_new"), {**PROJECT, "name": "草果烘干车间", "kind": "industry",
                                                 "published_by_county": "on"})
    project = WelfareProject.objects.get()
    county.post(reverse("welfare_donors"), {"display_name": "云岭网络科技有限公司", "kind": "enterprise",
                                            "contact": "0886-1234567", "alliance_member": "on",
                                            "username": "yunling", "password": "草果烘干-2026-secret"})
    enterprise = Donor.objects.get(display_name="云岭网络科技有限公司")
    assert enterprise.region_id == "533301" and enterprise.alliance_member and enterprise.user.has_role(Role.DONOR)
    assert enterprise.user.region_id is None  # a donor's login sees no registry data

    me = _as(enterprise.user)
    assert "草果烘干车间" not in me.get(reverse("welfare_donor")).content.decode()  # a draft is not open yet
    county.post(reverse("welfare_project_publish", args=[project.pk]))
    page = me.get(reverse("welfare_donor"), **ZH).content.decode()
    assert "草果烘干车间" in page and "认领该项目" in page
    assert me.post(reverse("welfare_donor_take_up", args=[project.pk])).status_code == 302
    project.refresh_from_db()
    assert project.taken_by == enterprise

    other = services.register_donor(actor=SYSTEM, display_name="滇西物流集团", kind=Donor.Kind.ENTERPRISE)
    r = county.post(reverse("welfare_project_take_up", args=[project.pk]), {"enterprise": other.pk}, follow=True,
                    **ZH)
    assert "该项目已被认领" in r.content.decode()
    assert "云岭网络科技有限公司" in Client().get(reverse("portal_project", args=[project.pk])).content.decode()


def test_a_pairing_with_commitments_and_quarterly_reports(users, tree):
    enterprise = services.register_donor(actor=users["county"], display_name="彩云数字商务有限公司",
                                         kind=Donor.Kind.ENTERPRISE)
    person = Donor.objects.create(display_name="网友", kind=Donor.Kind.PERSON)
    county = _as(users["county"])
    form = county.get(reverse("welfare_pairing_new"), **ZH).content.decode()
    assert "彩云数字商务有限公司" in form and "网友" not in form  # only enterprises are paired
    data = {"enterprise": enterprise.pk, "region": "533301205", "agreement": "结对帮扶协议（2026—2028）",
            "signed_on": "2026-01-15", "year": "2026", "money": "200000", "purchase": "", "jobs": "20", "training": ""}
    r = county.post(reverse("welfare_pairing_new"), data, **ZH)
    assert "请选择以下层级的地区：县、行政村" in r.content.decode()  # a township is neither a county nor a village
    r = county.post(reverse("welfare_pairing_new"), {**data, "region": "533301205201", "money": "", "jobs": ""}, **ZH)
    assert "请至少填写本年度的一项承诺" in r.content.decode()
    r = county.post(reverse("welfare_pairing_new"), {**data, "region": "533301205201"})
    pairing = Pairing.objects.get()
    assert r["Location"] == reverse("welfare_pairing", args=[pairing.pk])
    assert {c.kind: c.target for c in pairing.commitments.all()} == {"money": 200000, "jobs": 20}

    county.post(reverse("welfare_pairing_edit", args=[pairing.pk]), {
        "agreement": "结对帮扶协议（2026—2028）补充", "signed_on": "2026-01-15", "year": "2027", "money": "250000",
        "training": "100"})
    assert pairing.commitments.filter(year=2027).count() == 2
    assert Pairing.objects.get().agreement.endswith("补充")

    money = pairing.commitments.get(year=2026, kind=CommitmentKind.MONEY)
    r = county.post(reverse("welfare_pairing", args=[pairing.pk]),
                    {"commitment": money.pk, "quarter": "5", "achieved": "1000"}, **ZH)
    assert r.status_code == 400 and not QuarterReport.objects.exists()
    for quarter, achieved in (("1", "40000"), ("2", "60000")):
        county.post(reverse("welfare_pairing", args=[pairing.pk]),
                    {"commitment": money.pk, "quarter": quarter, "achieved": achieved, "note": "捐赠到账"})
    page = county.get(reverse("welfare_pairing", args=[pairing.pk])).content.decode()
    assert "100,000" in page and ">50<" in page  # achieved and percent of the 200,000 committed
    assert "100,000 / 200,000" in Client().get(reverse("portal_pairings")).content.decode()
    assert _as(users["township"]).get(reverse("welfare_pairing_edit", args=[pairing.pk])).status_code == 403
    with pytest.raises(services.WelfareError):
        services.save_pairing(actor=SYSTEM, enterprise=person, region=tree["533301"], agreement="x",
                              signed_on=dt.date(2026, 1, 1), year=2026, commitments={"money": Decimal(1)})


def test_donors_and_the_alliance_are_managed_in_the_region_that_registered_them(users, tree):
    county = _as(users["county"])
    r = county.post(reverse("welfare_donors"), {"display_name": "山海公益基金会", "kind": "organisation",
                                                "username": "shanhai"}, **ZH)
    assert r.status_code == 400 and "请为登录名设置初始密码" in r.content.decode()
    county.post(reverse("welfare_donors"), {"display_name": "山海公益基金会", "kind": "organisation"})
    donor = Donor.objects.get()
    assert donor.region_id == "533301" and donor.user is None and not donor.alliance_member

    county.post(reverse("welfare_donor_edit", args=[donor.pk]), {"action": "alliance", "member": "on",
                                                                 "joined_on": "2026-05-01"})
    donor.refresh_from_db()
    assert donor.alliance_member and donor.alliance_joined_on == dt.date(2026, 5, 1)
    assert "山海公益基金会" in Client().get(reverse("portal_pairings")).content.decode()
    county.post(reverse("welfare_donor_edit", args=[donor.pk]), {"action": "save", "display_name": "山海公益",
                                                                 "kind": "organisation", "contact": "张主任"})
    county.post(reverse("welfare_donor_edit", args=[donor.pk]), {"action": "alliance"})  # leaves the alliance
    donor.refresh_from_db()
    assert (donor.display_name, donor.alliance_member, donor.alliance_joined_on) == ("山海公益", False, None)
    assert "山海公益" not in Client().get(reverse("portal_pairings")).content.decode()

    other = _as(testing.make_user("fugong", tree["533323"], Role.COUNTY_ADMIN))
    assert other.get(reverse("welfare_donor_edit", args=[donor.pk])).status_code == 404
    assert "山海公益" not in other.get(reverse("welfare_donors")).content.decode()
    netizen = Donor.objects.create(display_name="网友甲", kind=Donor.Kind.PERSON)
    with pytest.raises(services.WelfareError):
        services.set_alliance(actor=SYSTEM, donor=netizen, member=True)
    assert AuditEvent.objects.filter(object_type="welfare.donor", object_id=str(donor.pk)).count() == 4
