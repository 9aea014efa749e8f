"""Every procedure walked from application to approval in the browser, each step by its demo role: the village
clerk applies, records the democratic review and posts the public notice; seven days later the township reviewer
audits the cases from the work queue (whose bulk bar offers only the township's step); the county approves each on
its case page. The household's status afterwards is the procedure's result."""

import datetime as dt
from decimal import Decimal

import pytest

from fupin import testing
from fupin.testing import log_in

pytestmark = pytest.mark.browser

VILLAGE = "533301205201"


def _reference_data():
    """What the migrations load and an earlier transactional test may have flushed: code lists, poverty lines."""
    from fupin.registry.models import PovertyLine

    testing.ensure_code_lists()
    PovertyLine.objects.get_or_create(year=2020, standard="national", province="", defaults={"amount": Decimal(4000)})
    last = dt.date.today().year - 1
    PovertyLine.objects.get_or_create(year=last, standard="monitoring", province="53", defaults={"amount": Decimal(7500)})
    return last


def _households(tree, users, last_year):
    """One household per procedure in the clerk's village, in the status the procedure starts from."""
    from fupin import testing
    from fupin.lifecycle.models import Case, Kind, MonitoringRecord, Stage
    from fupin.registry.models import Income

    village = tree[VILLAGE]
    h = {
        Kind.IDENTIFICATION: testing.make_household(village, status="non_poor"),
        Kind.NEW_POVERTY: testing.make_household(village, status="non_poor"),
        Kind.EXIT: testing.make_household(village, status="poor"),
        Kind.RETURN: testing.make_household(village, status="exited"),
        Kind.MONITORING: testing.make_household(village, status="exited"),
        Kind.ELIMINATION: testing.make_household(village, status="monitored"),
        Kind.REMOVAL: testing.make_household(village, status="poor"),
    }
    Income.objects.filter(household=h[Kind.EXIT], year=2020).update(wage_other=15000)  # above the 2020 line
    monitored = h[Kind.ELIMINATION]
    Income.objects.create(household=monitored, year=last_year, household_size=3, wage_other=30000)
    included = Case.objects.create(household=monitored, kind=Kind.MONITORING, stage=Stage.APPROVED, year=last_year,
                                   reason="收入下降", category="01", risks=["01"], previous_status="exited",
                                   opened_by=users["clerk"])
    MonitoringRecord.objects.create(household=monitored, category="01", risks=["01"], included_by=included,
                                    started_on=dt.date.today() - dt.timedelta(days=400))
    return h


RESULT = {"identification": "poor", "new_poverty": "newly_poor", "exit": "exited", "return": "returned",
          "monitoring": "monitored", "elimination": "exited", "removal": "removed"}


def _submit(page, step):
    with page.expect_navigation():
        page.click(f"form[data-step={step}] button[type=submit]")


def test_every_procedure_from_application_to_approval(browser, live_server, transactional_db, monkeypatch):
    from fupin import testing
    from fupin.lifecycle import services
    from fupin.lifecycle.models import Case, Stage
    from fupin.registry.models import Household

    clock = {"today": dt.date.today()}
    monkeypatch.setattr(services.common, "today", lambda: clock["today"])
    last_year = _reference_data()
    tree = testing.make_tree()
    users = testing.make_users(tree)
    households = _households(tree, users, last_year)

    # the village clerk: application, democratic review, public notice — for each procedure
    clerk = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    log_in(clerk, live_server.url, "clerk")
    for kind, h in households.items():
        clerk.goto(f"{live_server.url}/lifecycle/households/{h.pk}/")
        form = "form[data-step=open]"
        clerk.select_option(f"{form} select[name=open-kind]", kind)
        clerk.fill(f"{form} [name=open-reason]", "入户调查，户主申请")
        if kind == "monitoring":
            clerk.select_option(f"{form} select[name=open-category]", "01")
            clerk.check(f"{form} input[name=open-risks][value='01']")
        if kind == "elimination":
            clerk.select_option(f"{form} select[name=open-elimination_method]", "02")
        _submit(clerk, "open")
        assert "/lifecycle/cases/" in clerk.url, (kind, clerk.locator(".message, .field-error").all_inner_texts())
        clerk.fill("form[data-step=review] [name=review-reason]", "村民代表大会评议通过")
        clerk.fill("form[data-step=review] [name=review-evidence]", "评议会议纪要")
        assert clerk.is_checked("form[data-step=review] input[name=review-approve][value='1']")
        _submit(clerk, "review")
        _submit(clerk, "notice")  # seven days by default
        assert clerk.locator("form[data-step=audit]").count() == 0  # the township's step is not the clerk's
    cases = {kind: Case.objects.get(household=h, kind=kind) for kind, h in households.items()}
    assert {k: c.stage for k, c in cases.items()} == {k: Stage.NOTICE for k in households}, cases

    # eight days later: the notice has ended; the township audits all of them from its work queue
    clock["today"] += dt.timedelta(days=8)
    township = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    log_in(township, live_server.url, "township")
    township.goto(live_server.url + "/lifecycle/")
    assert township.locator("select[name=step] option").evaluate_all("os => os.map(o => o.value)") == ["audit"]
    for c in cases.values():
        township.check(f"input[name=case][value='{c.pk}']")
    township.fill("input[name=reason]", "公示期满无异议，审核通过")
    with township.expect_navigation():
        township.click("button.primary")
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases.values()]).values_list("stage", flat=True)) \
        == {Stage.AUDITED}

    # the county approves each on its case page
    county = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    log_in(county, live_server.url, "county")
    for kind, c in cases.items():
        county.goto(f"{live_server.url}/lifecycle/cases/{c.pk}/")
        county.fill("form[data-step=approval] [name=approval-reason]", "县级审定同意")
        _submit(county, "approval")
        assert county.locator(".badge.strong").inner_text() == "县级已审批", kind
    statuses = dict(Household.objects.filter(pk__in=[h.pk for h in households.values()]).values_list("pk", "status"))
    assert {kind: statuses[h.pk] for kind, h in households.items()} == RESULT
