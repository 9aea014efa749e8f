"""The dashboard, rankings and assessment pages: scoping by region, drill-down links, order by direction,
targets met, exports audited, weights edited only by nationwide administrators and analysts."""

import io
import json
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fupin.core.models import AuditEvent
from fupin.indicators.models import AssessmentScheme, AssessmentWeight

from .factories import COUNT, COVER, INCIDENCE, seed, target

pytestmark = pytest.mark.usefixtures("inds")


def page(client, user, name="indicators_dashboard", **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def chart_data(resp):
    m = re.search(r'<script id="ind-data" type="application/json">(.*?)</script>', resp.content.decode(), re.S)
    return json.loads(m.group(1))


def test_county_dashboard_shows_its_townships_and_drills_down(client, tree, users):
    period = seed(tree)
    resp = page(client, users["county"])
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "泸水市" in body and "六库街道" in body and "古登乡" in body
    assert "福贡县" not in body and "贵州省" not in body
    # each township row links to its own dashboard, keeping period and indicator
    assert f'?region=533301101&amp;period={period.code}&amp;indicator={COVER}' in body
    # below a prefecture there are no outlines: sorted bars
    assert 'id="ind-bars"' in body and 'id="ind-map"' not in body
    assert {r["code"]: r["value"] for r in chart_data(resp)} == {"533301101": 95.0, "533301205": 75.0}


@pytest.mark.parametrize("region", ["53", "533323", "52", "520102001001", ""])
def test_another_regions_dashboard_is_404(client, tree, users, region):
    seed(tree)
    assert page(client, users["county"], region=region).status_code == 404


def test_bad_codes_and_periods_are_404(client, tree, users):
    seed(tree)
    assert page(client, users["sysadmin"], region="53x").status_code == 404
    assert page(client, users["sysadmin"], period="1999").status_code == 404


def test_nation_dashboard_draws_the_map_of_china(client, tree, users):
    seed(tree)
    resp = page(client, users["sysadmin"], indicator=INCIDENCE)
    body = resp.content.decode()
    assert resp.status_code == 200 and 'data-map="china"' in body and "china.json" in body
    # features of china.json are named 云南, 贵州
    rows = {r["name"]: r for r in chart_data(resp)}
    assert rows["云南"]["value"] == 2.5 and rows["云南"]["code"] == "53" and rows["贵州"]["value"] == 4.0


def test_province_dashboard_draws_the_province_outline(client, tree, users):
    seed(tree)
    resp = page(client, users["analyst"])
    body = resp.content.decode()
    assert "province/yunnan.json" in body and 'data-map="p53"' in body
    assert chart_data(resp) == [{"name": "怒江傈僳族自治州", "value": 85.0, "code": "5333", "full": "怒江傈僳族自治州"}]


def test_village_dashboard_links_to_its_households(client, tree, users):
    seed(tree)
    resp = page(client, users["clerk"])
    body = resp.content.decode()
    assert resp.status_code == 200 and "季加村委会" in body
    assert f'{reverse("households")}?region=533301205201' in body
    assert "ind-children" not in body  # no children below a village


def test_figures_against_the_most_specific_target(client, tree, users):
    seed(tree)
    target(COVER, 80, "2025-12-31")  # national
    target(COVER, 95, "2025-12-31", prefix="5333")  # stricter in 怒江: applies to 泸水市 (90) → not met
    target(INCIDENCE, 3, "2025-12-31")  # less is better: 2 ≤ 3 → met
    resp = page(client, users["county"])
    figs = {f.indicator.code: f for f in resp.context["board"].figures}
    assert figs[COVER].target.threshold == 95 and figs[COVER].met is False
    assert figs[INCIDENCE].met is True
    assert figs[COUNT].target is None and figs[COUNT].met is None
    body = resp.content.decode()
    assert body.count('class="figure met"') == 1 and body.count('class="figure unmet"') == 1


def test_trend_over_the_yearly_periods(client, tree, users):
    seed(tree)
    target(COVER, 95, "2026-12-31")
    resp = page(client, users["county"])
    assert resp.context["board"].trend == {"periods": ["2024", "2025"], "values": [80.0, 90.0], "target": 95.0}


def test_no_values_yet(client, tree, users):
    resp = page(client, users["county"])
    assert resp.status_code == 200 and resp.context["board"] is None


def test_dashboard_reads_a_handful_of_queries_whatever_the_number_of_regions(client, tree, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seed(tree)
    client.force_login(users["sysadmin"])
    counts = []
    for region in ("", "53", "533301", "533301101", "533301101001"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("indicators_dashboard"), {"region": region}).status_code == 200
        counts.append(len(ctx))
    # the page's own reads plus the top bar's workbench badge (one count per kind of work the administrator sees:
    # cases, alerts, doubts, imports, findings, needs, articles, feedback …); none per region shown
    assert max(counts) <= 20 and max(counts) - min(counts) <= 3, counts


def test_ranking_follows_the_direction_and_ties_share_a_rank(client, tree, users):
    p = seed(tree)
    client.force_login(users["analyst"])
    more = client.get(reverse("indicators_ranking"), {"indicator": COVER, "level": 4, "within": "53"})
    rows = [(v.region_code, v.rank) for v in more.context["page"].object_list]
    assert rows == [("533301101", 1), ("533301205", 2), ("533323101", 3)]
    less = client.get(reverse("indicators_ranking"), {"indicator": INCIDENCE, "level": 4, "within": "53"})
    assert [v.region_code for v in less.context["page"].object_list] == ["533301101", "533301205", "533323101"]
    worst = client.get(reverse("indicators_ranking"), {"indicator": INCIDENCE, "level": 4, "within": "53",
                                                       "sort": "-rank"})
    assert [(v.region_code, v.rank) for v in worst.context["page"].object_list] == [
        ("533323101", 3), ("533301205", 2), ("533301101", 1)]
    # a tie: 季加村 raised to 90 shares rank 2 with 赖茂村; the next is 4th
    from fupin.indicators.models import IndicatorValue

    IndicatorValue.objects.filter(period=p, indicator=COVER, region_code="533301205201").update(value=90)
    tied = client.get(reverse("indicators_ranking"), {"indicator": COVER, "level": 5, "within": "53"})
    assert [(v.region_code, v.rank) for v in tied.context["page"].object_list] == [
        ("533301101001", 1), ("533301101201", 2), ("533301205201", 2), ("533323101201", 4)]
    villages = client.get(reverse("indicators_ranking"), {"indicator": COUNT, "level": 5, "within": "53"})
    assert {v.rank for v in villages.context["page"].object_list} == {1}  # all 10 households: one shared rank


def test_ranking_is_scoped(client, tree, users):
    seed(tree)
    client.force_login(users["county"])
    assert client.get(reverse("indicators_ranking"), {"indicator": COVER, "within": "52"}).status_code == 404
    resp = client.get(reverse("indicators_ranking"), {"indicator": COVER, "level": 5})
    codes = [v.region_code for v in resp.context["page"].object_list]
    assert codes == ["533301101001", "533301101201", "533301205201"]  # 福贡县's village is not there


def test_ranking_export_is_audited(client, tree, users):
    seed(tree)
    client.force_login(users["analyst"])
    resp = client.get(reverse("indicators_ranking"), {"indicator": COVER, "level": 3, "within": "53",
                                                      "format": "xlsx"})
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert [c.value for c in ws[2]][:4] == [1, "533301", "泸水市", 90]
    assert [c.value for c in ws[3]][:4] == [2, "533323", "福贡县", 60]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, username="analyst", region_code="53").count() == 1


def scheme():
    s = AssessmentScheme.objects.create(name="2025年县级考核", year=2025, level=3)
    AssessmentWeight.objects.create(scheme=s, indicator=COVER, weight=60)
    AssessmentWeight.objects.create(scheme=s, indicator=INCIDENCE, weight=40)
    return s


def test_assessment_page_scores_and_ranks(client, tree, users):
    seed(tree)
    scheme()
    target(COVER, 90, "2025-12-31")
    client.force_login(users["analyst"])
    resp = client.get(reverse("indicators_assessment"))
    rows = [(r.code, r.total, r.rank) for r in resp.context["page"].object_list]
    # 泸水市: cover 90/90 → 1 × 60; incidence 2 is the lowest → 1 × 40 = 100
    # 福贡县: cover 60/90 → 0.6667 × 60 = 40.002; incidence 5 is the highest → 0 → 40.00
    assert rows == [("533301", 100, 1), ("533323", 40, 2)]
    assert "泸水市" in resp.content.decode()
    assert client.get(reverse("indicators_assessment"), {"within": "52"}).status_code == 404
    assert not resp.context["can_edit"]  # a provincial analyst does not change national schemes


def test_weights_are_edited_by_nationwide_administrators_only(client, tree, users):
    s = scheme()
    client.force_login(users["county"])
    assert client.get(reverse("indicators_scheme_edit", args=[s.pk])).status_code == 403
    client.force_login(users["sysadmin"])
    assert client.get(reverse("indicators_scheme_edit", args=[s.pk])).status_code == 200
    resp = client.post(reverse("indicators_scheme_edit", args=[s.pk]), {
        "name": s.name, "year": 2025, "level": 3, f"w_{COVER}": "30", f"w_{INCIDENCE}": "0"})
    assert resp.status_code == 302
    assert dict(s.weights.values_list("indicator", "weight")) == {COVER: 30}
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_type="indicators.assessmentscheme")
    assert event.detail["before"] == {COVER: "60.00", INCIDENCE: "40.00"} and event.detail["after"] == {COVER: "30"}
    # a neutral indicator cannot be weighted: the form has no field for it
    form = client.get(reverse("indicators_scheme_new")).context["form"]
    assert f"w_{COUNT}" not in form.fields and f"w_{COVER}" in form.fields
    resp = client.post(reverse("indicators_scheme_new"), {"name": "空", "year": 2025, "level": 3})
    assert resp.status_code == 200 and AssessmentScheme.objects.count() == 1
