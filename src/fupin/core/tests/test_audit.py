"""X2: every write and every read of personal data is in the audit log, with who, what, when, where."""

from django.test import Client

from fupin.core.models import AuditEvent
from fupin.testing import PASSWORD


def login(user) -> Client:
    c = Client(REMOTE_ADDR="10.1.2.3")
    c.force_login(user)
    return c


def test_clear_read_of_a_dossier_is_audited(users, households):
    h = households["533301205201"]
    page = login(users["clerk"]).get(f"/households/{h.pk}/").content.decode()
    member = h.members.first()
    assert member.id_number in page  # the clerk's role needs the number in clear
    e = AuditEvent.objects.get(action="read_personal", object_id=str(h.pk))
    assert e.username == "clerk"
    assert e.region_code == "533301205201"
    assert e.ip == "10.1.2.3"
    assert e.channel == "web"


def test_masked_read_is_not_a_personal_data_read(users, households):
    h = households["533301205201"]
    page = login(users["analyst"]).get(f"/households/{h.pk}/").content.decode()
    member = h.members.first()
    assert member.id_number not in page
    assert member.name not in page
    assert member.id_number[:6] + "********" + member.id_number[-4:] in page
    assert not AuditEvent.objects.filter(action="read_personal").exists()


def test_api_read_is_audited_with_channel(users, households):
    h = households["533301101001"]
    data = login(users["county"]).get(f"/api/v1/households/{h.pk}").json()
    assert data["members"][0]["id_number"] == h.members.order_by("relation", "birth_date", "id").first().id_number
    e = AuditEvent.objects.get(action="read_personal")
    assert e.channel == "api" and e.username == "county"


def test_exports_are_audited(users, households):
    r = login(users["county"]).get("/households/", {"format": "csv"})
    b"".join(r.streaming_content)
    e = AuditEvent.objects.get(action="export")
    assert e.username == "county" and e.detail["clear"] is True


def test_logins_and_failures_are_audited(users):
    c = Client()
    c.post("/login/", {"username": "county", "password": "wrong-password"})
    c.post("/login/", {"username": "county", "password": PASSWORD})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "username"))
    assert ("login_failed", "county") in actions
    assert ("login", "county") in actions


def test_audit_log_page_is_scoped_and_restricted(users, households):
    login(users["clerk"]).get(f"/households/{households['533301205201'].pk}/")
    login(users["county"]).get(f"/households/{households['533301101001'].pk}/")
    assert login(users["clerk"]).get("/audit/").status_code == 403
    assert login(users["analyst"]).get("/audit/").status_code == 403
    county_page = login(users["county"]).get("/audit/", {"action": "read_personal"}).content.decode()
    assert "533301205201" in county_page and "533301101001" in county_page
    admin_page = login(users["sysadmin"]).get("/audit/", {"action": "read_personal"}).content.decode()
    assert "533301205201" in admin_page


def test_county_admin_does_not_see_other_counties_events(users, tree):
    from fupin.core import audit

    audit.record(actor=users["sysadmin"], action="update", object_type="x", object_id="1", region_code="533323101201")
    page = login(users["county"]).get("/audit/").content.decode()
    assert "533323101201" not in page
    page = login(users["sysadmin"]).get("/audit/").content.decode()
    assert "533323101201" in page


def test_audit_log_export(users, households):
    login(users["clerk"]).get(f"/households/{households['533301205201'].pk}/")
    r = login(users["sysadmin"]).get("/audit/", {"format": "csv"})
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    assert "clerk" in body


def test_list_pages_with_names_in_clear_are_audited(users, households):
    login(users["county"]).get("/households/")
    e = AuditEvent.objects.get(action="read_personal", object_type="registry.household")
    assert e.username == "county" and len(e.detail["numbers"]) == 3
    login(users["analyst"]).get("/households/")  # masked: not a read of personal data
    login(users["analyst"]).get("/api/v1/households/")
    assert AuditEvent.objects.filter(action="read_personal").count() == 1
    login(users["clerk"]).get("/api/v1/households/")
    assert AuditEvent.objects.filter(action="read_personal", username="clerk", channel="api").count() == 1
