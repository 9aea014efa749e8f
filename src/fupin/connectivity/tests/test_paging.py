"""Large village lists: an estimated count above the threshold (PostgreSQL), an exact one below; pages still
return every village exactly once in order."""

import pytest
from django.db import connection

from fupin.connectivity import paging
from fupin.connectivity.tests.factories import add_villages


def test_small_lists_count_exactly_and_pages_cover_every_row_once(client, tree, users):
    add_villages(tree, 30)
    client.force_login(users["sysadmin"])
    seen = []
    page = 1
    while True:
        r = client.get(f"/connectivity/villages/?status=all&poor=0&sort=name&size=20&page={page}")
        p = r.context["page"]
        assert not p.paginator.estimated
        seen += [v.code for v in p]
        if not p.has_next():
            break
        page += 1
    from fupin.regions.models import Region

    expected = list(Region.objects.filter(level=5).order_by("name", "code").values_list("code", flat=True))
    assert seen == expected and p.paginator.count == len(expected) > 60


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_big_lists_show_an_estimate(client, users, monkeypatch):
    monkeypatch.setattr(paging.EstimatedPaginator, "exact_below", 1)
    client.force_login(users["sysadmin"])
    r = client.get("/connectivity/villages/?status=all&poor=0", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.context["page"].paginator.estimated
    assert "约" in r.content.decode()
