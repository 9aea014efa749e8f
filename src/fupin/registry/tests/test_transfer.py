"""Issue 22: a household moves to another village only by the county's explicit, audited transfer, never as a side
effect of an import (which refuses it and says where the transfer is done)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from fupin.core.models import AuditEvent
from fupin.core.roles import Role
from fupin.registry import hooks, services
from fupin.registry.models import HouseholdVersion
from fupin.registry.tests.importing import dump, form, write_xlsx
from fupin.testing import make_user


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_county_transfers_a_household_with_history_audit_and_hooks(users, households, monkeypatch):
    h = households["533301101201"]
    members = set(h.members.filter(is_active=True).values_list("id_number", flat=True))
    moved: list[tuple[int, str, str]] = []
    monkeypatch.setattr(hooks, "_transfer", [*hooks._transfer, lambda *a: moved.append(a)])
    services.transfer_household(actor=users["county"], household=h, village_code="533301205201",
                                reason="易地扶贫搬迁安置")
    h.refresh_from_db()
    assert h.village_id == "533301205201"
    assert set(h.members.filter(is_active=True).values_list("id_number", flat=True)) == members
    v = HouseholdVersion.objects.filter(household=h).order_by("-id").first()
    assert v.kind == "transfer" and v.reason == "易地扶贫搬迁安置" and v.username == "county"
    assert {"path": "household.village_id", "old": "533301101201", "new": "533301205201"} in v.changes
    event = AuditEvent.objects.filter(object_id=str(h.pk), username="county").order_by("-id").first()
    assert event.detail["transfer"]["from"] == "533301101201" and event.detail["transfer"]["to"] == "533301205201"
    assert moved == [(h.pk, "533301101201", "533301205201")]


@pytest.mark.parametrize(("who", "village", "reason", "error"), [
    ("clerk", "533301205201", "搬迁", PermissionDenied),
    ("township", "533301205201", "搬迁", PermissionDenied),
    ("county", "533301205201", "  ", "reason"),
    ("county", "533301101201", "搬迁", "village"),  # the village it is in
    ("county", "533323101201", "搬迁", "village"),  # another county's village
    ("county", "533301101", "搬迁", "village"),  # a township, not a village
])
def test_a_transfer_is_refused_with_the_reason_and_nothing_changes(users, households, who, village, reason, error):
    h = households["533301101201"]
    before = dump()
    if error is PermissionDenied:
        with pytest.raises(PermissionDenied):
            services.transfer_household(actor=users[who], household=h, village_code=village, reason=reason)
    else:
        with pytest.raises(ValidationError) as exc:
            services.transfer_household(actor=users[who], household=h, village_code=village, reason=reason)
        assert error in exc.value.message_dict
    assert dump() == before


def test_an_import_refused_for_another_village_points_to_the_transfer_and_after_it_the_file_imports(
        users, households, tmp_path):
    h = households["533301101201"]
    data = form(1)
    old = data["户"][0]["户编号"]
    for sheet in data.values():
        for row in sheet:
            if row["户编号"] == old:
                row["户编号"] = h.number
    # the household's own people, so that only the village differs
    r = services.import_registry([write_xlsx(tmp_path / "in.xlsx", data)], actor=users["county"], dry_run=True)
    [e] = [e for e in r.conflicts if e.column == "户编号"]
    assert "Transfer to another village" in e.message and "迁往他村" in e.message


def test_the_transfer_page_and_api(users, households, tree):
    h = households["533301101201"]
    county = _client(users["county"])
    page = county.get(f"/households/{h.pk}/")
    assert f"/households/{h.pk}/transfer/" in page.content.decode()
    clerk = _client(make_user("clerk_laomao", tree["533301101201"], Role.CLERK))
    assert clerk.get(f"/households/{h.pk}/transfer/").status_code == 403
    assert f"/households/{h.pk}/transfer/" not in clerk.get(f"/households/{h.pk}/").content.decode()
    form_page = county.get(f"/households/{h.pk}/transfer/")
    assert form_page.status_code == 200 and "533301205201" in form_page.content.decode()
    assert "533301101201" not in form_page.content.decode().split("<select")[1]  # not its own village
    refused = county.post(f"/households/{h.pk}/transfer/", {"village": "533301205201", "reason": ""})
    assert refused.status_code == 200
    h.refresh_from_db()
    assert h.village_id == "533301101201"
    done = county.post(f"/households/{h.pk}/transfer/", {"village": "533301205201", "reason": "婚迁"})
    assert done.status_code == 302
    h.refresh_from_db()
    assert h.village_id == "533301205201"
    back = county.post(f"/api/v1/households/{h.pk}/transfer", {"village_code": "533301101201", "reason": "撤销"},
                       content_type="application/json")
    assert back.status_code == 200 and back.json()["village_code"] == "533301101201"
    denied = clerk.post(f"/api/v1/households/{h.pk}/transfer",
                                          {"village_code": "533301205201", "reason": "x"},
                                          content_type="application/json")
    assert denied.status_code == 403
    h.refresh_from_db()
    assert h.village_id == "533301101201"
