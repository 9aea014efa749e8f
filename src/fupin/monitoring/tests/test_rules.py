"""Each planted risk raises exactly its alert; a second run adds none; resolved alerts stay resolved until
the data change; thresholds are settings, by province."""

import datetime as dt
from decimal import Decimal

from fupin.core.permissions import SYSTEM
from fupin.lifecycle.models import Measure, PovertyLine
from fupin.monitoring import services
from fupin.monitoring.models import Alert, RuleSetting
from fupin.registry.models import Household

from .conftest import AS_OF, _refresh

EXPECTED = {
    ("income", "INCOME_BELOW_LINE"), ("drop", "INCOME_DROP"), ("housing", "HOUSING_UNSAFE"),
    ("water", "WATER_UNSAFE"), ("insurance", "NO_MEDICAL_INSURANCE"), ("school", "CHILD_OUT_OF_SCHOOL"),
    ("monitored", "MONITORED_NO_MEASURE"), ("elsewhere", "HOUSING_UNSAFE"),
}


def found(planted):
    names = {h.pk: name for name, h in planted.items()}
    return {(names[a.household_id], a.rule) for a in Alert.objects.all()}


def test_each_planted_risk_raises_exactly_its_alert(planted):
    run = services.run_rules(actor=SYSTEM, as_of=AS_OF)
    assert found(planted) == EXPECTED
    assert run.summary["new"] == len(EXPECTED)
    a = Alert.objects.get(rule="INCOME_BELOW_LINE")
    assert a.evidence["year"] == 2020 and float(a.evidence["per_capita"]) == 666.67
    assert float(a.evidence["line"]) == 3000.0 and a.state == Alert.State.NEW
    assert a.township_code == "533301205" and a.region_code == "533301205201"
    assert a.deadline == AS_OF + dt.timedelta(days=15) and a.points == 40
    drop = Alert.objects.get(rule="INCOME_DROP")
    assert float(drop.evidence["drop_percent"]) > 60


def test_a_second_run_adds_nothing(planted):
    services.run_rules(actor=SYSTEM, as_of=AS_OF)
    before = list(Alert.objects.order_by("id").values_list("id", "rule", "household_id", "fingerprint", "state"))
    run = services.run_rules(actor=SYSTEM, as_of=AS_OF)
    assert run.summary["new"] == 0 and run.summary["reopened"] == 0
    after = list(Alert.objects.order_by("id").values_list("id", "rule", "household_id", "fingerprint", "state"))
    assert after == before


def test_dismissed_alert_stays_dismissed_until_the_data_change(planted, users):
    services.run_rules(actor=SYSTEM, as_of=AS_OF)
    a = Alert.objects.get(rule="INCOME_BELOW_LINE")
    services.dismiss(actor=users["township"], alert_id=a.pk, reason="收入漏记，已核实")
    services.run_rules(actor=SYSTEM, as_of=AS_OF)
    a.refresh_from_db()
    assert a.state == Alert.State.DISMISSED and a.reopened == 0
    # the income changes but stays below the line: new evidence, the alert is reopened
    planted["income"].incomes.update(wage_other=1300)
    _refresh(planted["income"])
    run = services.run_rules(actor=SYSTEM, as_of=AS_OF)
    a.refresh_from_db()
    assert a.state == Alert.State.NEW and a.reopened == 1 and run.summary["reopened"] == 1
    assert float(a.evidence["per_capita"]) == 766.67


def test_alert_no_longer_found_leaves_the_score(planted):
    services.run_rules(actor=SYSTEM, as_of=AS_OF)
    Household.objects.filter(pk=planted["housing"].pk).update(housing_safety="A")
    Measure.objects.create(household=planted["monitored"], type="05", description="医疗救助",
                           start_date=AS_OF - dt.timedelta(days=10), responsible="李")
    run = services.run_rules(actor=SYSTEM, as_of=AS_OF)
    assert run.summary["cleared"] == 2
    assert not Alert.objects.get(household=planted["housing"]).active
    assert not Alert.objects.get(household=planted["monitored"]).active


def test_monitoring_line_of_the_province_and_factor_are_settings(planted):
    PovertyLine.objects.create(year=2020, standard="monitoring", province="53", amount=Decimal("600"))
    services.run_rules(actor=SYSTEM, as_of=AS_OF)
    assert not Alert.objects.filter(rule="INCOME_BELOW_LINE").exists()  # 666.67 is above the province's 600
    PovertyLine.objects.all().filter(standard="monitoring").delete()
    RuleSetting.objects.filter(rule="INCOME_BELOW_LINE").update(params={"factor": 2.0})  # line 4000
    services.run_rules(actor=SYSTEM, as_of=AS_OF)
    flagged = {n for n, r in found(planted) if r == "INCOME_BELOW_LINE"}
    assert flagged == set(planted) - {"poor", "monitored"}  # every household at risk is below 4000


def test_a_provincial_setting_overrides_the_national_one(planted):
    services.ensure_settings()
    RuleSetting.objects.create(rule="HOUSING_UNSAFE", province="53", enabled=False, severity="low", points=1)
    services.run_rules(actor=SYSTEM, as_of=AS_OF)
    assert not Alert.objects.filter(rule="HOUSING_UNSAFE").exists()
    RuleSetting.objects.filter(rule="HOUSING_UNSAFE", province="53").update(enabled=True, points=7)
    RuleSetting.objects.create(rule="INCOME_DROP", province="53", severity="low", points=1, params={"drop": 0.9})
    services.run_rules(actor=SYSTEM, as_of=AS_OF)
    assert set(Alert.objects.filter(rule="HOUSING_UNSAFE").values_list("points", flat=True)) == {7}
    assert not Alert.objects.filter(rule="INCOME_DROP", active=True).exists()  # 67 % is below 90 %


def test_command_and_background_task_run_the_same_service(planted):
    from io import StringIO

    from django.core.management import call_command

    from fupin.monitoring.tasks import run_monitoring

    out = StringIO()
    call_command("run_monitoring", "--as-of", AS_OF.isoformat(), stdout=out)
    assert f"alerts: {len(EXPECTED)} new" in out.getvalue()
    result = run_monitoring.call()
    assert result["new"] == 0 and Alert.objects.count() == len(EXPECTED)


def test_a_year_after_2020_without_the_provinces_monitoring_line_is_reported_not_compared(planted, client, users):
    """#14 item 7: no silent fallback to the national line × factor once the monitoring lines took over."""
    from django.urls import reverse

    from fupin.registry.models import Income

    Income.objects.filter(household=planted["income"]).update(year=2022)
    _refresh(planted["income"])
    PovertyLine.objects.get_or_create(year=2022, standard="national", province="", defaults={"amount": Decimal("2000")})
    run = services.run_rules(actor=SYSTEM, as_of=AS_OF)
    assert not Alert.objects.filter(rule="INCOME_BELOW_LINE", household=planted["income"]).exists()
    missing = run.summary["sources"]["INCOME_BELOW_LINE"]["missing_lines"]
    assert {"year": 2022, "province": "53", "households": 1} in missing
    client.force_login(users["county"])
    page = client.get(reverse("monitoring_queue")).content.decode()
    assert "2022" in page and "云南省" in page
    # with the province's line the household is compared again
    PovertyLine.objects.create(year=2022, standard="monitoring", province="53", amount=Decimal("7000"))
    run = services.run_rules(actor=SYSTEM, as_of=AS_OF)
    a = Alert.objects.get(rule="INCOME_BELOW_LINE", household=planted["income"])
    assert a.evidence["line_source"] == "monitoring" and float(a.evidence["line"]) == 7000.0
    assert run.summary["sources"]["INCOME_BELOW_LINE"]["missing_lines"] == []
