"""Every API list answers one page shape (core.pagination.Page) with one cap (MAX_PAGE_SIZE); large lists page
on by key (``after`` / ``next_after``); the OpenAPI schema stays valid."""

import pytest
from django.test import Client
from openapi_spec_validator import validate

from fupin.core.pagination import MAX_PAGE_SIZE

LISTS = [
    ("county", "/api/v1/households/"),
    ("county", "/api/v1/lifecycle/cases"),
    ("county", "/api/v1/monitoring/alerts"),
    ("county", "/api/v1/connectivity/villages?status=all&poor=false"),
    ("county", "/api/v1/connectivity/facilities"),
    ("exchange", "/api/v1/exchange/persons?group=all"),
]


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_openapi_schema_is_valid_and_lists_share_one_page_type(db):
    schema = Client().get("/api/v1/openapi.json").json()
    validate(schema)
    pages = {name for name in schema["components"]["schemas"] if name.startswith("Page")}
    assert len(pages) >= 6 and all(set(schema["components"]["schemas"][p]["properties"]) ==
                                   {"count", "page", "page_size", "next_after", "results"} for p in pages)
    for path in ("/api/v1/households/", "/api/v1/lifecycle/cases", "/api/v1/monitoring/alerts",
                 "/api/v1/connectivity/villages", "/api/v1/connectivity/facilities", "/api/v1/exchange/persons"):
        params = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert params["page_size"]["schema"]["maximum"] == MAX_PAGE_SIZE, path


@pytest.mark.parametrize("who,url", LISTS)
def test_every_list_has_the_one_shape_and_cap(users, households, who, url):
    c = _client(users[who])
    sep = "&" if "?" in url else "?"
    body = c.get(f"{url}{sep}page_size=2").json()
    assert set(body) == {"count", "page", "page_size", "next_after", "results"} and body["page_size"] == 2
    assert len(body["results"]) <= 2
    for bad in (MAX_PAGE_SIZE + 1, 0, 2**64):
        assert c.get(f"{url}{sep}page_size={bad}").status_code == 422
    assert c.get(f"{url}{sep}page={2**64}").status_code == 422


@pytest.mark.parametrize("who,url", [("county", "/api/v1/households/?"),
                                     ("exchange", "/api/v1/exchange/persons?group=all&"),
                                     ("county", "/api/v1/connectivity/villages?status=all&poor=false&sort=name&")])
def test_keyset_paging_walks_the_whole_list_once(users, households, who, url):
    c = _client(users[who])
    first = c.get(f"{url}page_size=1000").json()
    assert first["count"] >= 3 and len(first["results"]) == first["count"]
    seen, after = [], ""
    while True:
        body = c.get(f"{url}page_size=2" + (f"&after={after}" if after else "")).json()
        seen += body["results"]
        after = body["next_after"]
        if not after:
            break
    assert seen == first["results"]


def test_after_needs_a_keyed_sort(users, households):
    c = _client(users["county"])
    assert c.get("/api/v1/households/?sort=-size&after=1").status_code == 422
    assert c.get("/api/v1/connectivity/villages?status=all&sort=code&after=xyz").status_code == 422
