"""A township verifier works through its doubts; the outcome shows on the dossier timeline and in the audit log;
other regions' doubts are invisible."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fupin.core.models import AuditEvent
from fupin.core.permissions import SYSTEM
from fupin.exchange import services
from fupin.exchange.models import Doubt
from fupin.registry.models import HouseholdVersion

from .helpers import AS_OF, member_of, payroll, vehicles


@pytest.fixture
def doubts(households):
    mine, other = member_of("533301205201"), member_of("533323101201")
    vehicles(mine.id_number, other.id_number)
    services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    return {"mine": Doubt.objects.get(id_number=mine.id_number), "other": Doubt.objects.get(id_number=other.id_number)}


def test_queue_shows_only_the_township_doubts(client, users, doubts):
    client.force_login(users["township"])
    page = client.get(reverse("exchange_queue")).content.decode()
    assert reverse("exchange_doubt", args=[doubts["mine"].pk]) in page
    assert reverse("exchange_doubt", args=[doubts["other"].pk]) not in page
    assert client.get(reverse("exchange_doubt", args=[doubts["other"].pk])).status_code == 404
    r = client.post(reverse("exchange_doubt", args=[doubts["other"].pk]), {"decision": "confirm", "reason": "x"})
    assert r.status_code == 404
    assert Doubt.objects.get(pk=doubts["other"].pk).state == Doubt.State.OPEN
    stats = client.get(reverse("exchange_statistics") + "?format=csv")
    body = b"".join(stats.streaming_content).decode()
    assert "VEHICLE" in body and ",1,1,0,0," in body  # one doubt in scope, open


def test_confirm_in_the_ui_records_the_outcome_on_the_timeline(client, users, doubts):
    d = doubts["mine"]
    client.force_login(users["township"])
    page = client.get(reverse("exchange_doubt", args=[d.pk])).content.decode()
    assert "载客或载货汽车" in page and "云Q00001" in page
    r = client.post(reverse("exchange_doubt", args=[d.pk]),
                    {"decision": "confirm", "reason": "入户核实，车辆为本人所有", "evidence_text": "行驶证照片"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.state == Doubt.State.CONFIRMED and d.verifier == users["township"] and d.resolved_at
    v = HouseholdVersion.objects.filter(household=d.household).latest("id")
    assert v.kind == HouseholdVersion.Kind.UPDATE and v.reason.startswith("比对疑点核实：家庭成员名下有机动车")
    assert "入户核实" in v.reason and v.username == "township"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_type="exchange.doubt",
                                     object_id=str(d.pk), region_code=d.region_code).exists()
    timeline = client.get(reverse("household", args=[d.household_id])).content.decode()
    assert "比对疑点核实" in timeline
    r = client.post(reverse("exchange_doubt", args=[d.pk]), {"decision": "dismiss", "reason": "again"})
    assert Doubt.objects.get(pk=d.pk).state == Doubt.State.CONFIRMED  # resolved once


def test_dismiss_needs_a_reason(users, doubts):
    with pytest.raises(ValidationError):
        services.verify_doubt(actor=users["township"], doubt_id=doubts["mine"].pk, confirmed=False, reason=" ")
    assert Doubt.objects.get(pk=doubts["mine"].pk).state == Doubt.State.OPEN


def test_roles_and_routing(users, households):
    m = member_of("533301205201")
    payroll(m.id_number)
    services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    d = Doubt.objects.get(rule_id="PAYROLL")
    assert d.route_code == "533301"
    with pytest.raises(PermissionDenied):  # routed to the county
        services.verify_doubt(actor=users["township"], doubt_id=d.pk, confirmed=True, reason="x")
    with pytest.raises(PermissionDenied):  # a clerk does not verify
        services.verify_doubt(actor=users["clerk"], doubt_id=d.pk, confirmed=True, reason="x")
    services.verify_doubt(actor=users["county"], doubt_id=d.pk, confirmed=True, reason="在编教师")
    assert Doubt.objects.get(pk=d.pk).state == Doubt.State.CONFIRMED


def test_only_administrators_run_comparisons(users):
    with pytest.raises(PermissionDenied):
        services.run_comparison(actor=users["county"], as_of=AS_OF)


def test_doubt_evidence_shows_no_birth_date_beside_the_masked_id_number(client, users, doubts):
    """issue 20 A1: a DROPOUT doubt's birth_date would rebuild the masked ID number for a masked role."""
    d = doubts["mine"]
    birth = f"{d.id_number[6:10]}-{d.id_number[10:12]}-{d.id_number[12:14]}"
    d.evidence = {**d.evidence, "birth_date": birth}
    d.evidence_text = "户主李大山说车已卖"
    d.save()
    client.force_login(users["analyst"])
    page = client.get(reverse("exchange_doubt", args=[d.pk])).content.decode()
    assert d.id_number not in page and birth not in page and "李大山" not in page
    client.force_login(users["township"])
    assert birth in client.get(reverse("exchange_doubt", args=[d.pk])).content.decode()
