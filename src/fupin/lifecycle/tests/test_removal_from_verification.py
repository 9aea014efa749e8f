"""A confirmed doubt of the data comparison starts the lifecycle step it calls for: 清退 (removal) for a wrongly
registered household, 纳入监测 (monitoring) for a large medical expense when the household's status allows it;
the verifier opens the case (origin "verification") and the ordinary chain decides it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from fupin.core.permissions import SYSTEM
from fupin.core.roles import Role
from fupin.exchange import services as exchange
from fupin.exchange.models import Doubt
from fupin.exchange.tests.helpers import AS_OF, member_of, parquet, vehicles
from fupin.lifecycle import services
from fupin.lifecycle.models import Case, Kind, MonitoringRecord, Stage
from fupin.registry.models import HouseholdVersion
from fupin.testing import make_user

from .conftest import VILLAGE


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def vehicle_doubt(households):
    vehicles(member_of(VILLAGE).id_number)
    exchange.run_comparison(actor=SYSTEM, as_of=AS_OF)
    return Doubt.objects.get(rule_id="VEHICLE")


def medical_doubt(households, status):
    h = households[VILLAGE]
    h.status = status
    h.save()
    m = member_of(VILLAGE)
    exchange.upload_batch(actor=SYSTEM, dataset="medical_expense", as_of=AS_OF, file_name="m.parquet",
                          content=parquet(id_number=[m.id_number], year=["2025"], total_cost=["80000"],
                                          out_of_pocket=["30000"]))
    exchange.run_comparison(actor=SYSTEM, as_of=AS_OF)
    return Doubt.objects.get(rule_id="MEDICAL_EXPENSE")


def test_a_confirmed_vehicle_doubt_opens_a_removal_that_walks_the_chain(client, users, households, tree, clock):
    d = vehicle_doubt(households)
    exchange.verify_doubt(actor=users["township"], doubt_id=d.pk, confirmed=True, reason="车辆为户主本人所有",
                          evidence_text="行驶证照片")
    d.refresh_from_db()
    case = d.case
    assert case is not None and case.kind == Kind.REMOVAL and case.stage == Stage.APPLIED
    assert case.household_id == d.household_id and case.opened_by == users["township"]
    assert f"比对疑点 #{d.pk}" in case.reason and "云Q00001" in case.evidence
    apply = case.steps.get()
    assert (apply.action, apply.origin, apply.role) == ("apply", "verification", Role.TOWNSHIP_REVIEWER)
    assert "已开启程序" in HouseholdVersion.objects.filter(household=case.household).latest("id").reason

    clerk, county = users["clerk"], users["county"]
    services.review(actor=clerk, case=case, approve=True, reason="村民代表评议同意清退", evidence="评议纪要")
    services.start_notice(actor=clerk, cases=[case])
    clock.advance(7)
    with pytest.raises(PermissionDenied, match="own submission"):  # the verifier opened it: another reviewer audits
        services.township_audit(actor=users["township"], case=case, approve=True, reason="审核")
    other = make_user("township2", tree["533301205"], Role.TOWNSHIP_REVIEWER)
    services.township_audit(actor=other, case=case, approve=True, reason="入户核实无误")
    services.county_approval(actor=county, case=case, approve=True, reason="同意清退")
    case.household.refresh_from_db()
    assert case.household.status == "removed"

    client.force_login(users["township"])
    page = client.get(reverse("exchange_doubt", args=[d.pk])).content.decode()
    assert reverse("lifecycle_case", args=[case.pk]) in page
    page = client.get(reverse("lifecycle_case", args=[case.pk])).content.decode()
    assert reverse("exchange_doubt", args=[d.pk]) in page


def test_a_dismissed_doubt_opens_nothing(users, households):
    d = vehicle_doubt(households)
    exchange.verify_doubt(actor=users["township"], doubt_id=d.pk, confirmed=False, reason="车辆已于 2019 年过户")
    d.refresh_from_db()
    assert d.case is None and not Case.objects.exists()


def test_removal_starts_only_from_registered_statuses(users, households):
    h = households[VILLAGE]
    h.status = "non_poor"
    h.save()
    with pytest.raises(services.LifecycleError, match="cannot start removal"):
        services.open_case(actor=users["clerk"], household=h, kind=Kind.REMOVAL, reason="清退")
    with pytest.raises(PermissionDenied):  # without the verification origin, only the clerk opens
        services.open_case(actor=users["township"], household=h, kind=Kind.REMOVAL, reason="清退")


def test_a_confirmed_medical_expense_opens_a_monitoring_case(users, households, clock):
    d = medical_doubt(households, "exited")
    exchange.verify_doubt(actor=users["township"], doubt_id=d.pk, confirmed=True, reason="住院自付 3 万元")
    d.refresh_from_db()
    case = d.case
    assert case is not None and case.kind == Kind.MONITORING
    assert (case.category, case.risks) == ("03", ["01"])  # 突发严重困难户, 因病


def test_a_medical_expense_of_a_poor_household_leaves_a_note_only(users, households):
    d = medical_doubt(households, "poor")
    exchange.verify_doubt(actor=users["township"], doubt_id=d.pk, confirmed=True, reason="住院自付 3 万元")
    d.refresh_from_db()
    assert d.case is None and not Case.objects.exists() and not MonitoringRecord.objects.exists()
    note = HouseholdVersion.objects.filter(household=d.household).latest("id").reason
    assert "待办：纳入监测 / monitoring" in note and "未能自动开启" in note
