"""The findings API: scoped (another region is a 404), masked by role (a clear read audited), paginated."""

from __future__ import annotations

from fupin.core.models import AuditEvent
from fupin.core.permissions import SYSTEM
from fupin.quality import services
from fupin.quality.models import Finding
from fupin.quality.tests.helpers import AS_OF, spouse
from fupin.registry.models import Member

CODE = "C01_NO_MEDICAL_INSURANCE"
URL = "/api/v1/quality/findings"


def test_findings_api_is_scoped_masked_and_paginated(client, users, base):
    for key in ("poor", "exited", "guizhou"):
        Member.objects.filter(pk=spouse(base[key]).pk).update(has_medical_insurance=False)
    services.run_quality(actor=SYSTEM, as_of=AS_OF)
    m = spouse(base["poor"])
    client.force_login(users["analyst"])  # 云南, names masked
    body = client.get(URL, {"rule": CODE}).json()
    numbers = {r["household_number"] for r in body["results"]}
    assert base["poor"].number in numbers and base["guizhou"].number not in numbers  # 贵州 is not the analyst's
    assert body["count"] == len(body["results"]) == Finding.objects.filter(
        rule_id=CODE, region_code__startswith="53").count()
    row = next(r for r in body["results"] if r["household_number"] == base["poor"].number)
    assert "*" in row["person_id_number"] and m.id_number not in str(body)
    assert m.name not in str(body)
    assert client.get(URL, {"region": "52"}).status_code == 404
    assert client.get(f"{URL}/{Finding.objects.get(household=base['guizhou'], rule_id=CODE).pk}").status_code == 404
    # paginated with the one Page shape
    page = client.get(URL, {"rule": CODE, "page_size": 1, "page": 2}).json()
    assert (page["page"], page["page_size"], len(page["results"])) == (2, 1, 1)
    assert client.get(URL, {"page_size": 5000}).status_code == 422
    # the township reads names in clear: the read is audited
    client.force_login(users["township"])
    before = AuditEvent.objects.filter(action=AuditEvent.Action.READ_PERSONAL).count()
    body = client.get(URL, {"rule": CODE}).json()
    assert [r["person_id_number"] for r in body["results"]] == [m.id_number]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ_PERSONAL).count() == before + 1
    one = client.get(f"{URL}/{body['results'][0]['id']}").json()
    assert one["rule"] == CODE and one["state"] == "open"
