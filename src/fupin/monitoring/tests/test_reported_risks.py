"""The rules on department medical expenses, risk reports and loss of work: each planted risk raises exactly its
alert, nothing else does, a second run adds none; a clerk's report raises its alert at once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from fupin import testing
from fupin.core.models import AuditEvent
from fupin.core.permissions import SYSTEM
from fupin.exchange import services as exchange
from fupin.exchange.models import Batch
from fupin.monitoring import services
from fupin.monitoring.models import Alert, RiskReport, RuleSetting
from fupin.registry import idnumber
from fupin.registry.models import HouseholdVersion, Income

from .conftest import AS_OF, MINE, OTHER, _refresh

NEW_RULES = ("MEDICAL_EXPENSE", "REPORTED_DISASTER", "REPORTED_ACCIDENT", "REPORTED_ILLNESS", "REPORTED_OTHER",
             "JOB_LOSS")


def _report(h, kind, days_before, **extra):
    return RiskReport.objects.create(household=h, region_code=h.village_id, kind=kind, source="cadre",
                                     occurred_on=AS_OF - dt.timedelta(days=days_before), description="x", **extra)


def _expenses(rows, as_of=AS_OF):
    lines = ["id_number,year,total_cost,out_of_pocket", *(f"{i},{y},{t},{o}" for i, y, t, o in rows)]
    b = exchange.upload_batch(actor=SYSTEM, dataset="medical_expense", as_of=as_of, file_name="m.csv",
                              content="\n".join(lines).encode())
    assert b.status == Batch.Status.ACCEPTED, b.report
    return b


def _ids(h):
    return list(h.members.order_by("id").values_list("id_number", flat=True))


@pytest.fixture
def risks(tree, settings, tmp_path):
    """name → household with exactly the new risk its name says; ``none`` has near misses of every rule."""
    settings.VAR_DIR = tmp_path
    v = tree[MINE]
    h = {name: testing.make_household(v, status="exited") for name in (
        "none", "medical", "disaster", "accident", "illness", "other", "job_report", "wages")}
    h["medical_amount"] = testing.make_household(v, status="non_poor")
    Income.objects.filter(household=h["medical_amount"]).update(wage_other=200000)  # net 201,000
    _refresh(h["medical_amount"])
    h["poor"] = testing.make_household(v, status="poor")  # not an object of early warning
    h["elsewhere"] = testing.make_household(tree[OTHER], status="exited")
    # make_household: net income 2020 = 3000·3 + 1000 = 10,000
    stranger = idnumber.make(idnumber.issuing_code("533301", 1980), dt.date(1980, 1, 1), 5, "1")
    _expenses([
        (_ids(h["medical"])[0], 2025, 9000, 3000), (_ids(h["medical"])[1], 2025, 5000, 2500),  # 5,500 > 50 %
        (_ids(h["medical"])[2], 2024, 90000, 90000),  # an earlier year: not counted
        (_ids(h["none"])[0], 2025, 8000, 4000),  # 40 % of its income, under 20,000
        (_ids(h["medical_amount"])[0], 2025, 40000, 25000),  # 12 % of its income, but above 20,000
        (_ids(h["poor"])[0], 2025, 90000, 90000), (_ids(h["elsewhere"])[0], 2025, 9000, 9000),
        (stranger, 2025, 90000, 90000),  # not in the registry
        (_ids(h["none"])[1], 2027, 90000, 90000),  # after the reference year
    ])
    _report(h["disaster"], "disaster", 10, loss=Decimal("30000"))
    _report(h["accident"], "accident", 0)
    _report(h["illness"], "illness", 89)
    _report(h["other"], "other", 30)
    _report(h["job_report"], "job_loss", 5)
    _report(h["none"], "disaster", 91)  # too old
    _report(h["none"], "accident", -1)  # after the reference date
    _report(h["poor"], "illness", 1)
    _report(h["elsewhere"], "job_loss", 1)
    # wages: 20,000 in 2019, none in 2020
    Income.objects.filter(household=h["wages"]).update(wage_other=0, business=5000)
    Income.objects.create(household=h["wages"], year=2019, household_size=3, wage_other=20000)
    _refresh(h["wages"])
    # none: wages down but not to zero; and a tiny wage before (under the 1,000 threshold)
    Income.objects.create(household=h["none"], year=2019, household_size=3, wage_other=50000)
    return h


EXPECTED = {("medical", "MEDICAL_EXPENSE"), ("medical_amount", "MEDICAL_EXPENSE"),
            ("disaster", "REPORTED_DISASTER"), ("accident", "REPORTED_ACCIDENT"), ("illness", "REPORTED_ILLNESS"),
            ("other", "REPORTED_OTHER"), ("job_report", "JOB_LOSS"), ("wages", "JOB_LOSS"),
            ("elsewhere", "MEDICAL_EXPENSE"), ("elsewhere", "JOB_LOSS")}


def found(h):
    names = {x.pk: name for name, x in h.items()}
    return {(names[a.household_id], a.rule) for a in Alert.objects.filter(rule__in=NEW_RULES)}


def test_each_planted_risk_raises_exactly_its_alert(risks):
    run = services.run_rules(actor=SYSTEM, as_of=AS_OF)
    assert found(risks) == EXPECTED
    assert run.summary["skipped"] == {}
    assert run.summary["sources"]["MEDICAL_EXPENSE"]["year"] == 2025
    med = Alert.objects.get(rule="MEDICAL_EXPENSE", household=risks["medical"])
    e = med.evidence
    assert e["year"] == 2025 and float(e["out_of_pocket"]) == 5500 and float(e["total_cost"]) == 14000
    assert e["persons"] == 2 and e["income_year"] == 2020 and float(e["net_income"]) == 10000
    assert float(e["percent_of_income"]) == 55 and med.points == 35 and med.severity == "high"
    assert float(Alert.objects.get(rule="MEDICAL_EXPENSE", household=risks["medical_amount"])
                 .evidence["percent_of_income"]) == pytest.approx(12.44, abs=0.01)
    disaster = Alert.objects.get(rule="REPORTED_DISASTER")
    assert disaster.evidence["reports"] == 1 and str(disaster.evidence["latest_on"]) == "2026-02-19"
    wages = Alert.objects.get(rule="JOB_LOSS", household=risks["wages"]).evidence
    assert wages["wage_year"] == 2020 and float(wages["previous_wages"]) == 20000 and wages["reports"] is None
    report = Alert.objects.get(rule="JOB_LOSS", household=risks["job_report"]).evidence
    assert report["reports"] == 1 and report["wage_year"] is None


def test_a_second_run_adds_nothing_and_a_new_report_adds_one_alert(risks):
    services.run_rules(actor=SYSTEM, as_of=AS_OF)
    before = list(Alert.objects.order_by("id").values_list("id", "rule", "household_id", "fingerprint", "state"))
    run = services.run_rules(actor=SYSTEM, as_of=AS_OF)
    assert run.summary["new"] == 0 and run.summary["reopened"] == 0 and run.summary["cleared"] == 0
    assert list(Alert.objects.order_by("id").values_list("id", "rule", "household_id", "fingerprint", "state")) == before
    # a second disaster report on the same household: the same alert, new evidence
    _report(risks["disaster"], "disaster", 2)
    run = services.run_rules(actor=SYSTEM, as_of=AS_OF)
    assert run.summary["new"] == 0 and Alert.objects.filter(rule="REPORTED_DISASTER").count() == 1
    assert Alert.objects.get(rule="REPORTED_DISASTER").evidence["reports"] == 2


def test_thresholds_are_settings(risks):
    services.ensure_settings()
    RuleSetting.objects.filter(rule="MEDICAL_EXPENSE", province="").update(params={"ratio": 0.3, "amount": 0})
    RuleSetting.objects.filter(rule="REPORTED_ILLNESS", province="").update(params={"days": 60})
    services.run_rules(actor=SYSTEM, as_of=AS_OF)
    medical = {n for n, r in found(risks) if r == "MEDICAL_EXPENSE"}
    assert medical == {"medical", "none", "elsewhere"}  # 55 %, 40 %, 90 %; the absolute amount is off
    assert ("illness", "REPORTED_ILLNESS") not in found(risks)  # 89 days ago


def test_without_a_batch_the_medical_rule_is_skipped_and_keeps_its_alerts(risks):
    services.run_rules(actor=SYSTEM, as_of=AS_OF)
    Batch.objects.filter(dataset="medical_expense").update(status=Batch.Status.REJECTED)
    run = services.run_rules(actor=SYSTEM, as_of=AS_OF)
    assert run.summary["skipped"] == {"MEDICAL_EXPENSE": "no accepted medical_expense batch"}
    assert Alert.objects.filter(rule="MEDICAL_EXPENSE", active=True).count() == 3
    # the latest batch counts: a newer one without the household's expenses clears its alert
    Batch.objects.filter(dataset="medical_expense").update(status=Batch.Status.ACCEPTED)
    _expenses([(_ids(risks["medical_amount"])[0], 2025, 40000, 25000)], as_of=AS_OF + dt.timedelta(days=1))
    run = services.run_rules(actor=SYSTEM, as_of=AS_OF)
    assert set(Alert.objects.filter(rule="MEDICAL_EXPENSE", active=True).values_list("household_id", flat=True)) == {
        risks["medical_amount"].pk}
    # an unreadable file skips the rule, the other rules run
    latest = Batch.objects.filter(dataset="medical_expense").latest("as_of")
    open(latest.path, "wb").write(b"not parquet")
    run = services.run_rules(actor=SYSTEM, as_of=AS_OF)
    assert "cannot read" in run.summary["skipped"]["MEDICAL_EXPENSE"] and run.summary["hits"]["REPORTED_DISASTER"] == 1
    assert Alert.objects.filter(rule="MEDICAL_EXPENSE", active=True).count() == 1


def test_including_a_sudden_difficulty_makes_a_sudden_difficulty_household(risks, users):
    from fupin.lifecycle.models import Case

    services.run_rules(actor=SYSTEM, as_of=AS_OF)
    a = Alert.objects.get(rule="REPORTED_DISASTER")
    services.include(actor=users["township"], alert_id=a.pk, reason="房屋被洪水冲毁")
    case = Case.objects.get(household=risks["disaster"])
    assert case.category == "03" and "04" in case.risks  # with 99 of the income alert (seeded 2020 line)


def test_a_clerk_reports_a_risk_and_its_alert_is_raised_at_once(risks, users, tree):
    h = risks["none"]
    today = timezone.localdate()
    r = services.report_risk(actor=users["clerk"], household_id=h.pk, kind="illness", occurred_on=today,
                             description="户主确诊尿毒症，需长期透析", source="self", reporter="户主本人",
                             loss=Decimal("60000"))
    assert r.region_code == MINE and r.recorded_by == users["clerk"]
    a = Alert.objects.get(rule="REPORTED_ILLNESS", household=h)
    assert a.state == Alert.State.NEW and a.evidence["latest_report"] == r.pk and a.deadline == today + dt.timedelta(days=15)
    assert "风险报告" in HouseholdVersion.objects.filter(household=h).latest("id").reason
    assert AuditEvent.objects.filter(object_type="monitoring.riskreport", object_id=str(r.pk)).exists()
    kw = dict(kind="disaster", occurred_on=today, description="x", source="cadre")
    with pytest.raises(Http404):
        services.report_risk(actor=users["clerk"], household_id=risks["elsewhere"].pk, **kw)
    with pytest.raises(PermissionDenied):
        services.report_risk(actor=users["analyst"], household_id=h.pk, **kw)
    with pytest.raises(ValidationError) as err:
        services.report_risk(actor=users["clerk"], household_id=h.pk, kind="flood", occurred_on=today + dt.timedelta(1),
                             description=" ", source="")
    assert set(err.value.message_dict) == {"kind", "occurred_on", "description", "source"}
    assert RiskReport.objects.filter(household=risks["elsewhere"], kind="disaster").count() == 0
