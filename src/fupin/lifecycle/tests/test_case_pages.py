"""The lifecycle through its pages: the clerk opens a case on the household page, and each role takes its step
on the case page (POST) up to the county's approval; each page offers only the forms of the user's role, and a
refused step shows the service's bilingual message next to the form and changes nothing."""

import pytest
from django.urls import reverse

from fupin.lifecycle.models import Case, FollowUp, Stage, Step

from .conftest import VILLAGE


def post(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


@pytest.fixture
def household(households):
    h = households[VILLAGE]
    h.status = "non_poor"
    h.save()
    return h


def open_by_page(client, clerk, household):
    r = post(client, clerk, reverse("lifecycle_household", args=[household.pk]), {
        "form": "open", "open-kind": "identification", "open-year": "2019", "open-reason": "因病致贫，户主申请",
        "open-evidence": "申请书"})
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.get(household=household)
    assert r["Location"] == reverse("lifecycle_case", args=[case.pk])
    return case


def test_a_case_walks_from_application_to_approval_through_the_pages(client, users, household, clock):
    case = open_by_page(client, users["clerk"], household)
    url = reverse("lifecycle_case", args=[case.pk])
    page = client.get(url).content.decode()
    assert 'data-step="review"' in page and 'data-step="withdraw"' in page and 'data-step="approval"' not in page

    r = post(client, users["clerk"], url, {"step": "review", "review-approve": "1", "review-reason": "评议通过",
                                           "review-evidence": "会议纪要：到会 30 人"})
    assert r.status_code == 302
    r = post(client, users["clerk"], url, {"step": "notice", "notice-days": "7"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.NOTICE and case.notice is not None

    # An objection, recorded by the clerk and resolved by the township on the page.
    post(client, users["clerk"], url, {"step": "objection", "objection-content": "该户有营运车辆",
                                       "objection-objector": "村民"})
    objection = case.objections.get()
    clock.advance(7)
    page = client.get(url).content.decode()
    assert 'data-step="resolve"' not in page  # the clerk does not resolve
    r = post(client, users["township"], url, {"step": "audit", "audit-approve": "1", "audit-reason": "审核"})
    assert r.status_code == 200 and "公示异议尚未处理完毕" in r.content.decode()
    r = post(client, users["township"], url, {"step": "resolve", "resolve-objection": str(objection.pk),
                                              "resolve-upheld": "0", "resolve-resolution": "车辆已出售"})
    assert r.status_code == 302
    r = post(client, users["township"], url, {"step": "audit", "audit-approve": "1", "audit-reason": "入户核实无误"})
    assert r.status_code == 302
    client.force_login(users["county"])
    assert url in client.get(reverse("lifecycle_queue")).content.decode()  # the queue links to the case page
    r = post(client, users["county"], url, {"step": "approval", "approval-approve": "1",
                                            "approval-reason": "同意纳入建档立卡"})
    assert r.status_code == 302
    case.refresh_from_db()
    household.refresh_from_db()
    assert case.stage == Stage.APPROVED and household.status == "poor"
    assert [s.action for s in case.steps.all()] == ["apply", "review", "notice", "objection", "resolution", "audit",
                                                     "approval"]
    page = client.get(url).content.decode()
    assert "同意纳入建档立卡" in page and "county" in page and "<form" not in page.split("<main")[-1].split("</main>")[0]


def test_a_wrong_role_post_is_refused_with_the_message_and_changes_nothing(client, users, household):
    case = open_by_page(client, users["clerk"], household)
    url = reverse("lifecycle_case", args=[case.pk])
    steps = Step.objects.count()
    r = post(client, users["county"], url, {"step": "review", "review-approve": "1", "review-reason": "越权",
                                            "review-evidence": "x"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "democratic review: only clerk may do this" in body and 'class="message error"' in body
    case.refresh_from_db()
    assert case.stage == Stage.APPLIED and Step.objects.count() == steps
    # the county sees no form of the village's steps
    page = client.get(url).content.decode()
    assert 'data-step="review"' not in page and 'data-step="withdraw"' not in page


def test_a_service_error_is_shown_next_to_the_form(client, users, household):
    case = open_by_page(client, users["clerk"], household)
    url = reverse("lifecycle_case", args=[case.pk])
    r = post(client, users["clerk"], url, {"step": "review", "review-approve": "1", "review-reason": "通过"})
    assert r.status_code == 200 and "请记录评议会议纪要或材料" in r.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.APPLIED


def test_opening_a_monitoring_case_needs_its_category_and_risks(client, users, households):
    h = households[VILLAGE]
    h.status = "exited"
    h.save()
    url = reverse("lifecycle_household", args=[h.pk])
    r = post(client, users["clerk"], url, {"form": "open", "open-kind": "monitoring", "open-year": "2021",
                                           "open-reason": "大病"})
    assert r.status_code == 200 and "请选择监测对象类别" in r.content.decode()
    assert not Case.objects.exists()
    r = post(client, users["clerk"], url, {"form": "open", "open-kind": "monitoring", "open-year": "2021",
                                           "open-reason": "大病", "open-category": "01", "open-risks": ["01", "05"]})
    assert r.status_code == 302
    assert Case.objects.get().risks == ["01", "05"]


def test_follow_up_visits_after_exit(client, users, households):
    h = households[VILLAGE]
    url = reverse("lifecycle_household", args=[h.pk])
    client.force_login(users["clerk"])
    assert 'data-step="follow"' not in client.get(url).content.decode()  # still poor: no follow-up
    r = client.post(url, {"form": "follow", "follow-stable": "1", "follow-note": "回访"})
    assert r.status_code == 200 and "仅对已脱贫户跟踪回访" in r.content.decode()
    h.status = "exited"
    h.save()
    assert 'data-step="follow"' in client.get(url).content.decode()
    r = client.post(url, {"form": "follow", "follow-stable": "0", "follow-note": "收入下降", "follow-visited_on": "2024-05-06"})
    assert r.status_code == 302
    v = FollowUp.objects.get()
    assert (v.stable, v.note, str(v.visited_on)) == (False, "收入下降", "2024-05-06")
    assert "收入下降" in client.get(url).content.decode()
    client.force_login(users["township"])  # not a clerk: no form, and a POST is refused
    assert 'data-step="follow"' not in client.get(url).content.decode()
    r = client.post(url, {"form": "follow", "follow-stable": "1"})
    assert r.status_code == 200 and FollowUp.objects.count() == 1
