"""Illegal steps are refused with a bilingual message, and nothing changes."""

import pytest
from django.core.exceptions import PermissionDenied

from fupin.lifecycle import services
from fupin.lifecycle.models import Case, Stage, Step
from fupin.lifecycle.services import LifecycleError

from .conftest import VILLAGE

OTHER_COUNTY_VILLAGE = "533323101201"  # 福贡县


@pytest.fixture
def applied(users, households, clock):
    h = households[VILLAGE]
    h.status = "non_poor"
    h.save()
    return services.open_case(actor=users["clerk"], household=h, kind="identification", year=2019, reason="申请")


def test_skipping_a_step_is_refused(users, applied, clock):
    with pytest.raises(LifecycleError, match="the case is at stage “applied”"):
        services.township_audit(actor=users["township"], case=applied, approve=True, reason="跳过评议")
    with pytest.raises(LifecycleError, match="stage"):
        services.start_notice(actor=users["clerk"], cases=[applied])
    with pytest.raises(LifecycleError, match="stage"):
        services.county_approval(actor=users["county"], case=applied, approve=True, reason="越级")
    applied.refresh_from_db()
    assert applied.stage == Stage.APPLIED and applied.steps.count() == 1


@pytest.mark.parametrize(("who", "message"), [
    ("township", "only clerk"), ("county", "only clerk"), ("analyst", "only clerk"), ("sysadmin", "only clerk"),
])
def test_wrong_role_cannot_review(users, applied, who, message):
    with pytest.raises(PermissionDenied, match=message):
        services.review(actor=users[who], case=applied, approve=True, reason="x", evidence="y")


def test_wrong_level_is_refused(users, applied, tree):
    from fupin.core.roles import Role
    from fupin.testing import make_user

    county_clerk = make_user("county_clerk", tree["533301"], Role.CLERK)
    with pytest.raises(PermissionDenied, match="village/township level"):
        services.review(actor=county_clerk, case=applied, approve=True, reason="x", evidence="y")


def test_outside_the_region_is_refused(users, households, tree):
    from fupin.core.roles import Role
    from fupin.testing import make_user

    other_clerk = make_user("fugong_clerk", tree[OTHER_COUNTY_VILLAGE], Role.CLERK)
    h = households[VILLAGE]
    h.status = "non_poor"
    h.save()
    with pytest.raises(PermissionDenied, match="outside your region"):
        services.open_case(actor=other_clerk, household=h, kind="identification", reason="申请")
    assert not Case.objects.exists()


def test_reviewing_without_minutes_and_without_reason_is_refused(users, applied):
    with pytest.raises(LifecycleError, match="record the minutes"):
        services.review(actor=users["clerk"], case=applied, approve=True, reason="通过")
    with pytest.raises(LifecycleError, match="reason is required"):
        services.review(actor=users["clerk"], case=applied, approve=True, reason=" ", evidence="纪要")


def test_approving_ones_own_submission_is_refused(users, households, township_clerk, clock):
    h = households[VILLAGE]
    h.status = "non_poor"
    h.save()
    case = services.open_case(actor=township_clerk, household=h, kind="identification", year=2019, reason="申请")
    services.review(actor=township_clerk, case=case, approve=True, reason="通过", evidence="纪要")
    services.start_notice(actor=township_clerk, cases=[case])
    clock.advance(8)
    with pytest.raises(PermissionDenied, match="your own submission"):
        services.township_audit(actor=township_clerk, case=case, approve=True, reason="自审")
    services.township_audit(actor=users["township"], case=case, approve=True, reason="审核")


def test_exit_with_unmet_criteria_lists_every_one(users, households):
    h = households[VILLAGE]  # per-capita 2020 income 3,333 < 4,000; housing A; all insured
    h.identified_year, h.water_safe = 2016, False
    h.save()
    with pytest.raises(LifecycleError) as exc:
        services.open_case(actor=users["clerk"], household=h, kind="exit", year=2020, reason="脱贫")
    text = str(exc.value)
    assert "per-capita net income not above" in text and "drinking water" in text and "housing" not in text


def test_exit_in_the_year_of_identification_is_refused(users, households):
    h = households[VILLAGE]
    h.identified_year = 2020
    h.save()
    with pytest.raises(LifecycleError, match="identified in 2020 cannot exit in 2020"):
        services.open_case(actor=users["clerk"], household=h, kind="exit", year=2020, reason="脱贫")


def test_approving_during_an_open_objection_is_refused(users, applied, clock):
    services.review(actor=users["clerk"], case=applied, approve=True, reason="通过", evidence="纪要")
    services.start_notice(actor=users["clerk"], cases=[applied])
    clock.advance(8)
    services.township_audit(actor=users["township"], case=applied, approve=True, reason="审核")
    services.record_objection(actor=users["township"], case=applied, content="群众反映收入不实")
    with pytest.raises(LifecycleError, match="objection is still open"):
        services.county_approval(actor=users["county"], case=applied, approve=True, reason="审批")
    objection = applied.objections.get()
    services.resolve_objection(actor=users["township"], objection=objection, resolution="属实", upheld=True)
    applied.refresh_from_db()
    applied.household.refresh_from_db()
    assert applied.stage == Stage.REJECTED and applied.household.status == "non_poor"


def test_a_second_open_procedure_and_a_wrong_start_status_are_refused(users, applied, households):
    with pytest.raises(LifecycleError, match="already has an open procedure"):
        services.open_case(actor=users["clerk"], household=applied.household, kind="identification", reason="再申请")
    services.withdraw(actor=users["clerk"], case=applied, reason="撤回")
    household = households[VILLAGE]
    household.refresh_from_db()
    assert household.status == "non_poor"
    with pytest.raises(LifecycleError, match="status 'non_poor' cannot start return"):
        services.open_case(actor=users["clerk"], household=household, kind="return", reason="返贫")


def test_bulk_approval_goes_through_the_service_for_each_case(users, tree, clock):
    from fupin.testing import make_household

    cases = []
    for _ in range(3):
        h = make_household(tree[VILLAGE], status="non_poor")
        cases.append(services.open_case(actor=users["clerk"], household=h, kind="identification", year=2019,
                                        reason="申请"))
    for c in cases:
        services.review(actor=users["clerk"], case=c, approve=True, reason="通过", evidence="纪要")
    services.start_notice(actor=users["clerk"], cases=cases)
    clock.advance(8)
    for c in cases[:2]:
        services.township_audit(actor=users["township"], case=c, approve=True, reason="审核")
    results = services.bulk_decide(actor=users["county"], step="approve", case_ids=[c.pk for c in cases] + [999999],
                                   approve=True, reason="批量审批")
    assert [r.ok for r in results] == [True, True, False, False]
    assert "stage" in results[2].message and "no such case" in results[3].message
    assert Step.objects.filter(action="approval", username="county").count() == 2


def test_walk_helper_needs_the_notice_to_end(users, applied, clock):
    clock.advance(-1)  # guard: the helper relies on the clock; a notice not yet ended blocks the audit
    services.review(actor=users["clerk"], case=applied, approve=True, reason="通过", evidence="纪要")
    services.start_notice(actor=users["clerk"], cases=[applied])
    clock.advance(6)
    with pytest.raises(LifecycleError, match="notice runs until"):
        services.township_audit(actor=users["township"], case=applied, approve=True, reason="审核")
    assert Case.objects.get(pk=applied.pk).stage == Stage.NOTICE
    clock.advance(1)  # the seventh day has passed
    services.township_audit(actor=users["township"], case=applied, approve=True, reason="审核")
    assert Case.objects.get(pk=applied.pk).stage == Stage.AUDITED
