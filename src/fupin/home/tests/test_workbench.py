"""The workbench (home page): per role, the work waiting at the user's step, counted inside the user's region,
overdue items flagged; the same counts for the top bar (context processor ``pending``)."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fupin import testing
from fupin.exchange.models import Doubt
from fupin.exchange.models import Rule as DoubtRule
from fupin.home.workbench import pending_counts
from fupin.lifecycle import services
from fupin.monitoring.models import Alert
from fupin.quality.models import Finding
from fupin.quality.models import Rule as QualityRule
from fupin.registry.models import ImportJob

VILLAGE, OTHER_COUNTY_VILLAGE = "533301205201", "533323101201"


def _alert(h, deadline, state=Alert.State.NEW):
    now = timezone.now()
    return Alert.objects.create(rule="INCOME_BELOW_LINE", household=h, region_code=h.village_id,
                                township_code=h.village_id[:9], severity="high", points=30, fingerprint="f",
                                deadline=deadline, state=state, created_at=now, updated_at=now)


@pytest.fixture
def work(users, tree, monkeypatch):
    """In the clerk's village: an application (clerk's step), a case whose notice ended 12 days ago (the township's
    step, overdue), a case whose notice still runs (township, not ready), an audited case (county's step); alerts,
    doubts, findings and a failed import. A case, an alert and a doubt in another county that nobody here sees."""
    today = timezone.localdate()
    clock = {"day": today}
    monkeypatch.setattr(services.common, "today", lambda: clock["day"])
    clerk, township = users["clerk"], users["township"]
    other_clerk = testing.make_user("clerk2", tree[OTHER_COUNTY_VILLAGE], testing.Role.CLERK)
    h = [testing.make_household(tree[VILLAGE], status="exited") for _ in range(4)]
    far = testing.make_household(tree[OTHER_COUNTY_VILLAGE], status="exited")

    def case_to(household, stage_day_offset, until, actor=clerk):
        clock["day"] = today - dt.timedelta(days=stage_day_offset)
        c = services.open_case(actor=actor, household=household, kind="return", reason="收入下降")
        if until == "applied":
            return c
        services.review(actor=actor, case=c, approve=True, reason="评议通过", evidence="纪要")
        services.start_notice(actor=actor, cases=[c])
        if until == "notice":
            return c
        clock["day"] = today
        services.township_audit(actor=township, case=c, approve=True, reason="审核通过")
        return c

    case_to(h[0], 0, "applied")
    case_to(h[1], 19, "notice")  # notice ended 19 - 6 = 13 days ago: audit due 11 days after the end → overdue
    case_to(h[2], 2, "notice")  # notice runs until 4 days from now
    case_to(h[3], 30, "audited")
    case_to(far, 0, "applied", actor=other_clerk)
    clock["day"] = today
    _alert(h[0], today - dt.timedelta(days=1))  # overdue
    _alert(h[1], today + dt.timedelta(days=10))
    _alert(h[2], today - dt.timedelta(days=5), state=Alert.State.DISMISSED)  # decided: not waiting
    _alert(far, today - dt.timedelta(days=1))
    rule = DoubtRule.objects.create(code="DIBAO_UNRECORDED", severity="high")
    now = timezone.now()
    for household, deadline in ((h[0], today - dt.timedelta(days=2)), (h[1], today + dt.timedelta(days=9)),
                                (far, today)):
        Doubt.objects.create(rule=rule, household=household, id_number=f"X{household.pk}",
                             region_code=household.village_id, route_code=household.village_id[:9], severity="high",
                             fingerprint="f", deadline=deadline, created_at=now, updated_at=now)
    qrule = QualityRule.objects.create(code="T_RULE", name="测试", name_en="test", family="person",
                                       subject="person", severity="warning")
    for i, household in enumerate([*h[:3], far]):
        Finding.objects.create(rule=qrule, record=f"household:{household.pk}", household=household,
                               region_code=household.village_id, township_code=household.village_id[:9],
                               fingerprint=str(i), first_seen=now, last_seen=now)
    ImportJob.objects.create(actor=clerk, username="clerk", region_code=VILLAGE, status=ImportJob.Status.REJECTED)
    return h


def _cards(html):
    return {k: int(n) for k, n in re.findall(r'data-card="(\w+)".*?data-count="(\d+)"', html, re.S)}


@pytest.mark.parametrize(("role", "expected", "overdue"), [
    ("clerk", {"cases": 1, "imports": 1, "findings": 3}, 0),
    ("township", {"cases": 2, "alerts": 2, "doubts": 2, "findings": 3, "needs": 0, "feedback": 0}, 3),
    ("county", {"cases": 1, "alerts": 2, "doubts": 2, "findings": 3, "needs": 0, "articles": 0, "feedback": 0}, 2),
    ("analyst", {}, 0),
])
def test_workbench_counts_per_role(users, work, role, expected, overdue, django_assert_max_num_queries):
    with django_assert_max_num_queries(11):  # one aggregate per kind of work (failed imports: two tables)
        counts = pending_counts(users[role])
    assert {k: v for k, v in counts.items() if k not in ("total", "overdue")} == expected
    assert counts.get("overdue", 0) == overdue
    c = Client()
    c.force_login(users[role])
    r = c.get(reverse("home"))
    assert r.status_code == 200
    assert _cards(r.content.decode()) == expected
    assert r.context["pending_work"].get("total", 0) == sum(v for k, v in expected.items() if k != "findings")


def test_township_sees_the_overdue_audit_first_and_one_click_to_it(users, work):
    c = Client()
    c.force_login(users["township"])
    html = c.get(reverse("home")).content.decode()
    card = html[html.index('data-card="cases"'):]
    card = card[:card.index("</article>")]
    assert "1 件等待公示期满或异议处理" in card
    overdue_case = work[1].cases.get()
    assert f'href="{reverse("lifecycle_case", args=[overdue_case.pk])}"' in card  # the ready, overdue audit
    assert 'class="overdue"' in card
    assert f'href="{reverse("lifecycle_case", args=[work[2].cases.get().pk])}"' not in card  # notice still running
    assert reverse("lifecycle_queue") in card


def test_clerk_home_shows_no_empty_registry_message_when_the_village_has_households(users, work):
    c = Client()
    c.force_login(users["clerk"])
    r = c.get(reverse("home"))
    assert r.context["total_households"] == 4
    html = r.content.decode()
    assert "您所辖区域尚无建档立卡户" not in html and "No households are registered" not in html
    assert f'{reverse("households")}?region={VILLAGE}' in html


def test_queue_offers_only_the_users_steps_and_shows_the_head_and_state(users, work):
    c = Client()
    c.force_login(users["township"])
    html = c.get(reverse("lifecycle_queue")).content.decode()
    steps = re.findall(r'<option value="(\w+)">', html.split('name="step"')[1].split("</select>")[0])
    assert steps == ["audit"]
    assert "lifecycle_start_notice" not in html and "/lifecycle/notice/" not in html  # the clerk's button
    head = work[1].members.get(relation="01").name
    assert head in html
    c.force_login(users["clerk"])
    html = c.get(reverse("lifecycle_queue")).content.decode()
    assert re.findall(r'<option value="(\w+)">', html.split('name="step"')[1].split("</select>")[0]) == ["review"]
    assert "/lifecycle/notice/" in html


def test_alert_queue_shows_the_head_and_the_deadline_overdue_in_red(users, work):
    c = Client()
    c.force_login(users["township"])
    html = c.get(reverse("monitoring_queue")).content.decode()
    assert work[0].members.get(relation="01").name in html and work[1].members.get(relation="01").name in html
    overdue = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert f'<span class="badge bad">已逾期，截止 {overdue}</span>' in html
    c.force_login(users["analyst"])  # a masked role sees the surname only
    html = c.get(reverse("monitoring_queue")).content.decode()
    assert work[0].members.get(relation="01").name not in html
