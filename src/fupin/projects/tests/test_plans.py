"""The seeds' plans as data; lead units report progress; overdue and at-risk lists; dispatch meetings whose
decisions become tasks; targets edited with history."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from fupin import testing
from fupin.core.models import AuditEvent
from fupin.core.roles import Role
from fupin.projects import selectors, services
from fupin.projects.models import Plan, Task
from fupin.projects.services import ProjectError
from fupin.targets.models import Target, TargetRevision


@pytest.fixture
def plans(tree):
    return services.load_plans()


@pytest.fixture
def lead(tree):
    return testing.make_user("cac_yn", tree["53"], Role.LEAD_UNIT, organisation="省委网信办")


def test_the_seeds_plans_load_with_their_units(plans):
    yunnan = Plan.objects.get(code="yunnan-2019-2020")
    assert yunnan.tasks.count() == 16
    t1 = yunnan.tasks.get(number="1")
    assert t1.lead_units == ["省通信管理局"]
    assert t1.co_units == ["省委网信办", "省发展改革委", "云南广电网络集团有限公司"]
    t4 = yunnan.tasks.get(number="4")
    assert t4.lead_units == ["省委网信办", "省农业农村厅", "省发展改革委"]
    assert yunnan.tasks.get(number="11").deadline == dt.date(2019, 12, 31)
    assert Plan.objects.get(code="miit-2018-2020").tasks.count() == 17
    # 银川 (6401) is not in the test tree: its plan waits for its region
    assert not Plan.objects.filter(code="yinchuan-2017").exists()
    school = Target.objects.get(code="yn-2020-school-broadband")
    assert (school.value, school.scope_prefix, school.year) == (90, "53", 2020)
    ecommerce = Target.objects.get(code="yc-2017-relocation-ecommerce")
    assert (ecommerce.value, ecommerce.area_type, ecommerce.year) == (60, "is_relocation_area", 2017)
    assert services.load_plans() == plans  # idempotent
    assert Task.objects.count() == 33


def test_lead_unit_reports_and_the_task_is_done(plans, lead, users):
    t10 = Task.objects.get(plan__code="yunnan-2019-2020", number="10")
    services.report_progress(actor=lead, task_id=t10.pk, period="2019-Q4", text="举办培训 3 期", progress=60,
                             figures={"培训人次": "420"})
    t10.refresh_from_db()
    assert t10.progress == 60 and t10.done_on is None and t10.last_report_on is not None
    services.report_progress(actor=lead, task_id=t10.pk, period="2020-Q2", text="完成", progress=100)
    t10.refresh_from_db()
    assert t10.done_on == dt.date.today()
    with pytest.raises(ProjectError, match="done"):
        services.report_progress(actor=lead, task_id=t10.pk, period="2020-Q3", text="x", progress=100)
    t1 = Task.objects.get(plan__code="yunnan-2019-2020", number="1")
    with pytest.raises(PermissionDenied, match="lead unit"):  # 省委网信办 only co-operates on task 1
        services.report_progress(actor=lead, task_id=t1.pk, period="2019-Q4", text="x", progress=10)
    with pytest.raises(PermissionDenied):
        services.report_progress(actor=users["county"], task_id=t10.pk, period="x", text="x", progress=1)
    assert AuditEvent.objects.filter(object_type="projects.task", object_id=str(t10.pk)).count() == 2


def test_overdue_and_at_risk(plans, lead, users):
    on = dt.date(2019, 12, 15)
    overdue = selectors.tasks(lead, state="overdue", on=dt.date(2020, 1, 2))
    assert [t.number for t in overdue if t.plan.code == "yunnan-2019-2020"] == ["11"]
    at_risk = {t.number for t in selectors.tasks(lead, state="at_risk", on=on) if t.plan.code == "yunnan-2019-2020"}
    assert "11" in at_risk  # due in 16 days, 0 %
    t11 = Task.objects.get(plan__code="yunnan-2019-2020", number="11")
    Task.objects.filter(pk=t11.pk).update(progress=90, last_report_on=on)
    at_risk = {t.number for t in selectors.tasks(lead, state="at_risk", on=on) if t.plan.code == "yunnan-2019-2020"}
    assert "11" not in at_risk
    # a county of Yunnan sees the province's and the nation's plans; Guizhou's exchange account sees no Yunnan plan
    assert selectors.plans(users["county"]).count() == 2
    assert list(selectors.plans(users["exchange"]).values_list("code", flat=True)) == ["miit-2018-2020"]


def test_dispatch_meeting_decisions_become_tasks(plans, users, client):
    plan = Plan.objects.get(code="yunnan-2019-2020")
    with pytest.raises(PermissionDenied):  # a county does not run the province's plan
        services.hold_meeting(actor=users["county"], plan_id=plan.pk, held_on=dt.date(2019, 9, 1), title="x")
    admin = users["sysadmin"]
    m = services.hold_meeting(actor=admin, plan_id=plan.pk, held_on=dt.date(2019, 9, 1), title="第三季度调度会",
                              decisions=[{"text": "怒江州未通光纤贫困村清单化推进", "lead_units": "省通信管理局、省扶贫办",
                                          "co_units": "怒江州人民政府", "deadline": dt.date(2019, 10, 31)}])
    t = m.decisions.get()
    assert t.lead_units == ["省通信管理局", "省扶贫办"] and t.number == f"M{m.pk}-1"
    assert t in selectors.tasks(admin, state="overdue", on=dt.date(2019, 11, 1))
    assert list(selectors.tasks(admin, state="overdue", unit="省扶贫办", on=dt.date(2019, 11, 1))) == [t]
    client.force_login(admin)
    page = client.get("/projects/tasks/dispatch/").content.decode()
    assert "怒江州未通光纤贫困村清单化推进" in page


def test_targets_edited_with_history(plans, users):
    t = Target.objects.get(code="yn-2020-school-broadband")
    with pytest.raises(PermissionDenied):
        services.update_target(actor=users["county"], target_id=t.pk, reason="x", value=95)
    with pytest.raises(ProjectError, match="reason"):
        services.update_target(actor=users["sysadmin"], target_id=t.pk, reason="", value=95)
    with pytest.raises(ProjectError, match="range"):
        services.update_target(actor=users["sysadmin"], target_id=t.pk, reason="x", value=120)
    services.update_target(actor=users["sysadmin"], target_id=t.pk, reason="省里调高目标", value=95)
    t.refresh_from_db()
    assert t.value == 95
    rev = TargetRevision.objects.exclude(username="migration").get(target=t)
    assert rev.before["value"] == "90.0000" and rev.after["value"] == "95" and rev.username == "sysadmin"
    assert AuditEvent.objects.filter(object_type="targets.target", object_id=str(t.pk)).exists()
    # the history starts with the merge of the old tables (#18): indicators had this 90 % as a national target
    merged = TargetRevision.objects.filter(target=t, username="migration")
    assert any(r.before.get("table") == "indicators.Target" and r.before["scope_prefix"] == "" for r in merged)
    with pytest.raises(ProjectError, match="area type"):
        services.update_target(actor=users["sysadmin"], target_id=t.pk, reason="x", area_type="mars")


def test_a_progress_reports_attachment_is_scoped_and_its_download_audited(plans, lead, tree, client, settings,
                                                                          tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.MEDIA_ROOT = tmp_path
    t10 = Task.objects.get(plan__code="yunnan-2019-2020", number="10")
    report = services.report_progress(actor=lead, task_id=t10.pk, period="2019-Q4", text="举办培训 3 期", progress=60,
                                      attachment=SimpleUploadedFile("培训签到表.pdf", b"%PDF-1.4 demo"))
    url = reverse("projects_report_attachment", args=[report.pk])
    before = AuditEvent.objects.filter(object_type="projects.progressreport", object_id=str(report.pk)).count()
    client.force_login(lead)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 demo"
    reads = AuditEvent.objects.filter(object_type="projects.progressreport", object_id=str(report.pk))
    assert reads.count() == before + 1 and reads.latest("id").user_id == lead.pk
    # another province's user does not learn that it exists
    other = testing.make_user("gz_lead", tree["52"], Role.LEAD_UNIT,
                              organisation="省委网信办")
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert reads.count() == before + 1
