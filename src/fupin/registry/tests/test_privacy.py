"""Regression tests of issue 20 A (privacy): masking that cannot be undone, import jobs, nationwide lookups."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from fupin.core.models import AuditEvent
from fupin.registry import services
from fupin.registry.models import HouseholdVersion, ImportJob

VILLAGE = "533301205201"


def new_events():
    """Audit events recorded from now on (the log is append-only: nothing can be cleared)."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return AuditEvent.objects.filter(id__gt=last)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _birth(h):
    return h.members.order_by("id").first().birth_date.isoformat()


def test_masked_roles_never_see_a_birth_date_beside_the_masked_id_number(users, households):
    h = households[VILLAGE]
    birth = _birth(h)
    services.update_household(actor=users["clerk"], household=h, data={"phone": "13912345678"}, reason="电话")
    for page in (reverse("household", args=[h.pk]),
                 reverse("household", args=[h.pk]) + f"?as_of={dt.date.today()}"):
        html = client_for(users["analyst"]).get(page).content.decode()
        assert "********" in html and birth not in html and birth[:4] in html
        assert birth in client_for(users["clerk"]).get(page).content.decode()
    api = client_for(users["analyst"]).get(f"/api/v1/households/{h.pk}").json()
    assert api["members"][0]["birth_date"] is None and str(api["members"][0]["birth_year"]) == birth[:4]
    assert client_for(users["clerk"]).get(f"/api/v1/households/{h.pk}").json()["members"][0]["birth_date"]


def test_api_history_masks_phones_and_free_text_and_is_audited(users, households):
    h = households[VILLAGE]
    services.update_household(actor=users["clerk"], household=h, data={"phone": "13912345678"},
                              reason="户主张三四说换了号码")
    body = client_for(users["analyst"]).get(f"/api/v1/households/{h.pk}/history").content.decode()
    assert "13912345678" not in body and "张三四" not in body
    events = new_events()
    body = client_for(users["clerk"]).get(f"/api/v1/households/{h.pk}/history").content.decode()
    assert "13912345678" in body
    assert events.filter(action="read_personal", summary__contains="history").exists()


def _job(users, **kw):
    return ImportJob.objects.create(actor=users["clerk"], username="clerk", region_code=VILLAGE, **kw)


def test_import_jobs_have_unguessable_addresses(users):
    job = _job(users)
    assert len(job.token) >= 32 and reverse("registry_import_job", args=[job.token]).endswith(f"/{job.token}/")
    assert client_for(users["clerk"]).get(f"/households/import/{job.pk}/").status_code == 404


@pytest.mark.parametrize("role, status", [("clerk", 200), ("county", 200), ("analyst", 404), ("sysadmin", 404)])
def test_import_job_pages_only_for_the_uploader_and_personal_data_roles(users, tmp_path, role, status):
    report = tmp_path / "errors.xlsx"
    report.write_bytes(b"PK")
    job = _job(users, error_report=str(report), status=ImportJob.Status.REJECTED)
    events = new_events()
    c = client_for(users[role])
    assert c.get(reverse("registry_import_job", args=[job.token])).status_code == status
    assert c.get(reverse("registry_import_report", args=[job.token])).status_code == status
    if status == 200:
        assert events.filter(action="export", object_id=str(job.pk), region_code=VILLAGE).exists()
        assert events.filter(action="read_personal", object_id=str(job.pk)).exists()


def test_history_version_kinds_still_listed(users, households):
    assert HouseholdVersion.Kind.CREATE


def _member(id_number):
    return {"name": "李四", "id_number": id_number, "relation": "03", "ethnicity": "01", "health": "01"}


def test_write_validation_never_says_where_a_person_is_registered(users, households, settings):
    settings.FUPIN_PROBE_LIMIT = 3
    far = households["520102001001"]  # 贵州, outside the clerk's region
    taken = far.members.order_by("id").first().id_number
    mine = households[VILLAGE]
    c = client_for(users["clerk"])
    events = new_events()
    r = c.post(f"/api/v1/households/{mine.pk}/members", _member(taken), content_type="application/json")
    assert r.status_code == 422
    body = str(r.json())
    assert far.number not in body and "县级扶贫部门" in body
    assert events.filter(object_type="probe.person", user=users["clerk"]).count() == 1
    r = c.post("/api/v1/households/", {"number": far.number, "village_code": VILLAGE, "status": "poor",
                                       "standard": "01", "attribute": "01", "main_cause": "07",
                                       "identified_year": 2017, "members": []}, content_type="application/json")
    assert r.status_code == 422 and "already in use" in r.content.decode()
    assert events.filter(object_type="probe.household").count() == 1
    c.post(f"/api/v1/households/{mine.pk}/members", _member(taken), content_type="application/json")
    r = c.post(f"/api/v1/households/{mine.pk}/members", _member(taken), content_type="application/json")
    assert r.status_code == 422 and "too many" in r.content.decode()
    assert events.filter(object_type__startswith="probe.").count() == 3


@pytest.mark.parametrize("how", ["name", "id_number"])
def test_masked_roles_cannot_find_a_person_by_name_or_id_number(users, households, how):
    h = households[VILLAGE]
    head = h.members.get(relation="01")
    q = getattr(head, how)
    assert client_for(users["analyst"]).get("/api/v1/households/", {"q": q}).json()["count"] == 0
    assert h.number not in client_for(users["analyst"]).get(reverse("households"), {"q": q}).content.decode()
    assert client_for(users["county"]).get("/api/v1/households/", {"q": q}).json()["count"] == 1
