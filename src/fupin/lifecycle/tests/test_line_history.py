"""Poverty and monitoring lines are edited with history (#14 item 7): through the service and the admin site."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fupin.lifecycle import services
from fupin.lifecycle.models import PovertyLineRevision
from fupin.registry.models import PovertyLine


def test_line_edits_are_kept_with_who_and_why(users):
    with pytest.raises(PermissionDenied):
        services.set_poverty_line(actor=users["county"], year=2022, standard="monitoring", province="53", amount="6900")
    services.set_poverty_line(actor=users["sysadmin"], year=2022, standard="monitoring", province="53", amount="6900",
                              reason="省政府文件")
    services.set_poverty_line(actor=users["sysadmin"], year=2022, standard="monitoring", province="53", amount="7000",
                              reason="调整")
    line = PovertyLine.objects.get(year=2022, standard="monitoring", province="53")
    history = list(PovertyLineRevision.objects.filter(line=line).order_by("id"))
    assert [(r.amount_before, r.amount_after, r.reason, r.username) for r in history] == [
        (None, Decimal("6900.00"), "省政府文件", "sysadmin"), (Decimal("6900.00"), Decimal("7000.00"), "调整", "sysadmin")]


def test_the_admin_site_keeps_the_history_too(client, users):
    admin = users["sysadmin"]
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    line = PovertyLine.objects.create(year=2023, standard="monitoring", province="53", amount=Decimal("7100"))
    url = f"/admin/registry/povertyline/{line.pk}/change/"
    response = client.post(url, {"year": 2023, "standard": "monitoring", "province": "53", "amount": "7200",
                                 "note": "", "revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]
    r = PovertyLineRevision.objects.get(line=line)
    assert (r.amount_before, r.amount_after, r.username) == (Decimal("7100.00"), Decimal("7200.00"), admin.username)
    assert client.get(url).status_code == 200
    client.post(f"/admin/registry/povertyline/{line.pk}/delete/", {"post": "yes"})
    assert not PovertyLine.objects.filter(pk=line.pk).exists()
    gone = PovertyLineRevision.objects.filter(year=2023, amount_after=None).get()
    assert gone.amount_before == Decimal("7200.00") and gone.line is None
