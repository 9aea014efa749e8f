"""The portal's behaviour: cache and its invalidation, frozen figures only with small counts suppressed, the
editorial workflow, feedback routed to the township with a reference and a rate limit, the donor's view."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fupin import testing
from fupin.core.roles import Role
from fupin.indicators.models import IndicatorValue, Period
from fupin.portal import services
from fupin.portal.models import Article, Feedback
from fupin.portal.tests.conftest import freeze_demo_year

pytestmark = pytest.mark.django_db


def test_progress_shows_frozen_periods_only_and_suppresses_small_counts(tree):
    open_period = Period.objects.create(code="2026", kind="year", starts_on=dt.date(2026, 1, 1),
                                        ends_on=dt.date(2026, 12, 31))
    IndicatorValue.objects.create(period=open_period, indicator="registered_households", region_code="", level=0,
                                  numerator=999, value=999, updated_at=timezone.now())
    assert "999" not in Client().get("/progress/").content.decode()
    freeze_demo_year()
    page = Client().get("/progress/5333/").content.decode()
    assert "泸水市" in page and "福贡县" in page
    assert "&lt;5" in page  # 福贡县: 3 registered households
    assert Client().get("/progress/533301101/").status_code == 404  # no township figures in public


def test_a_freeze_invalidates_the_cached_pages(tree):
    client = Client()
    assert client.get("/progress/")["X-Portal-Cache"] == "miss"
    assert client.get("/progress/")["X-Portal-Cache"] == "hit"
    freeze_demo_year()
    page = client.get("/progress/")
    assert page["X-Portal-Cache"] == "miss" and "2025" in page.content.decode()


def test_articles_go_through_review_and_the_author_cannot_publish_their_own(tree, users):
    editor = testing.make_user("editor", tree["533301"], Role.WELFARE_EDITOR)
    article = services.save_article(actor=editor, title="草果丰收", summary="今年草果丰收", body="正文",
                                    category="news", region=tree["533301"])
    assert Client().get(reverse("portal_article", args=[article.pk])).status_code == 404
    services.submit_article(actor=editor, article=article)
    with pytest.raises(PermissionDenied):
        services.review_article(actor=editor, article=article, publish=True)
    services.review_article(actor=users["county"], article=article, publish=True)
    page = Client().get(reverse("portal_article", args=[article.pk])).content.decode()
    assert 'property="og:title" content="草果丰收"' in page and 'og:description" content="今年草果丰收"' in page
    assert Article.objects.get(pk=article.pk).reviewer == users["county"]


def test_feedback_reaches_the_townships_queue_with_a_reference_the_sender_looks_up(tree, users):
    client = Client()
    form = client.get("/feedback/", {"province": "53", "county": "533301"}).content.decode()
    assert "古登乡" in form
    r = client.post("/feedback/", {"county": "533301", "township": "533301205", "kind": "report",
                                   "text": "某村帮扶款没有到位，请核实。", "contact": "13900000000"})
    assert r.status_code == 302
    fb = Feedback.objects.get()
    assert fb.reference in r["Location"] and fb.township_id == "533301205"
    township = Client()
    township.force_login(users["township"])
    assert fb.reference in township.get(reverse("portal_manage_feedback")).content.decode()
    township.post(reverse("portal_manage_feedback_item", args=[fb.pk]), {"answer": "已核实，款项已于本周发放。", "done": "1"})
    lookup = client.get("/feedback/lookup/", {"ref": fb.reference}).content.decode()
    assert "已核实" in lookup and "13900000000" not in lookup
    other = Client()
    other.force_login(testing.make_user("t2", tree["533323101"], Role.TOWNSHIP_REVIEWER))
    assert other.get(reverse("portal_manage_feedback_item", args=[fb.pk])).status_code == 404


def test_feedback_is_rate_limited(tree):
    client = Client()
    data = {"county": "533301", "township": "533301205", "kind": "feedback", "text": "建议增加电商培训班次。"}
    for _ in range(5):
        assert client.post("/feedback/", data).status_code == 302
    assert client.post("/feedback/", data).status_code == 429
    assert Feedback.objects.count() == 5


def test_a_signed_in_user_sees_the_portal_with_the_way_to_the_workbench(users):
    client = Client()
    client.force_login(users["clerk"])
    page = client.get("/").content.decode()
    assert reverse("home") in page and "工作台" in page


def test_the_language_link_switches_and_returns_to_a_local_page(db):
    r = Client().get("/language/en/", {"next": "https://evil.example/"})
    assert r["Location"] == "/" and r.cookies["django_language"].value == "en"
    page = Client(headers={"cookie": "django_language=en"}).get("/needs/").content.decode()
    assert "Welfare needs" in page


def test_donors_see_no_staff_page_and_pledge_in_their_own_name(tree, users):
    from fupin.welfare.models import Donor, Pledge
    from fupin.welfare.tests.conftest import VILLAGE

    households = [testing.make_household(tree[VILLAGE]) for _ in range(6)]
    from fupin.welfare import services as welfare

    need = welfare.propose_need(actor=users["clerk"], household=households[0], kind="housing", story="修房子。",
                                goal=Decimal(2000), consent_by="户主", consent_on=dt.date(2026, 11, 1),
                                consent_method="signed")
    need = welfare.review_need(actor=users["township"], need=need, publish=True)
    user = testing.make_user("netizen", None, Role.DONOR)
    Donor.objects.create(user=user, display_name="网友甲")
    client = Client()
    client.force_login(user)
    assert households[0].number not in client.get(reverse("households")).content.decode()  # nothing in its scope
    assert client.get(reverse("welfare_need", args=[need.pk])).status_code == 403
    assert client.get(reverse("household", args=[households[0].pk])).status_code == 404
    page = client.get(reverse("welfare_pledge"), {"need": need.pk}).content.decode()
    assert households[0].number not in page and "张姓家庭" in page
    assert client.post(f"{reverse('welfare_pledge')}?need={need.pk}", {"amount": "200"}).status_code == 302
    assert Pledge.objects.get().donor.user == user
