"""A household's whole life: application → registered poor → measures → exit → follow-up → return to
poverty, each step by its role at its level, with every transition in the audit log."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fupin.core.models import AuditEvent
from fupin.lifecycle import services
from fupin.lifecycle.models import Case, Measure, Stage, Step
from fupin.lifecycle.services import LifecycleError
from fupin.registry import services as registry_services
from fupin.registry.models import HouseholdVersion, PovertyLine

from .conftest import APPLICANT, VILLAGE, person, walk


def test_application_to_registration_measures_exit_and_return(users, tree, clock):
    clerk, township, county = users["clerk"], users["township"], users["county"]
    child = person(birth=dt.date(2010, 5, 6), sex="2", relation="04", seq=9, schooling="04")
    case = services.register_applicant(
        actor=clerk, village_code=VILLAGE, number="J0001", data=APPLICANT, year=2018,
        members=[person(), person(sex="2", relation="02", seq=8, birth=dt.date(1978, 1, 2)), child],
        reason="因病致贫，户主申请", evidence="申请书",
    )
    h = case.household
    h.refresh_from_db()
    assert h.status == "applicant" and case.stage == Stage.APPLIED

    # 民主评议 → 公示 → 乡镇审核 (refused while the notice runs and while an objection is open) → 县级审批
    services.review(actor=clerk, case=case, approve=True, reason="评议通过", evidence="会议纪要")
    notice = services.start_notice(actor=clerk, cases=[case])
    assert (notice.ends_on - notice.starts_on).days == 6  # seven days, both ends included
    with pytest.raises(LifecycleError, match="notice runs until"):
        services.township_audit(actor=township, case=case, approve=True, reason="审核")
    objection = services.record_objection(actor=clerk, case=case, content="该户有营运车辆", objector="村民")
    clock.advance(7)
    with pytest.raises(LifecycleError, match="objection is still open"):
        services.township_audit(actor=township, case=case, approve=True, reason="审核")
    services.resolve_objection(actor=township, objection=objection, resolution="经核实车辆已于 2017 年出售",
                               upheld=False)
    services.township_audit(actor=township, case=case, approve=True, reason="入户核实无误")
    with pytest.raises(PermissionDenied, match="county approval"):
        services.county_approval(actor=township, case=case, approve=True, reason="越级")
    services.county_approval(actor=county, case=case, approve=True, reason="同意纳入建档立卡")
    h.refresh_from_db()
    assert (h.status, h.identified_year) == ("poor", 2018)

    # 帮扶措施: housing rebuilt, income raised
    m = services.add_measure(actor=clerk, household=h, data={
        "type": "07", "description": "危房改造", "start_date": "2019-03-01", "funds": "35000", "fund_source": "01",
        "responsible": "李四"})
    services.update_measure(actor=clerk, measure=m, end_date=dt.date(2019, 10, 1), result="已验收，A 级")
    assert Measure.objects.get().result == "已验收，A 级"
    registry_services.update_household(actor=clerk, household=h, data={"housing_safety": "A"}, reason="危房改造验收")
    registry_services.set_income(actor=clerk, household=h, year=2020,
                                 components={"wage_other": "15000", "business": "2000"}, reason="2020 收入")

    # 脱贫: not in the year of identification; then the same chain
    with pytest.raises(LifecycleError, match="identified in 2018 cannot exit in 2018"):
        services.open_case(actor=clerk, household=h, kind="exit", year=2018, reason="脱贫")
    exit_case = services.open_case(actor=clerk, household=h, kind="exit", year=2020, reason="收入稳定，两不愁三保障")
    assert exit_case.evaluation["unmet"] == [] and exit_case.evaluation["line"] == "4000.00"
    walk(exit_case, users, clock)
    h.refresh_from_db()
    assert (h.status, h.exit_year) == ("exited", 2020)
    services.record_follow_up(actor=clerk, household=h, stable=True, note="回访：收入稳定")

    # 返贫
    back = services.open_case(actor=clerk, household=h, kind="return", year=2021, reason="户主患大病，收入骤降")
    walk(back, users, clock)
    h.refresh_from_db()
    assert h.status == "returned"

    # Every transition: a step with actor, time, reason, and an audit event naming actor, time and reason.
    steps = Step.objects.filter(case__household=h).order_by("at", "id")
    assert [(s.case.kind, s.action, s.username) for s in steps if s.case_id == exit_case.pk] == [
        ("exit", "apply", "clerk"), ("exit", "review", "clerk"), ("exit", "notice", "clerk"),
        ("exit", "audit", "township"), ("exit", "approval", "county")]
    events = AuditEvent.objects.filter(object_type="registry.household", object_id=str(h.pk),
                                       summary__startswith="lifecycle")
    assert events.count() == steps.count() == 3 * 5 + 2  # three procedures, plus objection and resolution
    for e in events:
        assert e.username and e.at and e.detail["reason"] and e.detail["stage_after"]
    assert {e.username for e in events} == {"clerk", "township", "county"}
    # The dossier history has a version for each status change.
    statuses = [v.snapshot["household"]["status"] for v in HouseholdVersion.objects.filter(household=h).order_by("id")]
    assert [s for i, s in enumerate(statuses) if i == 0 or s != statuses[i - 1]] == [
        "non_poor", "applicant", "poor", "exited", "returned"]


def test_new_poverty_monitoring_and_risk_elimination(users, tree, households, clock):
    clerk = users["clerk"]
    case = services.register_applicant(actor=clerk, village_code=VILLAGE, number="J0002", data=APPLICANT,
                                       members=[person(seq=11)], reason="突发疾病", kind="new_poverty", year=2021)
    walk(case, users, clock)
    case.household.refresh_from_db()
    assert case.household.status == "newly_poor"

    exited = households[VILLAGE]
    exited.status, exited.exit_year = "exited", 2019
    exited.save()
    with pytest.raises(LifecycleError, match="one to five risks"):
        services.open_case(actor=clerk, household=exited, kind="monitoring", year=2021, category="01",
                           risks=["01", "02", "03", "04", "05", "07"], reason="风险")
    with pytest.raises(LifecycleError, match="does not apply"):
        services.open_case(actor=clerk, household=exited, kind="monitoring", year=2021, category="02",
                           risks=["01"], reason="风险")
    mon = services.open_case(actor=clerk, household=exited, kind="monitoring", year=2021, category="01",
                             risks=["01", "07"], reason="务工不稳，家人患病")
    walk(mon, users, clock)
    exited.refresh_from_db()
    assert exited.status == "monitored"
    record = exited.monitoring.get()
    assert record.risks == ["01", "07"] and record.ended_on is None

    # The elimination gate (quality.gates): refused at once, with every unmet condition listed.
    with pytest.raises(LifecycleError) as refused:
        services.open_case(actor=clerk, household=exited, kind="elimination", year=2022,
                           elimination_method="01", reason="公益岗位就业，风险消除")
    assert "fewer than 6" in str(refused.value) and "no monitoring income line for 2020" in str(refused.value)
    assert "needs measures recorded" in str(refused.value)
    clock.advance(190)
    PovertyLine.objects.create(year=2020, standard="monitoring", province="53", amount=Decimal("3000"))
    Measure.objects.create(household=exited, type="03", description="公益岗位", start_date=clock.date,
                           responsible="李")
    elim = services.open_case(actor=clerk, household=exited, kind="elimination", year=2022,
                              elimination_method="01", reason="公益岗位就业，风险消除")
    walk(elim, users, clock)
    exited.refresh_from_db()
    record.refresh_from_db()
    assert exited.status == "exited" and record.elimination_method == "01" and record.ended_on is not None


def test_rejection_restores_the_household_and_closes_the_case(users, tree, clock):
    case = services.register_applicant(actor=users["clerk"], village_code=VILLAGE, number="J0003", data=APPLICANT,
                                       members=[person(seq=12)], reason="申请", year=2019)
    walk(case, users, clock, approve=False)
    case.refresh_from_db()
    case.household.refresh_from_db()
    assert case.stage == Stage.REJECTED and case.closed_at and case.household.status == "non_poor"
    assert Case.objects.filter(household=case.household, stage__in=["applied"]).count() == 0
    assert Decimal(0) == Measure.objects.count()
