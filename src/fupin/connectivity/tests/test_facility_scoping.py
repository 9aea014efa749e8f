"""Facilities of other regions are invisible (list, export, API: 404) and only writing roles may write (403)."""

import pytest

from fupin.connectivity.models import Facility

INSIDE, OUTSIDE = "533301205201", "533323101201"  # 泸水市 (the county user's) and 福贡县


@pytest.fixture
def data(users):
    Facility.objects.create(type="village_clinic", region_id=INSIDE, name="季加村卫生室")
    Facility.objects.create(type="village_clinic", region_id=OUTSIDE, name="腊竹底村卫生室")
    Facility.objects.create(type="school", region_id="520102001", name="贵阳学校")
    return users


def test_page_and_export_are_scoped(client, data):
    client.force_login(data["county"])
    page = client.get("/connectivity/facilities/").content.decode()
    assert "季加村卫生室" in page and "腊竹底村卫生室" not in page and "贵阳学校" not in page
    assert client.get("/connectivity/facilities/?under=533323").status_code == 404
    for fmt in ("csv", "xlsx"):
        r = client.get(f"/connectivity/facilities/?format={fmt}")
        body = b"".join(r.streaming_content) if r.streaming else r.content
        if fmt == "csv":
            text = body.decode("utf-8-sig")
            assert "季加村卫生室" in text and "腊竹底村卫生室" not in text and "贵阳学校" not in text
    client.force_login(data["sysadmin"])
    page = client.get("/connectivity/facilities/?sort=-name").content.decode()
    assert page.index("贵阳学校") < page.index("腊竹底村卫生室") < page.index("季加村卫生室")  # descending by name


def test_api_list_get_and_404(client, data):
    client.force_login(data["county"])
    body = client.get("/api/v1/connectivity/facilities").json()
    assert body["count"] == 1 and [f["code"] for f in body["results"]] == [INSIDE]
    outside = Facility.objects.get(region_id=OUTSIDE)
    assert client.get(f"/api/v1/connectivity/facilities/{outside.pk}").status_code == 404
    assert client.get("/api/v1/connectivity/facilities?under=533323").status_code == 404
    r = client.put(f"/api/v1/connectivity/facilities/{outside.pk}",
                   {"type": "village_clinic", "code": OUTSIDE, "name": "x"}, content_type="application/json")
    assert r.status_code == 404
    r = client.post("/api/v1/connectivity/facilities", {"type": "school", "code": OUTSIDE, "name": "x"},
                    content_type="application/json")
    assert r.status_code == 404
    assert Facility.objects.count() == 3


def test_api_writes_through_the_service(client, data):
    client.force_login(data["clerk"])
    r = client.post("/api/v1/connectivity/facilities", {"type": "school", "code": INSIDE, "name": "季加小学"},
                    content_type="application/json")
    assert r.status_code == 403
    client.force_login(data["county"])
    r = client.post("/api/v1/connectivity/facilities",
                    {"type": "school", "code": INSIDE, "name": "季加小学", "bandwidth": "100"},
                    content_type="application/json")
    assert r.status_code == 201 and r.json()["bandwidth"] == 100
    pk = r.json()["id"]
    r = client.post("/api/v1/connectivity/facilities",
                    {"type": "school", "code": INSIDE, "name": "季加小学", "bandwidth": "200"},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["id"] == pk and r.json()["bandwidth"] == 200  # upsert by key
    r = client.put(f"/api/v1/connectivity/facilities/{pk}",
                   {"type": "school", "code": INSIDE, "name": "季加完小", "connected_on": "2019-02-30"},
                   content_type="application/json")
    assert r.status_code == 422 and "接入日期 / connected_on" in r.json()["errors"]
    r = client.put(f"/api/v1/connectivity/facilities/{pk}",
                   {"type": "school", "code": INSIDE, "name": "季加完小", "classrooms": "3"},
                   content_type="application/json")
    assert r.status_code == 200 and r.json()["name"] == "季加完小" and r.json()["bandwidth"] is None
    assert Facility.objects.filter(type="school", region_id=INSIDE).count() == 1
    from fupin.core.models import AuditEvent

    assert AuditEvent.objects.filter(object_type="connectivity.facility", object_id=str(pk)).count() == 3
