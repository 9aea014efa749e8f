"""A frozen ranking is reproducible: later events change the live figures, not the published bulletin."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from fupin.connectivity import indicators, services
from fupin.regions.models import Region


@pytest.fixture
def ranked(users):
    Region.objects.filter(level=5).update(is_poor_village=True)
    admin = users["sysadmin"]
    for code in ("533301101001", "533301101201", "533301205201"):  # all of 泸水's villages
        services.record_event(actor=admin, data={"code": code, "date": "2018-03-01", "kind": "fiber"})
    return users


def test_snapshot_unchanged_after_later_events(ranked, client):
    admin = ranked["sysadmin"]
    snap = services.freeze_ranking(actor=admin, as_of=dt.date(2019, 12, 31), prefix="5333")
    frozen = list(snap.rows.values_list("rank", "region_code", "villages", "connected", "coverage"))
    assert frozen == [(1, "533301", 3, 3, 100), (2, "533323", 1, 0, 0)]
    # A back-dated event changes the live figures for that date …
    services.record_event(actor=admin, data={"code": "533323101201", "date": "2019-06-01", "kind": "4g"})
    services.record_event(actor=admin, data={"code": "533301205201", "date": "2019-01-01", "kind": "disconnected"})
    live = {v.code: v.numerator for v in indicators.compute("poor_village_broadband", prefix="5333", group_len=6,
                                                             on=dt.date(2019, 12, 31))}
    assert live == {"533301": 2, "533323": 1}
    # … but not the published snapshot, its page or its files.
    snap.refresh_from_db()
    assert list(snap.rows.values_list("rank", "region_code", "villages", "connected", "coverage")) == frozen
    client.force_login(admin)
    page = client.get(f"/connectivity/rankings/{snap.pk}/")
    assert page.status_code == 200 and [r.connected for r in page.context["rows"]] == [3, 0]
    xlsx = client.get(f"/connectivity/rankings/{snap.pk}/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    pdf = client.get(f"/connectivity/rankings/{snap.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    again = services.freeze_ranking(actor=admin, as_of=dt.date(2019, 12, 31), prefix="5333")
    assert list(again.rows.values_list("rank", "region_code", "connected")) == [(1, "533323", 1), (2, "533301", 2)]


def test_ranking_scope_and_roles(ranked, client):
    with pytest.raises(PermissionDenied):
        services.freeze_ranking(actor=ranked["county"], as_of=dt.date(2019, 1, 1), prefix="5333")
    with pytest.raises(PermissionDenied):
        services.freeze_ranking(actor=ranked["analyst"], as_of=dt.date(2019, 1, 1), prefix="")
    national = services.freeze_ranking(actor=ranked["sysadmin"], as_of=dt.date(2019, 1, 1))
    assert list(national.rows.values_list("region_code", "rank")) == [("53", 1), ("52", 2)]  # 贵州: 0 of 1
    province = services.freeze_ranking(actor=ranked["analyst"], as_of=dt.date(2019, 1, 1), prefix="53")
    client.force_login(ranked["analyst"])
    assert client.get(f"/connectivity/rankings/{national.pk}/").status_code == 404
    assert client.get(f"/connectivity/rankings/{province.pk}/").status_code == 200
