from decimal import Decimal

from django.test import Client

from fupin.core.models import User
from fupin.testing import make_household


def login(name: str) -> Client:
    c = Client()
    c.force_login(User.objects.get(username=name))
    return c


def test_search_by_exact_id_number_name_and_number(users, households):
    h = households["533301205201"]
    m = h.members.first()
    c = login("county")
    assert h.number in c.get("/households/", {"q": m.id_number}).content.decode()
    assert h.number in c.get("/households/", {"q": m.name}).content.decode()
    page = c.get("/households/", {"q": h.number}).content.decode()
    assert h.number in page and households["533301101001"].number not in page


def test_sort_and_paginate(users, tree):
    for i in range(25):
        make_household(tree["533301205201"], size=1 + i % 5)
    c = login("clerk")
    page1 = c.get("/households/").content.decode()
    assert "25" in page1 and "page=2" in page1
    data = c.get("/api/v1/households/", {"sort": "-size", "page_size": 5}).json()
    sizes = [r["size"] for r in data["results"]]
    assert sizes == sorted(sizes, reverse=True) and data["count"] == 25


def test_filter_by_status_and_cause(users, tree):
    make_household(tree["533301205201"], status="exited")
    make_household(tree["533301205201"], status="poor")
    data = login("clerk").get("/api/v1/households/", {"status": "exited"}).json()
    assert data["count"] == 1 and data["results"][0]["status"] == "exited"


def test_htmx_returns_the_table_only(users, households):
    html = login("county").get("/households/", HTTP_HX_REQUEST="true").content.decode()
    assert "<table" in html and "<html" not in html


def test_dossier_shows_income_computed_not_typed(users, households):
    h = households["533301205201"]
    inc = h.incomes.get()
    assert inc.net_total == inc.wage_other + inc.business  # computed by the database
    assert inc.per_capita == ((inc.wage_other + inc.business) / inc.household_size).quantize(Decimal("0.01"))
    data = login("clerk").get(f"/api/v1/households/{h.pk}").json()
    assert float(data["incomes"][0]["per_capita"]) == float(inc.per_capita)


def test_dossier_shows_the_assistance_measures(users, households):
    import datetime as dt

    from fupin.lifecycle.models import Measure

    h = households["533301205201"]
    Measure.objects.create(household=h, type="07", description="危房改造（测试）", start_date=dt.date(2019, 3, 1),
                           end_date=dt.date(2019, 9, 1), funds=Decimal("20000"), fund_source="01",
                           responsible="张三", result="已入住")
    page = login("county").get(f"/households/{h.pk}/").content.decode()
    assert 'id="measures"' in page and "危房改造（测试）" in page and "住房安全保障" in page and "已入住" in page
    assert f"/lifecycle/households/{h.pk}/#measures" in page
    # the dossier of a past date is its recorded version; measures are not versioned, so they are not shown there
    past = login("county").get(f"/households/{h.pk}/", {"as_of": "2019-01-01"}).content.decode()
    assert "危房改造（测试）" not in past
