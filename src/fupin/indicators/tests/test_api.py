"""/api/v1/indicators: definitions, values by region and period, children, ranking; scoped to the caller's region
(404 outside), documented in the OpenAPI schema. Indicator values hold no personal data, so nothing is masked."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from fupin.indicators import definitions, services
from fupin.indicators.models import IndicatorValue
from fupin.indicators.tests.recount import build_demo
from fupin.registry.models import Household


@pytest.fixture
def demo(tree, users):
    build_demo(tree, users, households=120)
    services.refresh(services.ensure_period("2020"))
    return users


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_definitions_in_both_languages(demo):
    rows = _client(demo["analyst"]).get("/api/v1/indicators/definitions").json()
    by_code = {r["code"]: r for r in rows}
    assert by_code["incidence"]["name_en"] == "Poverty incidence"
    with translation.override("zh-hans"):  # 贫困发生率 once the lead has merged .po_pending/ind.po
        assert by_code["incidence"]["name_zh"] == str(definitions.get("incidence").name)
    assert by_code["incidence"]["direction"] == -1 and by_code["incidence"]["denominator"]


def test_values_of_a_region_in_scope(demo):
    r = _client(demo["county"]).get("/api/v1/indicators/values", {"period": "2020", "region": "533301"})
    assert r.status_code == 200
    body = r.json()
    assert body["region_name"] == "泸水市" and body["level"] == 3
    stored = IndicatorValue.objects.get(period_id="2020", region_code="533301", indicator="registered_households")
    got = {v["indicator"]: v for v in body["values"]}
    assert float(got["registered_households"]["numerator"]) == float(stored.numerator)
    code = Household.objects.filter(village__code__startswith="533301").order_by("village_id").first().village_id
    some = _client(demo["county"]).get("/api/v1/indicators/values", {"period": "2020", "region": code,
                                                                     "indicator": ["poor_households"]})
    assert some.status_code == 200, some.content
    assert some.json()["level"] == 5 and [v["indicator"] for v in some.json()["values"]] == ["poor_households"]
    village = IndicatorValue.objects.get(period_id="2020", region_code=code, indicator="poor_households")
    assert float(some.json()["values"][0]["numerator"]) == float(village.numerator)
    missing = _client(demo["county"]).get("/api/v1/indicators/values", {"period": "2020", "region": "533301001001"})
    assert missing.status_code == 404  # no such village


@pytest.mark.parametrize("user,region", [("county", "533323"), ("county", "53"), ("county", ""), ("analyst", "52"),
                                         ("clerk", "533301205")])
def test_regions_outside_scope_are_404(demo, user, region):
    r = _client(demo[user]).get("/api/v1/indicators/values", {"period": "2020", "region": region})
    assert r.status_code == 404
    r = _client(demo[user]).get("/api/v1/indicators/children", {"period": "2020", "region": region,
                                                                 "indicator": "poor_households"})
    assert r.status_code == 404


def test_unknown_period_or_indicator_is_404(demo):
    c = _client(demo["sysadmin"])
    assert c.get("/api/v1/indicators/values", {"period": "1999"}).status_code == 404
    assert c.get("/api/v1/indicators/values", {"period": "2020", "indicator": ["nope"]}).status_code == 404


def test_children_and_ranking_stay_in_scope(demo):
    c = _client(demo["analyst"])
    rows = c.get("/api/v1/indicators/children", {"period": "2020", "region": "5333", "indicator": "poor_households"}).json()
    assert rows and {r["region_code"] for r in rows} <= {"533301", "533323"}
    nation = _client(demo["sysadmin"]).get("/api/v1/indicators/children", {"period": "2020",
                                                                          "indicator": "poor_households"}).json()
    assert {r["region_code"] for r in nation} == {"52", "53"}
    ranked = c.get("/api/v1/indicators/ranking", {"period": "2020", "indicator": "assurance_met", "level": 5}).json()
    assert ranked["count"] > 0 and all(r["region_code"].startswith("53") for r in ranked["results"])
    values = [r["value"] for r in ranked["results"] if r["value"] is not None]
    assert [float(v) for v in values] == sorted((float(v) for v in values), reverse=True)
    assert ranked["results"][0]["rank"] == 1
    county = _client(demo["county"]).get("/api/v1/indicators/ranking", {"period": "2020", "indicator": "incidence",
                                                                         "level": 5}).json()
    assert all(r["region_code"].startswith("533301") for r in county["results"])
    vals = [float(r["value"]) for r in county["results"] if r["value"] is not None]
    assert vals == sorted(vals)  # less is better


def test_anonymous_is_refused_and_schema_documents_responses(demo):
    assert Client().get("/api/v1/indicators/values", {"period": "2020"}).status_code == 401
    schema = _client(demo["sysadmin"]).get("/api/v1/openapi.json").json()
    assert "/api/v1/indicators/values" in schema["paths"]
    assert "RegionValuesOut" in schema["components"]["schemas"]
    assert "RankingOut" in schema["components"]["schemas"]
