"""The printed dossier: a real PDF, with the household's number, the CJK font embedded, audited."""

import datetime as dt
import re
import shutil
import subprocess

from fupin.core.models import AuditEvent
from fupin.registry import history
from fupin.registry.models import HouseholdVersion
from fupin.testing import pdf_objects

from .dossier_helpers import login


def test_pdf_of_a_dossier(users, households, tmp_path):
    h = households["533301205201"]
    r = login("clerk").get(f"/households/{h.pk}/pdf/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = r.content
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    objects = pdf_objects(pdf)
    # the title holds the household number (UTF-16 hex in the document information)
    assert h.number.encode("utf-16-be").hex().encode() in objects.lower()
    # the text is set in Noto Sans CJK SC, embedded
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Noto-Sans-CJK-SC", objects)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_id=str(h.pk))
    assert event.username == "clerk" and event.detail["format"] == "pdf"
    if shutil.which("pdftotext"):  # poppler-utils, when installed: the text itself
        path = tmp_path / "d.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert h.number in text and "两不愁三保障" in text
        assert h.members.get(relation="01").name in text  # clear for the clerk


def test_pdf_for_an_analyst_is_masked_and_as_of_a_date(users, households, tmp_path):
    h = households["533301205201"]
    history.record_version(h, kind=HouseholdVersion.Kind.CREATE, valid_from=dt.date(2024, 1, 1))
    r = login("analyst").get(f"/households/{h.pk}/pdf/", {"as_of": "2024-02-01"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, username="analyst").exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ_PERSONAL, username="analyst").exists()
    if shutil.which("pdftotext"):
        path = tmp_path / "d.pdf"
        path.write_bytes(r.content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "2024-02-01" in text and h.members.get(relation="01").name not in text


def test_pdf_outside_the_scope_is_404(users, households):
    other = households["533323101201"]
    assert login("clerk").get(f"/households/{other.pk}/pdf/").status_code == 404
