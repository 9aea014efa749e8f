"""Other regions are invisible: 404 in the API and on pages, absent from lists and exports."""

import pytest

from fupin.connectivity import services
from fupin.regions.models import Region

INSIDE, OUTSIDE = "533301205201", "533323101201"  # 泸水市 (the county user's) and 福贡县


@pytest.fixture
def data(users):
    Region.objects.filter(level=5).update(is_poor_village=True)
    services.record_event(actor=users["sysadmin"], data={"code": "533301101201", "date": "2019-01-01", "kind": "fiber"})
    return users


def _bearer(client, user):
    client.force_login(user)
    return client


def test_api_answers_404_outside_the_region(client, data):
    c = _bearer(client, data["county"])
    assert c.get(f"/api/v1/connectivity/villages/{INSIDE}").status_code == 200
    assert c.get(f"/api/v1/connectivity/villages/{OUTSIDE}").status_code == 404
    assert c.get(f"/api/v1/connectivity/villages/{OUTSIDE}?on=2019-01-01").status_code == 404
    r = c.post("/api/v1/connectivity/events", {"code": OUTSIDE, "date": "2020-01-01", "kind": "fiber"},
               content_type="application/json")
    assert r.status_code == 404


def test_api_ledger_lists_only_the_region(client, data):
    body = _bearer(client, data["county"]).get("/api/v1/connectivity/villages").json()
    codes = {v["code"] for v in body["results"]}
    assert codes == {"533301101001", "533301205201"}  # 泸水's poor villages without broadband
    assert body["count"] == 2


def test_api_post_event_needs_a_write_role(client, data):
    r = _bearer(client, data["clerk"]).post(
        "/api/v1/connectivity/events", {"code": INSIDE, "date": "2020-01-01", "kind": "fiber"},
        content_type="application/json")
    assert r.status_code == 403
    r = _bearer(client, data["county"]).post(
        "/api/v1/connectivity/events", {"code": INSIDE, "date": "2020-01-01", "kind": "fiber"},
        content_type="application/json")
    assert r.status_code == 201
    bad = client.post("/api/v1/connectivity/events", {"code": INSIDE, "date": "2020-02-30", "kind": "fiber"},
                      content_type="application/json")
    assert bad.status_code == 422 and "日期 / date" in bad.json()["errors"]


def test_pages_and_exports_leave_other_regions_out(client, data):
    client.force_login(data["county"])
    assert client.get(f"/connectivity/villages/{OUTSIDE}/").status_code == 404
    assert client.get(f"/connectivity/villages/?under={OUTSIDE[:6]}").status_code == 404
    page = client.get("/connectivity/villages/?status=all&poor=0").content.decode()
    assert INSIDE in page and OUTSIDE not in page
    export = b"".join(client.get("/connectivity/villages/?status=all&poor=0&format=csv").streaming_content).decode()
    assert INSIDE in export and OUTSIDE not in export and "520102001001" not in export
    assert client.get("/connectivity/?region=52").status_code == 404
