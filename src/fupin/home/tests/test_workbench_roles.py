"""The workbench of the roles beyond the registry (issue 21 item 1): lead unit, finance bureau, commerce bureau,
helping cadre, donor, portal editor, and the township's and county's welfare and portal work. For each card: one
item planted inside the user's region (or own records) and one outside, the count and overdue count, the card's
link opening (200) for the user and listing what was counted."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from fupin import testing
from fupin.commerce.models import Shop, ShopStatus
from fupin.home.workbench import pending_counts, workbench
from fupin.portal.models import Article, Feedback
from fupin.projects.models import Allocation, FundLine, Plan, Project, Stage, Task
from fupin.registry.models import Cadre
from fupin.team.models import Visit
from fupin.welfare.models import Donation, Donor, Need, Pledge

VILLAGE, TOWNSHIP, COUNTY = "533301205201", "533301205", "533301"
FAR_VILLAGE = "533323101201"  # another county of the same prefecture
UNIT = "省委网信办"


def _card(user, key):
    with translation.override("zh-hans"):
        card = next(c for c in workbench(user) if c.key == key)
        card.note = str(card.note)
    return card


def _opens(user, url):
    c = Client()
    c.force_login(user)
    r = c.get(url)
    assert r.status_code == 200, url
    return r


def _home_count(user, key):
    c = Client()
    c.force_login(user)
    html = c.get(reverse("home")).content.decode()
    m = re.search(rf'data-card="{key}".*?data-count="(\d+)"', html, re.S)
    return int(m.group(1)) if m else None


def test_lead_unit_sees_the_overdue_and_at_risk_tasks_of_its_unit_in_its_region(
    tree, django_assert_max_num_queries
):
    today = timezone.localdate()
    lead = testing.make_user("lead", tree["53"], testing.Role.LEAD_UNIT, organisation=UNIT)
    here = Plan.objects.create(
        code="yn", title="云南计划", level="provincial", region=tree["53"], start_year=2025, end_year=2027
    )
    far = Plan.objects.create(
        code="gz", title="贵州计划", level="provincial", region=tree["52"], start_year=2025, end_year=2027
    )

    def task(plan, number, deadline, units=(UNIT,), **kw):
        return Task.objects.create(
            plan=plan,
            number=number,
            title=f"任务{number}",
            text="…",
            lead_units=list(units),
            deadline=deadline,
            **kw,
        )

    late = task(here, "1", today - dt.timedelta(days=3))  # overdue
    soon = task(here, "2", today + dt.timedelta(days=10))  # due soon, never reported: at risk
    task(
        here, "3", today + dt.timedelta(days=300), last_report_on=today, progress=20
    )  # on track: not waiting
    task(here, "4", today - dt.timedelta(days=9), progress=100, done_on=today)  # done
    task(here, "5", today - dt.timedelta(days=9), units=("省通信管理局",))  # another unit's
    task(far, "1", today - dt.timedelta(days=3))  # outside the user's region
    with django_assert_max_num_queries(4):  # one aggregate per card, two for failed imports, the roles
        counts = pending_counts(lead)
    assert counts["tasks"] == 2 and counts["overdue"] == 1 and counts["total"] == 2
    card = _card(lead, "tasks")
    assert [i.url for i in card.items] == [
        reverse("projects_task", args=[late.pk]),
        reverse("projects_task", args=[soon.pk]),
    ]
    assert [i.overdue for i in card.items] == [True, False]
    assert "2 项从未报告进展" in str(card.note)
    r = _opens(lead, card.url)
    assert (
        r.context["overdue_count"] + r.context["at_risk_count"] == 2
    )  # the dispatch list, filtered by the unit
    assert _home_count(lead, "tasks") == 2
    # a lead-unit user without a unit has no card (no task names it)
    assert "tasks" not in pending_counts(testing.make_user("nounit", tree["53"], testing.Role.LEAD_UNIT))


def _project(code, village, stage, accepted_days_ago=None):
    today = timezone.localdate()
    return Project.objects.create(
        code=code,
        name=f"项目{code}",
        year=today.year - 1,
        type="network",
        lead_unit="工信局",
        region=village,
        budget=Decimal(1000),
        planned_start=today - dt.timedelta(days=400),
        planned_end=today - dt.timedelta(days=100),
        stage=stage,
        accepted_on=today - dt.timedelta(days=accepted_days_ago) if accepted_days_ago is not None else None,
    )


def test_finance_sees_the_projects_awaiting_review_and_idle_money_of_its_region(
    tree, django_assert_max_num_queries
):
    today = timezone.localdate()
    finance = testing.make_user("finance", tree[COUNTY], testing.Role.FINANCE)
    old = _project("P1", tree[VILLAGE], Stage.ACCEPTED, accepted_days_ago=120)  # review late
    _project("P2", tree[VILLAGE], Stage.ACCEPTED, accepted_days_ago=5)
    _project("P3", tree[VILLAGE], Stage.EVALUATED, accepted_days_ago=200)  # reviewed
    _project("P4", tree[FAR_VILLAGE], Stage.ACCEPTED, accepted_days_ago=120)  # outside
    idle = _project("P5", tree[VILLAGE], Stage.IMPLEMENTING)
    idle_far = _project("P6", tree[FAR_VILLAGE], Stage.IMPLEMENTING)
    moving = _project("P7", tree[VILLAGE], Stage.IMPLEMENTING)
    for p, days in ((idle, 200), (idle_far, 200), (moving, 10)):
        line = FundLine.objects.create(
            code=f"L-{p.code}",
            year=p.year,
            level="county",
            source="special",
            name=f"线{p.code}",
            region=tree[p.region_id[:6]],
            own_amount=Decimal(1000),
        )
        Allocation.objects.create(
            source=line,
            project=p,
            region=p.region,
            amount=Decimal(500),
            allocated_on=today - dt.timedelta(days=days),
        )
    with django_assert_max_num_queries(5):  # one aggregate per card, two for failed imports, the roles
        counts = pending_counts(finance)
    assert counts["reviews"] == 2 and counts["idle_funds"] == 1
    assert counts["overdue"] == 1 and counts["total"] == 2  # idle money is a check, not in the badge
    card = _card(finance, "reviews")
    assert card.items[0].url == reverse("projects_detail", args=[old.pk]) and card.items[0].overdue
    r = _opens(finance, card.url)
    assert sorted(p.code for p in r.context["page"]) == ["P1", "P2"]
    card = _card(finance, "idle_funds")
    assert [i.url for i in card.items] == [reverse("projects_detail", args=[idle.pk])]
    r = _opens(finance, card.url)
    assert r.context["counts"]["idle"] == 1  # the project alerts page counts the same
    assert _home_count(finance, "reviews") == 2


def _shop(name, village, status=ShopStatus.PENDING, days_ago=0):
    s = Shop.objects.create(
        name=name, model="enterprise", owner="某公司", platform="拼多多", region=village, status=status
    )
    Shop.objects.filter(pk=s.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    return s


def test_commerce_bureau_sees_the_shops_awaiting_its_approval(tree, django_assert_max_num_queries):
    bureau = testing.make_user("bureau", tree[COUNTY], testing.Role.COMMERCE_BUREAU)
    late = _shop("等了很久的网店", tree[VILLAGE], days_ago=30)
    _shop("新申请的网店", tree[VILLAGE], days_ago=1)
    _shop("已认定网店", tree[VILLAGE], status=ShopStatus.APPROVED)
    _shop("外县网店", tree[FAR_VILLAGE], days_ago=30)
    with django_assert_max_num_queries(4):  # one aggregate per card, two for failed imports, the roles
        counts = pending_counts(bureau)
    assert counts["shops"] == 2 and counts["overdue"] == 1 and counts["total"] == 2
    card = _card(bureau, "shops")
    assert card.items[0].url == reverse("commerce_shop", args=[late.pk]) and card.items[0].overdue
    r = _opens(bureau, card.url)
    html = r.content.decode()
    assert (
        "等了很久的网店" in html
        and "新申请的网店" in html
        and "外县网店" not in html
        and "已认定网店" not in html
    )


def test_shop_operator_sees_its_own_shops_not_counted_in_the_badge(tree, django_assert_max_num_queries):
    operator = testing.make_user("shopkeeper", None, testing.Role.SHOP_OPERATOR)
    mine = _shop("我的网店", tree[VILLAGE])
    mine.operators.add(operator)
    _shop("别人的网店", tree[VILLAGE], status=ShopStatus.APPROVED)
    with django_assert_max_num_queries(4):  # one aggregate per card, two for failed imports, the roles
        counts = pending_counts(operator)
    assert counts["own_shops"] == 1 and counts["total"] == 0
    card = _card(operator, "own_shops")
    assert [i.url for i in card.items] == [reverse("commerce_shop", args=[mine.pk])]
    assert "其中 1 家待商务部门认定" in card.note
    html = _opens(operator, card.url).content.decode()
    assert "我的网店" in html and "别人的网店" not in html


def test_cadre_sees_its_households_to_visit_this_month(tree, django_assert_max_num_queries):
    today = timezone.localdate()
    user = testing.make_user("cadre", tree[VILLAGE], testing.Role.CADRE)
    me = Cadre.objects.create(name="李帮扶", unit="县工信局", region=tree[VILLAGE], user=user)
    other = Cadre.objects.create(name="王帮扶", unit="县商务局", region=tree[FAR_VILLAGE])
    never, visited, last_month = (testing.make_household(tree[VILLAGE], cadre=me) for _ in range(3))
    testing.make_household(tree[FAR_VILLAGE], cadre=other)  # someone else's household
    Visit.objects.create(cadre=me, household=visited, visited_on=today, findings="正常")
    Visit.objects.create(
        cadre=me,
        household=last_month,
        findings="正常",
        visited_on=today.replace(day=1) - dt.timedelta(days=3),
    )
    with django_assert_max_num_queries(4):  # one aggregate per card, two for failed imports, the roles
        counts = pending_counts(user)
    assert counts["visits"] == 2 and counts["overdue"] == 1 and counts["total"] == 2
    card = _card(user, "visits")
    assert [i.title for i in card.items] == [never.number, last_month.number]  # never visited first
    assert [i.overdue for i in card.items] == [True, False]
    assert card.items[0].url == reverse("team_visit", args=[never.pk])
    r = _opens(user, card.url)
    assert r.context["to_visit"] == 2


def _need(village, status=Need.Status.PUBLISHED, days_ago=0):
    h = testing.make_household(village)
    n = Need.objects.create(
        household=h,
        village=village,
        kind="school",
        story="学费",
        goal=Decimal(3000),
        status=status,
        consent_by="户主本人",
        consent_on=timezone.localdate(),
        consent_method="signed",
    )
    Need.objects.filter(pk=n.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    return n


def test_donor_sees_its_pledges_not_yet_received(tree, django_assert_max_num_queries):
    user = testing.make_user("donor", None, testing.Role.DONOR)
    me = Donor.objects.create(display_name="网友", user=user)
    someone = Donor.objects.create(display_name="另一位网友")
    a, b, c = (_need(tree[VILLAGE]) for _ in range(3))
    waiting = Pledge.objects.create(donor=me, need=a, amount=Decimal(100))
    Pledge.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    Pledge.objects.create(donor=me, need=b, amount=Decimal(100))
    Pledge.objects.create(donor=me, need=c, amount=Decimal(100))
    Donation.objects.create(
        donor=me,
        need=c,
        amount=Decimal(100),
        channel="bank",
        reference="TX1",
        received_on=timezone.localdate(),
    )  # received: not waiting
    Pledge.objects.create(donor=someone, need=a, amount=Decimal(100))  # another donor's
    counts = pending_counts(user)
    assert counts["pledges"] == 2 and counts["overdue"] == 1 and counts["total"] == 2
    card = _card(user, "pledges")
    assert card.items[0].url == reverse("portal_need", args=[a.pk]) and card.items[0].overdue
    _opens(user, card.url)
    html = _opens(user, reverse("home")).content.decode()
    assert "<h1>工作台</h1>" in html  # not "全国" and an empty registry: a donor has no region
    assert "您所辖区域尚无建档立卡户" not in html and "本辖区建档立卡情况" not in html


def test_township_sees_the_needs_to_review_and_the_messages_to_answer(
    tree, users, django_assert_max_num_queries
):
    township, county = users["township"], users["county"]
    late = _need(tree[VILLAGE], Need.Status.PROPOSED, days_ago=12)
    _need(tree[VILLAGE], Need.Status.PUBLISHED)
    _need(tree[FAR_VILLAGE], Need.Status.PROPOSED)
    for ref, township_code, status, days in (
        ("FKA", TOWNSHIP, Feedback.Status.RECEIVED, 20),
        ("FKB", TOWNSHIP, Feedback.Status.HANDLING, 1),
        ("FKC", TOWNSHIP, Feedback.Status.ANSWERED, 20),
        ("FKD", FAR_VILLAGE[:9], Feedback.Status.RECEIVED, 20),
    ):
        f = Feedback.objects.create(
            reference=ref, kind="report", township=tree[township_code], text="反映问题", status=status
        )
        Feedback.objects.filter(pk=f.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    counts = pending_counts(township)
    assert counts["needs"] == 1 and counts["feedback"] == 2
    card = _card(township, "needs")
    assert card.items[0].url == reverse("welfare_need", args=[late.pk]) and card.items[0].overdue
    assert card.overdue == 1
    r = _opens(township, card.url)
    assert [n.pk for n in r.context["page"]] == [late.pk]
    card = _card(township, "feedback")
    assert card.overdue == 1 and "其中举报 2 件" in str(card.note)
    html = _opens(township, card.url).content.decode()
    assert "FKA" in html and "FKD" not in html
    assert _home_count(township, "feedback") == 2
    assert pending_counts(county)["needs"] == 1


def test_editor_sees_its_drafts_and_the_county_what_awaits_review(tree, users, django_assert_max_num_queries):
    editor = testing.make_user("editor", tree[COUNTY], testing.Role.WELFARE_EDITOR)
    county = users["county"]

    def article(title, region, status):
        return Article.objects.create(
            title=title,
            summary="摘要",
            body="正文",
            category="news",
            region=region,
            status=status,
            author=editor,
        )

    draft = article("县里的草稿", tree[COUNTY], Article.Status.DRAFT)
    article("外县的草稿", tree["533323"], Article.Status.DRAFT)
    article("待审稿件", tree[COUNTY], Article.Status.REVIEW)
    with django_assert_max_num_queries(4):  # one aggregate per card, two for failed imports, the roles
        counts = pending_counts(editor)
    assert counts["articles"] == 1 and counts["total"] == 1
    card = _card(editor, "articles")
    assert [i.url for i in card.items] == [reverse("portal_manage_article", args=[draft.pk])]
    assert "另有 1 篇待审核" in str(card.note)
    html = _opens(editor, card.url).content.decode()
    assert "县里的草稿" in html and "外县的草稿" not in html
    assert pending_counts(county)["articles"] == 1  # the reviewer: the article awaiting review
    assert _card(county, "articles").items[0].title == "待审稿件"
    _opens(county, _card(county, "articles").url)


def test_the_top_bar_shows_the_total_and_colours_it_when_something_is_overdue(
    tree, django_assert_max_num_queries
):
    bureau = testing.make_user("bureau", tree[COUNTY], testing.Role.COMMERCE_BUREAU)
    _shop("等了很久的网店", tree[VILLAGE], days_ago=30)
    html = _opens(bureau, reverse("commerce")).content.decode()
    assert re.search(r'<span class="navcount bad" title="[^"]*">1</span>', html)
    nothing = testing.make_user("bureau2", tree[FAR_VILLAGE[:6]], testing.Role.COMMERCE_BUREAU)
    Shop.objects.update(status=ShopStatus.APPROVED)
    assert 'class="navcount' not in _opens(nothing, reverse("commerce")).content.decode()
