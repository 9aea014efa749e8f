"""Every page, export and report of indicator values says what time its data are as of (数据截至), and a past period
computed from today's registry says it is reconstructed (issue 23 items 6 and 7)."""

import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fupin.indicators import services
from fupin.indicators.models import Period
from fupin.testing import make_household

VILLAGE = "533301205201"


def _refreshed(tree, code):
    make_household(tree[VILLAGE])
    services.refresh(services.ensure_period(code))
    return Period.objects.get(code=code)


def test_a_past_period_computed_now_is_reconstructed_and_a_current_one_is_not(tree):
    past = _refreshed(tree, "2020")
    assert past.reconstructed
    assert "reconstructed" in past.data_note and "Data as of" in past.data_note
    current = _refreshed(tree, str(timezone.localdate().year))
    assert not current.reconstructed
    assert current.data_note == f"Data as of {timezone.localtime(current.refreshed_at):%Y-%m-%d %H:%M}"


def test_pages_and_exports_say_as_of_and_reconstructed(client, tree, users):
    period = _refreshed(tree, "2020")
    client.force_login(users["county"])
    stamp = f"{timezone.localtime(period.refreshed_at):%Y-%m-%d %H:%M}"
    for name, params in (("indicators_dashboard", {"period": "2020"}),
                         ("indicators_ranking", {"period": "2020", "indicator": "registered_households"})):
        body = client.get(reverse(name), params).content.decode()
        assert f"数据截至 {stamp}" in body and "重建数据" in body, name
    resp = client.get(reverse("indicators_ranking"), {"period": "2020", "indicator": "registered_households",
                                                      "format": "xlsx"})
    cells = [c for row in load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True) for c in row]
    assert any(isinstance(c, str) and c.startswith(f"数据截至 {stamp}；重建数据") for c in cells)


def test_the_api_says_as_of_and_reconstructed(client, tree, users):
    period = _refreshed(tree, "2020")
    client.force_login(users["county"])
    got = {p["code"]: p for p in client.get("/api/v1/indicators/periods").json()}
    assert got["2020"]["reconstructed"] is True
    assert got["2020"]["data_note"].startswith("数据截至")
    assert got["2020"]["refreshed_at"] is not None and period.refreshed_at is not None
