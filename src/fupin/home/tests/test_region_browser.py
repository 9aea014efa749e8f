from django.test import Client

from fupin.core.models import User


def login(name: str) -> Client:
    c = Client()
    c.force_login(User.objects.get(username=name))
    return c


def test_county_user_starts_at_its_county_with_breadcrumbs(users, households):
    html = login("county").get("/regions/").content.decode()
    assert "泸水市" in html and "六库街道" in html and "古登乡" in html
    assert "福贡县" not in html and "贵州省" not in html
    # ancestors are named but not linked
    assert "云南省" in html and 'href="/regions/53/"' not in html


def test_children_with_counts(users, households):
    html = login("sysadmin").get("/regions/533301/").content.decode()
    assert 'href="/regions/533301101/"' in html
    # 六库街道 has two villages each with one household of three persons
    assert "<td class=\"num\">2</td><td class=\"num\">6</td>" in html.replace("\n", "")


def test_nationwide_user_sees_provinces(users):
    html = login("sysadmin").get("/regions/").content.decode()
    assert "云南省" in html and "贵州省" in html


def test_search_is_scoped(users):
    html = login("county").get("/regions/", {"q": "福贡"}).content.decode()
    assert "腊竹底" not in html and "福贡县</a>" not in html
    html = login("sysadmin").get("/regions/", {"q": "5333231"}).content.decode()
    assert "上帕镇" in html


def test_region_export(users, households):
    r = login("county").get("/regions/533301/", {"format": "csv"})
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    assert "533301101000" in body and "533323" not in body
