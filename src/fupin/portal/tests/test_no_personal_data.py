"""No personal data on any public page: a crawl of every public URL of the demo, and the join of the public need
pages with the public notices."""

import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from fupin import testing
from fupin.portal.tests.conftest import VILLAGE, post_notice
from fupin.registry.models import Household, Member
from fupin.welfare import services
from fupin.welfare.identity import K
from fupin.welfare.models import Need

# Staff areas a public page may link to (they ask for a login) and files that are no pages.
NOT_PUBLIC = ("/login/", "/workbench/", "/welfare/", "/static/", "/admin/", "/i18n/", "/api/v1/docs", "/language/")


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "data-url") and value:
                self.links.append(value)


def crawl(client: Client, start: str = "/", limit: int = 400) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        body = r.content.decode("utf-8", errors="replace") if not r.streaming else b"".join(r.streaming_content).decode("latin-1")
        seen[url] = body
        if "html" not in r.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(body)
        for link in parser.links:
            absolute = urljoin(url, link)
            parts = urlsplit(absolute)
            if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http"):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path.startswith(NOT_PUBLIC) or path in seen:
                continue
            queue.append(path)
    return seen


def test_a_crawl_of_the_public_site_finds_no_id_number_phone_or_full_name(demo_site):
    pages = crawl(Client())
    visited = set(pages)
    # the crawl reached every kind of public page
    for prefix in ("/progress/", "/needs/", "/welfare-projects/", "/pairings/", "/articles/", "/lifecycle/notices/",
                   "/products/", "/feedback/", "/reports/"):
        assert any(u.startswith(prefix) for u in visited), prefix
    assert sum(1 for u in visited if re.fullmatch(r"/needs/\d+/", u)) >= 3
    secrets = set()
    for name, id_number in Member.objects.values_list("name", "id_number"):
        secrets.update([name, id_number])
    secrets.update(p for p in Household.objects.values_list("phone", flat=True) if p)
    leaks = [(url, s) for url, body in pages.items() for s in secrets if s and s in body]
    assert leaks == []


def test_a_withdrawn_need_is_on_no_public_page_at_once(demo_site, users):
    need = Need.objects.filter(status="published").first()
    pages = crawl(Client())
    assert f"/needs/{need.pk}/" in pages
    services.withdraw_consent(actor=users["clerk"], need=need)
    assert Client().get(f"/needs/{need.pk}/").status_code == 404
    pages = crawl(Client())
    assert not any(f"/needs/{need.pk}/" in body for body in pages.values())


NOTICE_ENTRY = re.compile(r"<td>\s*(?P<name>[^<\s]\*+)\s*</td>")


def _notice_surnames(client: Client) -> list[str]:
    """The masked heads' names of the public notices, as anyone reads them (surname + stars)."""
    html = client.get("/lifecycle/notices/").content.decode()
    return [m.group("name").rstrip("*") for m in NOTICE_ENTRY.finditer(html)]


def test_joining_the_public_need_pages_with_the_public_notices_matches_none_or_at_least_k(demo_site):
    client = Client()
    names = _notice_surnames(client)
    assert len(names) == 6, "the notices page lists the masked heads"
    published = Need.objects.filter(status__in=Need.PUBLIC_STATUSES)
    assert published.count() >= 3
    for public in published:
        html = client.get(f"/needs/{public.pk}/").content.decode()
        label = re.search(r"<h1>([^<·]+)·([^<·]*?)(姓家庭|一户家庭)", html)
        assert label, html[:500]
        surname = label.group(2) if label.group(3) == "姓家庭" else ""
        consistent = sum(1 for n in names if not surname or n == surname)
        assert consistent == 0 or consistent >= K, (public.pk, surname, consistent)
        assert public.household.number not in html


@pytest.fixture
def six(tree):
    return [testing.make_household(tree[VILLAGE]) for _ in range(6)]


def _propose(users, household):
    return services.propose_need(actor=users["clerk"], household=household, kind="school", story="需要学费。",
                                 goal=1000, consent_by="户主", consent_on=dt.date(2026, 11, 1), consent_method="signed")


def test_a_need_that_a_short_notice_would_single_out_cannot_be_published(users, tree, six):
    post_notice(tree[VILLAGE], six[:2], users["township"])
    need = _propose(users, six[0])
    with pytest.raises(services.WelfareError, match="可能被识别"):
        services.review_need(actor=users["township"], need=need, publish=True)
    # a household not on the notice is not published either while the notice could point at another family
    other = _propose(users, six[3])
    with pytest.raises(services.WelfareError, match="可能被识别"):
        services.review_need(actor=users["township"], need=other, publish=True)


def test_a_notice_posted_after_publication_hides_the_need_at_once(users, tree, six):
    need = services.review_need(actor=users["township"], need=_propose(users, six[0]), publish=True)
    page = Client().get(f"/needs/{need.pk}/")
    assert page.status_code == 200 and "季加村委会·张姓家庭" in page.content.decode()
    assert Client().get(f"/needs/{need.pk}/")["X-Portal-Cache"] == "hit"
    post_notice(tree[VILLAGE], [six[0]], users["township"])
    assert Client().get(f"/needs/{need.pk}/").status_code == 404
    assert f"/needs/{need.pk}/" not in Client().get("/needs/").content.decode()
