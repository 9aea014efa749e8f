"""issue 20 A11: the development key is refused when serving without debug, pages carry a CSP and no page or
API answer is cached, password spraying is limited per address, reads are audited with their region."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from fupin.core import apps
from fupin.core.models import AuditEvent
from fupin.testing import PASSWORD

VILLAGE = "533301205201"


def new_events():
    """Audit events recorded from now on (the log is append-only: nothing can be cleared)."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return AuditEvent.objects.filter(id__gt=last)


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_serving_without_a_key_and_without_debug_is_refused(settings, monkeypatch):
    settings.SECRET_KEY_MISSING = True
    settings.DEBUG = False
    monkeypatch.setenv("FUPIN_SERVING", "1")
    with pytest.raises(ImproperlyConfigured):
        apps.check_secret_key()
    settings.DEBUG = True
    apps.check_secret_key()
    settings.DEBUG = False
    settings.SECRET_KEY_MISSING = False
    apps.check_secret_key()


def test_pages_have_a_csp_and_personal_answers_are_not_cached(users, households):
    c = client_for(users["clerk"])
    h = households[VILLAGE]
    page = c.get(f"/households/{h.pk}/")
    assert "script-src 'self'" in page["Content-Security-Policy"] and "unsafe-inline" not in page[
        "Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert page["Cache-Control"] == "no-store"
    assert c.get(f"/api/v1/households/{h.pk}")["Cache-Control"] == "no-store"
    assert " on" + "click=" not in page.content.decode() and "<script>" not in page.content.decode()


def test_password_spraying_is_limited_per_address(users, settings):
    settings.FUPIN_LOGIN_ADDRESS_LIMIT = 4
    c = Client()
    for name in ("clerk", "township", "county", "analyst"):  # one try against each of many users
        assert c.post("/login/", {"username": name, "password": "Spring2026!"}).status_code == 200
    r = c.post("/login/", {"username": "exchange", "password": PASSWORD})  # even the right password
    assert r.status_code == 429
    assert "_auth_user_id" not in c.session


def test_risk_report_reads_are_audited_with_their_region(users, households):
    from fupin.monitoring import services

    h = households[VILLAGE]
    services.report_risk(actor=users["clerk"], household_id=h.pk, kind="illness", occurred_on=h.identified_year and
                         __import__("datetime").date.today(), description="户主张大山住院", source="self",
                         reporter="张大山", loss=None)
    events = new_events()
    assert "张大山" in client_for(users["county"]).get("/monitoring/reports/").content.decode()
    assert events.filter(object_type="monitoring.riskreport", region_code="533301").exists()
    analyst = client_for(users["analyst"])
    assert "张大山" not in analyst.get("/monitoring/reports/").content.decode()
    assert "张大山" not in analyst.get("/api/v1/monitoring/reports").content.decode()


def test_member_remove_page_is_audited(users, households):
    h = households[VILLAGE]
    m = h.members.exclude(relation="01").first()
    events = new_events()
    assert client_for(users["clerk"]).get(f"/households/{h.pk}/members/{m.pk}/remove/").status_code == 200
    assert events.filter(action="read_personal", object_id=str(m.pk)).exists()


def test_admin_masks_audit_details_and_report_texts(users, households):
    from fupin.monitoring import services
    from fupin.monitoring.models import RiskReport

    admin = users["sysadmin"]
    admin.is_superuser = True
    admin.save()
    h = households[VILLAGE]
    services.report_risk(actor=users["clerk"], household_id=h.pk, kind="illness",
                         occurred_on=__import__("datetime").date.today(), description="户主张大山住院",
                         source="self", reporter="张大山", loss=None)
    head = h.members.get(relation="01")
    ev = AuditEvent.objects.create(action="update", detail={"before": {"phone": "13912345678", "name": head.name}})
    c = client_for(admin)
    body = c.get(f"/admin/core/auditevent/{ev.pk}/change/").content.decode()
    assert "13912345678" not in body and head.name not in body
    body = c.get(f"/admin/monitoring/riskreport/{RiskReport.objects.get().pk}/change/").content.decode()
    assert "张大山" not in body
