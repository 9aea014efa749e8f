"""Keyset paging of large village lists (keyset.py): following the next (or previous) links returns every village
exactly once in the documented order, across the boundary between villages with and without a fiber date, and only
the villages of the user's region."""

import datetime as dt
import re
from html import unescape

import pytest

from fupin.connectivity import paging
from fupin.connectivity.models import VillageStatus
from fupin.connectivity.tests.factories import add_villages
from fupin.regions.models import Level, Region

LIST = "/connectivity/villages/?status=all&poor=0&size=20"


@pytest.fixture
def villages(tree, monkeypatch):
    """The test tree's villages plus 15 per township: every third without a status row, every fifth with a status
    but no fiber, the others fiber-connected on one of six dates (many ties, resolved by code)."""
    monkeypatch.setattr(paging.EstimatedPaginator, "exact_below", 1)  # every list counts as large
    add_villages(tree, 15)
    for i, v in enumerate(Region.objects.filter(level=Level.VILLAGE).order_by("-code")):
        if i % 3 == 0:
            continue
        date = None if i % 5 == 0 else dt.date(2016, 1, 1) + dt.timedelta(days=100 * (i % 6))
        VillageStatus.objects.create(village=v, fiber=date is not None, fiber_date=date, connected=date is not None)
    return Region.objects.filter(level=Level.VILLAGE)


def documented_order(qs, sort):
    """The order keyset.py documents, computed in Python."""
    desc = sort.startswith("-")
    rows = [(v.code, v.name, getattr(getattr(v, "connectivity_status", None), "fiber_date", None))
            for v in qs.select_related("connectivity_status")]
    key = sort.lstrip("-")
    if key == "fiber_date":
        dated = sorted([r for r in rows if r[2]], key=lambda r: (r[2], r[0]), reverse=desc)
        undated = sorted([r[0] for r in rows if not r[2]], reverse=desc)
        return [r[0] for r in dated] + undated
    if key == "name":
        return [r[0] for r in sorted(rows, key=lambda r: (r[1], r[0]), reverse=desc)]
    return sorted((r[0] for r in rows), reverse=desc)


def link(html, rel):
    m = re.search(rf'<a href="\?([^"]*)" rel="{rel}"', html)
    return "/connectivity/villages/?" + unescape(m.group(1)) if m else None


def walk(client, url, rel="next"):
    """Follow the ``rel`` links from ``url``; the codes of every page in reading order, and the pages."""
    pages = []
    while url:
        r = client.get(url)
        page = r.context["page"]
        assert getattr(page, "keyset", False), "a large list is keyset-paged"
        pages.append([v.code for v in page])
        url = link(r.content.decode(), rel)
        assert len(pages) < 100
    return pages


@pytest.mark.parametrize("sort", ["fiber_date", "-fiber_date", "code", "-code", "name", "-name"])
def test_next_links_return_every_village_once_in_the_documented_order(client, users, villages, sort):
    client.force_login(users["sysadmin"])
    pages = walk(client, f"{LIST}&sort={sort}")
    seen = [c for p in pages for c in p]
    assert seen == documented_order(villages, sort)
    assert len(seen) == villages.count() > 60 and len(pages) > 3
    assert all(len(p) == 20 for p in pages[:-1])


@pytest.mark.parametrize("sort", ["fiber_date", "-fiber_date", "name"])
def test_previous_links_walk_back_the_same_pages(client, users, villages, sort):
    client.force_login(users["sysadmin"])
    forward = walk(client, f"{LIST}&sort={sort}")
    last = client.get(f"{LIST}&sort={sort}&after={_key_before(villages, sort, forward[-1][0])}")
    assert [v.code for v in last.context["page"]] == forward[-1]
    back = walk(client, link(last.content.decode(), "prev"), rel="prev")
    assert [c for p in reversed(back) for c in p] == [c for p in forward[:-1] for c in p]
    assert not link(client.get(f"{LIST}&sort={sort}").content.decode(), "prev")  # the first page has none


def _key_before(qs, sort, code):
    """The key of the village just before ``code`` in the documented order."""
    from fupin.connectivity.keyset import encode

    order = documented_order(qs, sort)
    prev = qs.select_related("connectivity_status").get(code=order[order.index(code) - 1])
    return encode(prev, sort)


def test_links_across_the_boundary_between_dated_and_undated_villages(client, users, villages):
    client.force_login(users["sysadmin"])
    order = documented_order(villages, "fiber_date")
    dated = villages.filter(connectivity_status__fiber_date__isnull=False).count()
    assert 20 < dated < len(order) - 20
    # A page that starts 7 villages before the boundary: its rows run from the dated into the undated villages.
    start = order[dated - 8]
    key = _key_before(villages, "fiber_date", order[dated - 7])
    assert key.startswith(start + "~2")
    r = client.get(f"{LIST}&sort=fiber_date&after={key}")
    assert [v.code for v in r.context["page"]] == order[dated - 7:dated + 13]
    html = r.content.decode()
    nxt = client.get(link(html, "next"))
    assert [v.code for v in nxt.context["page"]] == order[dated + 13:dated + 33]
    prev = client.get(link(html, "prev"))
    assert [v.code for v in prev.context["page"]] == order[dated - 27:dated - 7]
    # From the first undated village back: the last dated villages.
    back = client.get(f"{LIST}&sort=fiber_date&before={order[dated]}~")
    assert [v.code for v in back.context["page"]] == order[dated - 20:dated]
    onward = client.get(link(back.content.decode(), "next"))
    assert [v.code for v in onward.context["page"]] == order[dated:dated + 20]


def test_keyset_pages_stay_in_the_users_region(client, users, villages):
    county = users["county"]
    client.force_login(county)
    prefix = county.region.code
    for sort in ("fiber_date", "name", "code"):
        pages = walk(client, f"{LIST}&sort={sort}")
        seen = [c for p in pages for c in p]
        assert seen == documented_order(villages.filter(code__startswith=prefix), sort)
        assert 20 < len(seen) < villages.count()
    # A key from outside the region moves the start, never the scope.
    outside = villages.exclude(code__startswith=prefix).order_by("code").first()
    r = client.get(f"{LIST}&sort=code&after={outside.code[:2]}0000000000")
    codes = [v.code for v in r.context["page"]]
    assert codes and all(c.startswith(prefix) for c in codes)


def test_small_lists_keep_numbered_pages(client, users, villages, monkeypatch):
    monkeypatch.setattr(paging.EstimatedPaginator, "exact_below", 10_000)
    client.force_login(users["sysadmin"])
    r = client.get(f"{LIST}&sort=fiber_date&page=2")
    page = r.context["page"]
    assert not getattr(page, "keyset", False) and page.number == 2
    assert [v.code for v in page] == documented_order(villages, "fiber_date")[20:40]
