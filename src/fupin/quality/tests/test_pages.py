"""Findings pages: rule × region with drill-down (scoped), one rule's records in one township as page and Excel
(masked by role), the exemption forms, the trend and the catalogue."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from fupin.core.models import AuditEvent
from fupin.core.permissions import SYSTEM
from fupin.quality import services
from fupin.quality.models import Finding, Rule, RuleParameter
from fupin.quality.tests.helpers import AS_OF, spouse
from fupin.registry.models import Member

CODE = "C01_NO_MEDICAL_INSURANCE"


@pytest.fixture
def found(base):
    for key in ("poor", "exited", "guizhou"):
        Member.objects.filter(pk=spouse(base[key]).pk).update(has_medical_insurance=False)
    services.run_quality(actor=SYSTEM, as_of=AS_OF)
    return base


def test_matrix_drills_down_and_is_scoped(client, users, found):
    client.force_login(users["analyst"])  # 云南
    page = client.get("/quality/").content.decode()
    assert "5333" in page and "520102" not in page  # 怒江州 column, no 贵州
    assert "怒江傈僳族自治州" in page
    page = client.get("/quality/?region=533301").content.decode()
    assert "六库街道" in page and "古登乡" in page
    assert client.get("/quality/?region=52").status_code == 404
    client.force_login(users["township"])  # 古登乡: one finding (the poor household's spouse)
    page = client.get("/quality/").content.decode()
    assert "季加村委会" in page and "赖茂村委会" not in page


def test_records_page_and_excel_are_masked_by_role(client, users, found):
    m = spouse(found["poor"])
    client.force_login(users["analyst"])
    page = client.get(f"/quality/rules/{CODE}/?region=533301205").content.decode()
    assert found["poor"].number in page and m.id_number not in page and m.id_number[:6] + "********" in page
    client.force_login(users["township"])
    page = client.get(f"/quality/rules/{CODE}/?region=533301205").content.decode()
    assert m.id_number in page
    response = client.get(f"/quality/rules/{CODE}/?region=533301205&format=xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == found["poor"].number and rows[1][3] == m.id_number
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="quality.findings").exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ_PERSONAL, object_type="quality.findings").exists()
    assert client.get(f"/quality/rules/{CODE}/?region=533323").status_code == 404


def test_exemption_through_the_pages(client, users, found):
    f = Finding.objects.get(rule_id=CODE, household=found["poor"])
    client.force_login(users["township"])
    until = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    client.post(f"/quality/findings/{f.pk}/", {"action": "request", "reason": "异地参保", "until": until})
    f.refresh_from_db()
    assert f.exemption_pending
    page = client.get(f"/quality/findings/{f.pk}/").content.decode()
    assert "Decide the exemption" not in page  # not the asker's to decide
    client.force_login(users["county"])
    client.post(f"/quality/findings/{f.pk}/", {"action": "approve", "note": "凭证已核"})
    f.refresh_from_db()
    assert f.state == Finding.State.EXEMPTED and f.exemption_approved_by == users["county"]


def test_trend_lists_runs(client, users, found):
    services.run_quality(actor=SYSTEM, as_of=AS_OF)
    client.force_login(users["county"])
    page = client.get("/quality/trend/").content.decode()
    assert page.count("<td class=\"num\">2</td>") >= 2  # two open findings in 泸水市 after each run


def test_catalogue_switch_and_parameters_for_administrators_only(client, users, db):
    client.force_login(users["county"])
    assert client.post("/quality/rules/", {"action": "switch", "code": CODE, "enabled": "0"}).status_code == 403
    client.force_login(users["sysadmin"])
    assert "S01_COMPULSORY_OUT" in client.get("/quality/rules/").content.decode()
    client.post("/quality/rules/", {"action": "switch", "code": CODE, "enabled": "0", "severity": "hint"})
    assert not Rule.objects.get(code=CODE).enabled
    response = client.post("/quality/rules/", {"action": "parameters", "code": "S01_COMPULSORY_OUT",
                                               "province": "53", "min_age": "-2"}, follow=True)
    assert "不能为负数" in response.content.decode() and "cannot be negative" not in response.content.decode()
    client.post("/quality/rules/", {"action": "parameters", "code": "S01_COMPULSORY_OUT", "province": "53",
                                    "year": "2026", "max_age": "14"})
    assert RuleParameter.objects.get().values == {"max_age": 14}


def test_evidence_birth_dates_are_masked_beside_masked_id_numbers(client, users, found):
    """A birth date in a finding's evidence beside a masked ID number would give the number back."""
    m = spouse(found["poor"])
    f = Finding.objects.get(rule_id=CODE, household=found["poor"])  # in the township's region
    Finding.objects.filter(pk=f.pk).update(evidence={"birth_date": "1964-05-13", "region_part": "533301"})
    client.force_login(users["analyst"])
    page = client.get(f"/quality/findings/{f.pk}/").content.decode()
    assert "1964-05-13" not in page and "1964" in page
    response = client.get(f"/quality/rules/{CODE}/?region=533301205&format=xlsx")
    cells = [c for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for c in row]
    assert not any(isinstance(c, str) and "1964-05-13" in c for c in cells)
    assert m.id_number not in str(cells)
    client.force_login(users["township"])  # may see personal data: the date in clear
    assert "1964-05-13" in client.get(f"/quality/findings/{f.pk}/").content.decode()
