"""Pages under /lifecycle/: scoped to the user's region (404 / nothing outside), the queue shows what
waits for each role, the public notice needs no login and shows masked names and no ID numbers."""

import pytest

from fupin.core.roles import Role
from fupin.lifecycle import services
from fupin.lifecycle.models import Case
from fupin.testing import make_user

from .conftest import VILLAGE


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def in_notice(users, households, clock):
    h = households[VILLAGE]
    h.status = "non_poor"
    h.save()
    case = services.open_case(actor=users["clerk"], household=h, kind="identification", year=2019, reason="申请")
    services.review(actor=users["clerk"], case=case, approve=True, reason="通过", evidence="纪要")
    services.start_notice(actor=users["clerk"], cases=[case])
    case.refresh_from_db()
    return case


def test_household_page_is_scoped(client, users, households, tree):
    from fupin.core.roles import Role

    h = households[VILLAGE]
    login(client, users["county"])
    assert client.get(f"/lifecycle/households/{h.pk}/").status_code == 200
    other = make_user("fugong", tree["533323"], Role.COUNTY_ADMIN)
    client.logout()
    login(client, other)
    assert client.get(f"/lifecycle/households/{h.pk}/").status_code == 404


def test_measures_are_added_on_the_household_page_and_listed(client, users, households):
    h = households[VILLAGE]
    login(client, users["clerk"])
    r = client.post(f"/lifecycle/households/{h.pk}/", {
        "type": "03", "description": "生态护林员", "start_date": "2020-01-01", "funds": "10000", "fund_source": "01",
        "responsible": "王科长"})
    assert r.status_code == 302
    page = client.get(f"/lifecycle/households/{h.pk}/").content.decode()
    assert "生态护林员" in page and "10000" in page


def test_queues_by_role_and_region(client, users, in_notice, clock, tree):
    from fupin.core.roles import Role
    from fupin.lifecycle.selectors import queue

    assert [i.task for i in queue(users["township"])] == ["audit"]
    assert not queue(users["township"])[0].ready  # the notice is still running
    assert queue(users["clerk"]) == [] and queue(users["county"]) == []
    other_township = make_user("shangpa", tree["533323101"], Role.TOWNSHIP_REVIEWER)
    assert queue(other_township) == []
    import datetime as dt

    assert queue(users["township"], today=clock.date + dt.timedelta(days=8))[0].ready
    login(client, users["township"])
    assert in_notice.household.number in client.get("/lifecycle/").content.decode()


def test_bulk_decision_from_the_queue_page(client, users, in_notice, clock):
    clock.advance(8)
    services.township_audit(actor=users["township"], case=in_notice, approve=True, reason="审核")
    login(client, users["county"])
    r = client.post("/lifecycle/", {"step": "approve", "approve": "1", "reason": "批量审批", "case": [in_notice.pk]})
    assert r.status_code == 302
    assert Case.objects.get(pk=in_notice.pk).stage == "approved"


def test_public_notice_without_login_masks_names(client, in_notice):
    head = in_notice.household.members.get(relation="01")
    page = client.get("/lifecycle/notices/").content.decode()
    assert in_notice.household.number in page
    assert head.name not in page and head.name[0] + "*" in page
    assert head.id_number not in page
    assert client.get(f"/lifecycle/notices/{in_notice.notice_id}/").status_code == 200
    assert client.get("/lifecycle/notices/999999/").status_code == 404


def test_exit_evaluation_page(client, users, households):
    login(client, users["county"])
    r = client.get("/lifecycle/exit/?year=2020")
    assert r.status_code == 200
    body = r.content.decode()
    assert "退出评估 2020 · 泸水市" in body
    assert "赖茂村委会" in body and "季加村委会" in body  # every village of the county
    assert "腊竹底村委会" not in body  # and nothing outside it


def test_bulk_decision_does_not_reveal_cases_outside_the_region(client, users, in_notice, tree, clock):
    """issue 20 A6: a case of another county reads exactly like a missing one; odd ids are no 500."""
    from django.contrib.messages import get_messages

    other = make_user("fugong", tree["533323"], Role.COUNTY_ADMIN)
    login(client, other)
    r = client.post("/lifecycle/", {"step": "approve", "approve": "1", "reason": "试探",
                                    "case": [str(in_notice.pk), "999999", "²", str(10**30)]}, follow=True)
    assert r.status_code == 200
    texts = [str(m) for m in get_messages(r.wsgi_request)] or [r.content.decode()]
    page = r.content.decode()
    assert f"#{in_notice.pk}: 不存在 / no such case" in page and "#999999: 不存在 / no such case" in page, texts
    assert Case.objects.get(pk=in_notice.pk).stage == in_notice.stage
