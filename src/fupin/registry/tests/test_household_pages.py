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
