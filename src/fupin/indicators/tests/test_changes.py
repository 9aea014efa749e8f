"""Every write that changes an indicator's inputs marks its region in its service, and the mark requests one
debounced refresh: the figures follow the data within a minute (issue 23 item 7, issue 13 item 5)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from fupin.connectivity import services as connectivity_services
from fupin.exchange import services as exchange_services
from fupin.exchange.models import Doubt, Rule
from fupin.indicators import changes
from fupin.indicators.models import ChangedRegion, IndicatorValue, Period
from fupin.indicators.tasks import refresh_indicators
from fupin.lifecycle import services as lifecycle_services
from fupin.monitoring import services as monitoring_services
from fupin.monitoring.models import Alert
from fupin.registry import idnumber
from fupin.registry import services as registry_services
from fupin.registry.models import INCOME_FIELDS, Household
from fupin.testing import make_household, make_user

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
VILLAGE = "533301205201"


def _marked() -> set[str]:
    return set(ChangedRegion.objects.values_list("code", flat=True))


def test_the_services_mark_the_regions_they_change(tree, users, households):
    root = make_user("root", None, is_superuser=True, is_staff=True)
    h = households[VILLAGE]
    income = h.incomes.get(year=2020)
    before = Household.objects.get(pk=h.pk).updated_at
    registry_services.set_income(actor=root, household=h, year=2020, reason="更正", components={
        f: getattr(income, f) for f in (*INCOME_FIELDS, "business_expense", "household_size")})
    assert Household.objects.get(pk=h.pk).updated_at > before  # the household itself: the refresh finds just it
    lifecycle_services.set_poverty_line(actor=root, year=2021, standard="provincial", province="53", amount="4500")
    assert _marked() == {"53"}
    ChangedRegion.objects.all().delete()
    alert = Alert.objects.create(rule="r", household=h, region_code=VILLAGE, township_code=VILLAGE[:9],
                                 severity="high", points=10, fingerprint="f", deadline=dt.date(2026, 1, 1),
                                 created_at=timezone.now(), updated_at=timezone.now())
    monitoring_services.dismiss(actor=users["township"], alert_id=alert.pk, reason="无风险")
    assert _marked() == {VILLAGE}
    ChangedRegion.objects.all().delete()
    now = timezone.now()
    doubt = Doubt.objects.create(rule=Rule.objects.create(code="DIBAO_UNRECORDED", severity="high"), household=h,
                                 id_number="X", region_code=VILLAGE, route_code=VILLAGE[:9], severity="high",
                                 fingerprint="f", deadline=dt.date(2026, 1, 1), created_at=now, updated_at=now)
    exchange_services.verify_doubt(actor=users["township"], doubt_id=doubt.pk, confirmed=False, reason="档案无误")
    assert _marked() == {VILLAGE}
    ChangedRegion.objects.all().delete()
    connectivity_services.record_event(actor=root, data={"code": VILLAGE, "date": "2020-05-01", "kind": "fiber",
                                                         "flag": "1"})
    assert _marked() == {VILLAGE}


def test_a_write_requests_one_debounced_refresh_within_a_minute(tree, django_capture_on_commit_callbacks):
    for _ in range(3):  # three writes, three transactions: one task waits
        with django_capture_on_commit_callbacks(execute=True):
            changes.mark_changed([VILLAGE])
    waiting = DBTaskResult.objects.filter(task_path=refresh_indicators.module_path, status=TaskResultStatus.READY)
    assert waiting.count() == 1
    run_after = waiting.get().run_after
    assert run_after is not None and timezone.now() < run_after <= timezone.now() + dt.timedelta(minutes=1)


def test_new_households_reach_the_figures_without_anyone_refreshing(tree, users, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    year = str(timezone.localdate().year)
    make_household(tree[VILLAGE])
    with django_capture_on_commit_callbacks(execute=True):
        changes.mark_changed([VILLAGE])  # the first refresh: every open period
    first = IndicatorValue.objects.get(period_id=year, indicator="registered_households", region_code="")
    root = make_user("root", None, is_superuser=True, is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        registry_services.register_household(
            actor=root, village_code=VILLAGE, number="N-1", reason="新识别",
            data={"status": "poor", "standard": "01", "attribute": "01", "main_cause": "01", "identified_year": 2020,
                  "housing_safety": "A"},
            members=[{"name": "王五", "id_number": idnumber.make(idnumber.issuing_code("533301", 1990), dt.date(1990, 1, 1), 3, "1"), "relation": "01", "ethnicity": "01",
                      "health": "01"}])
    assert Household.objects.count() == 2
    after = IndicatorValue.objects.get(period_id=year, indicator="registered_households", region_code="")
    assert after.numerator == first.numerator + 1
    assert Period.objects.get(code=year).refreshed_at is not None
