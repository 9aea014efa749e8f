"""Every export leaves through core.exports (audited_export / audited_file): exactly one audit record of action
``export`` per download, written before the rows are sent, whatever the format."""

import datetime as dt

import pytest
from django.test import Client

from fupin.connectivity import services as connectivity
from fupin.core.models import AuditEvent
from fupin.core.permissions import SYSTEM

EXPORTS = [
    # (user, url, what)
    ("clerk", "/households/?format=csv", "registry.household"),
    ("county", "/households/?format=xlsx", "registry.household"),
    ("clerk", "/households/{household}/pdf/", "registry.household"),
    ("county", "/regions/?format=csv", "regions.region"),
    ("county", "/audit/?format=csv", "core.auditevent"),
    ("township", "/monitoring/flows/?format=xlsx", "monitoring.flows"),
    ("county", "/exchange/statistics/?format=csv", "exchange.doubt"),
    ("exchange", "/exchange/share/elderly/?format=csv", "exchange.share"),
    ("county", "/connectivity/villages/?format=csv&poor=0&status=all", "connectivity.villagestatus"),
    ("county", "/connectivity/facilities/?format=xlsx", "connectivity.facility"),
    ("sysadmin", "/connectivity/rankings/{snapshot}/?format=xlsx", "connectivity.rankingsnapshot"),
    ("sysadmin", "/connectivity/rankings/{snapshot}/pdf/", "connectivity.rankingsnapshot"),
]


@pytest.mark.parametrize("who,url,what", EXPORTS, ids=[e[1].split("?")[0] + e[1].partition("format=")[2][:4]
                                                        for e in EXPORTS])
def test_each_export_writes_exactly_one_audit_record(users, households, who, url, what):
    household = households["533301205201"]  # the clerk's village
    snapshot = connectivity.freeze_ranking(actor=SYSTEM, as_of=dt.date(2020, 12, 31)) if "{snapshot}" in url else None
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0  # the log is append-only
    c = Client()
    c.force_login(users[who])
    r = c.get(url.format(household=household.pk, snapshot=getattr(snapshot, "pk", "")))
    assert r.status_code == 200, r.content[:500]
    body = b"".join(r.streaming_content) if r.streaming else r.content  # the whole file is sent
    assert body
    events = list(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, id__gt=before))
    assert len(events) == 1, [(e.object_type, e.summary) for e in events]
    assert events[0].object_type == what and events[0].username == who and events[0].detail["format"]


def test_an_export_refused_by_its_selector_writes_no_record(users, households):
    c = Client()
    c.force_login(users["county"])
    assert c.get("/exchange/share/elderly/?format=csv").status_code == 403  # only department accounts pull persons
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
