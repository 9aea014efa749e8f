"""A project goes 入库 → 审批 → 公示 → 实施 → 验收 → 绩效; every step by its role, in its region, audited; illegal steps
are refused; beneficiaries and measures link households and projects."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from fupin import testing
from fupin.core.models import AuditEvent
from fupin.lifecycle.models import Measure
from fupin.projects import selectors, services
from fupin.projects.models import Beneficiary, ProjectNotice, ProjectStep, Stage
from fupin.projects.services import ProjectError


@pytest.fixture
def later(monkeypatch):
    """Move the services' today forward."""
    def move(days):
        monkeypatch.setattr(services, "today", lambda: dt.date.today() + dt.timedelta(days=days))
    return move


def test_the_whole_procedure(users, finance, project, later):
    county = users["county"]
    p = services.approve(actor=county, project_id=project.pk, note="县扶贫开发领导小组审定")
    assert p.stage == Stage.APPROVED
    notice = services.start_notice(actor=county, project_id=project.pk, days=10)
    assert notice.kind == ProjectNotice.Kind.PROJECT and "季加村光纤入户工程" in notice.text
    assert list(selectors.current_notices()) == [notice]
    with pytest.raises(ProjectError, match="after the notice ends"):
        services.start_implementation(actor=county, project_id=project.pk)
    later(10)
    assert services.start_implementation(actor=county, project_id=project.pk).stage == Stage.IMPLEMENTING
    with pytest.raises(PermissionDenied):  # evaluation is the finance bureau's
        services.evaluate(actor=county, project_id=project.pk, rating="优")
    with pytest.raises(ProjectError, match="stage"):
        services.evaluate(actor=finance["county"], project_id=project.pk, rating="优")
    p = services.accept(actor=county, project_id=project.pk, accepted_on=dt.date(2019, 10, 30))
    assert p.stage == Stage.ACCEPTED and p.accepted_on == dt.date(2019, 10, 30)
    p = services.evaluate(actor=finance["county"], project_id=project.pk, rating="优")
    assert p.stage == Stage.EVALUATED and p.performance == "优"
    steps = list(ProjectStep.objects.filter(project=project).values_list("action", "stage_after"))
    assert steps == [("register", "registered"), ("approve", "approved"), ("notice", "notice"),
                     ("implement", "implementing"), ("accept", "accepted"), ("evaluate", "evaluated")]
    assert AuditEvent.objects.filter(object_type="projects.project", object_id=str(project.pk)).count() == 6


def test_illegal_steps_are_refused(users, project):
    county = users["county"]
    with pytest.raises(ProjectError, match="stage"):
        services.start_implementation(actor=county, project_id=project.pk)
    with pytest.raises(ProjectError, match="stage"):
        services.accept(actor=county, project_id=project.pk)
    with pytest.raises(PermissionDenied):  # a township reviewer registers but does not approve
        services.approve(actor=users["township"], project_id=project.pk)
    with pytest.raises(ProjectError, match="reason"):
        services.approve(actor=county, project_id=project.pk, approve=False)
    with pytest.raises(ProjectError, match="7–60"):
        services.approve(actor=county, project_id=project.pk) and services.start_notice(
            actor=county, project_id=project.pk, days=3)
    p = services.approve(actor=county, project_id=project.pk, approve=False, note="重复申报")
    assert p.stage == Stage.REJECTED
    with pytest.raises(ProjectError):
        services.start_notice(actor=county, project_id=project.pk)


def test_steps_are_scoped(tree, project):
    other = testing.make_user("other_county", tree["533323"], testing.Role.COUNTY_ADMIN)
    with pytest.raises(PermissionDenied):
        services.approve(actor=other, project_id=project.pk)
    with pytest.raises(PermissionDenied):
        services.register_project(actor=other, code="X-1", name="x", year=2019, type="industry", lead_unit="u",
                                  region_code="533301", budget=1, planned_start=dt.date(2019, 1, 1),
                                  planned_end=dt.date(2019, 2, 1))
    assert not selectors.projects(other).exists()
    assert selectors.projects(testing.make_user("an", tree["53"], testing.Role.ANALYST)).count() == 1


def test_measures_name_their_project_and_beneficiaries_are_masked(client, users, tree, project):
    h = testing.make_household(tree["533301205201"])
    far = testing.make_household(tree["533323101201"])
    m = Measure.objects.create(household=h, type="01", description="光纤入户，资费补贴", start_date=dt.date(2019, 5, 1),
                               funds=800, responsible="李四")
    services.link_measure(actor=users["county"], measure_id=m.pk, project_id=project.pk)
    m.refresh_from_db()
    assert m.project == project
    b = Beneficiary.objects.get(project=project, household=h)
    assert b.benefit == "光纤入户，资费补贴"
    with pytest.raises(ProjectError, match="county"):
        services.add_beneficiary(actor=users["sysadmin"], project_id=project.pk, household_id=far.pk, benefit="x")
    assert [x.project for x in selectors.projects_of_household(users["clerk"], h.pk)] == [project]
    head = h.members.order_by("id").first().name
    client.force_login(users["analyst"])
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert h.number in page and head not in page and head[0] + "*" in page
    client.force_login(users["county"])
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert head in page
    assert AuditEvent.objects.filter(action="read_personal", username="county").exists()
