import datetime as dt

from django.test import Client

from fupin import testing
from fupin.commerce import services
from fupin.commerce.models import Tier
from fupin.core.roles import Role


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_openapi_lists_commerce_and_is_valid(db):
    schema = Client().get("/api/v1/openapi.json").json()
    for path in ("/api/v1/commerce/stations", "/api/v1/commerce/shops/{pk}/households", "/api/v1/commerce/purchases",
                 "/api/v1/commerce/products", "/api/v1/commerce/coverage"):
        assert path in schema["paths"], path
    from openapi_spec_validator import validate

    validate(schema)


def test_operator_api_sees_own_shop_and_masked_names(shop, operator, households):
    c = _client(operator)
    data = c.get("/api/v1/commerce/shops").json()
    assert [s["id"] for s in data["results"]] == [shop.pk] and data["results"][0]["linked_households"] == 2
    rows = c.get(f"/api/v1/commerce/shops/{shop.pk}/households").json()
    heads = {h.number: h.members.get(relation="01").name for h in households.values()}
    for row in rows:
        assert row["head_name"] != heads[row["household_number"]] and row["head_name"][0] == heads[row["household_number"]][0]
    r = c.post("/api/v1/commerce/purchases", {
        "shop_id": shop.pk, "household_number": households["533301205201"].number, "product": "草果",
        "purchased_on": "2021-05-01", "quantity": "2", "unit": "kg", "unit_price": "11", "protective_price": "10"},
        content_type="application/json")
    assert r.status_code == 201 and r.json()["amount"] == "22.00"
    r = c.post("/api/v1/commerce/purchases", {
        "shop_id": shop.pk, "household_number": households["533301205201"].number, "product": "草果",
        "purchased_on": "2021-05-01", "quantity": "2", "unit": "kg", "unit_price": "9", "protective_price": "10"},
        content_type="application/json")
    assert r.status_code == 422 and "unit_price" in r.json()["errors"]
    assert c.get("/api/v1/commerce/purchases").json()["count"] == 1
    other = testing.make_user("op_api", None, Role.SHOP_OPERATOR)
    assert _client(other).get(f"/api/v1/commerce/shops/{shop.pk}").status_code == 404
    assert _client(other).get("/api/v1/commerce/purchases").json()["count"] == 0


def test_bureau_api_reads_its_region(bureau, tree, shop):
    services.save_station(actor=bureau, region_code="533301205201", tier=Tier.VILLAGE_POINT, name="季加村服务点",
                          opened_on=dt.date(2019, 1, 1))
    services.set_populous_villages(actor=bureau, codes=["533301205201", "533301101201"])
    c = _client(bureau)
    assert c.get("/api/v1/commerce/stations").json()["count"] == 1
    cov = c.get("/api/v1/commerce/coverage").json()
    assert cov[0]["code"] == "533301" and cov[0]["populous_villages"] == 2 and cov[0]["with_station"] == 1
    assert c.get("/api/v1/commerce/stations", {"region": "533323"}).status_code == 404
    gz = testing.make_user("gz", tree["52"], Role.COMMERCE_BUREAU)
    assert _client(gz).get(f"/api/v1/commerce/shops/{shop.pk}").status_code == 404
    r = c.post("/api/v1/commerce/stations", {"region_code": "533301205", "tier": "township", "name": "古登乡站",
                                             "services": ["parcels"]}, content_type="application/json")
    assert r.status_code == 201 and r.json()["services"] == ["parcels"]
