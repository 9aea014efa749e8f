"""The bulletin and the annual report: a background job with progress, a PDF set in Noto Sans CJK with the
Chinese text, tables and SVG charts, an Excel workbook with one sheet per table and native charts; downloads
scoped and audited."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fupin.core.models import AuditEvent
from fupin.indicators import reports, services
from fupin.indicators.models import AssessmentScheme, AssessmentWeight, Report
from fupin.testing import pdf_objects

from .factories import COVER, INCIDENCE, seed, target

pytestmark = pytest.mark.usefixtures("inds")
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.VAR_DIR = tmp_path / "var"


def printed_characters(pdf: bytes) -> set[str]:
    """Every character the PDF's fonts map glyphs to (their ToUnicode CMaps): what can appear as text."""
    chars: set[str] = set()
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", pdf_objects(pdf), re.S):
        for dest in re.findall(rb"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]+)>", block):
            chars.add(bytes.fromhex(dest.decode()).decode("utf-16-be"))
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", pdf_objects(pdf), re.S):
        for lo, hi, dest in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = ord(bytes.fromhex(dest.decode()).decode("utf-16-be")[0])
            chars |= {chr(start + i) for i in range(int(hi, 16) - int(lo, 16) + 1)}
    return chars


def request_report(client, user, **data):
    client.force_login(user)
    resp = client.post(reverse("indicators_reports"), data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    return Report.objects.latest("pk"), resp["Location"]


def test_annual_report_as_pdf_and_excel(client, tree, users, immediate):
    seed(tree)
    target(COVER, 80, "2025-12-31")
    report, location = request_report(client, users["analyst"], kind="annual", period="2025", region="53")
    assert report.status == Report.Status.DONE, report.message
    assert report.progress == 100 and report.finished_at and report.region_code == "53"
    page = client.get(location)
    assert "hx-get" not in page.content.decode()  # finished: no more polling
    assert "数据截至" in page.content.decode()
    partial = client.get(location, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b'value="100"' in partial.content

    pdf = client.get(reverse("indicators_report_file", args=[report.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    data = b"".join(pdf.streaming_content)
    assert data.startswith(b"%PDF") and len(data) > 10_000
    objects = pdf_objects(data)
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Noto-Sans-CJK-SC", objects)
    assert "云南省 2025".encode("utf-16-be").hex().encode() in objects.lower()  # the document title
    chars = printed_characters(data)
    assert set("云南省怒江傈僳族自治州测试覆盖率") <= chars  # region and indicator names are set as text
    assert b"<rect" not in data and objects.count(b" re\n") + objects.count(b" re ") > 0  # the SVG bars, drawn
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_id=str(report.pk),
                                     detail__format="pdf").count() == 1

    xlsx = client.get(reverse("indicators_report_file", args=[report.pk, "xlsx"]))
    wb = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    summary = wb.worksheets[0]
    assert summary["B2"].value == "云南省" and summary["B3"].value == "2025"
    assert summary["A4"].value == "截至日期" and summary["B4"].value.startswith("数据截至")  # what the data are as of
    by_city = wb.worksheets[1]
    assert [c.value for c in by_city[2]][:3] == ["5333", "怒江傈僳族自治州", 85]
    ranking = wb["测试覆盖率"]
    assert [c.value for c in ranking[2]] == [1, "5333", "怒江傈僳族自治州", 85, 80, "是"]
    assert ranking._charts and wb.worksheets[-1]._charts  # a bar chart of the ranking, a line of the trend
    trend = wb.worksheets[-1]
    assert [[c.value for c in row][:2] for row in trend.iter_rows(min_row=2)] == [["2024", 75], ["2025", 85]]


def test_bulletin_by_scheme_ranks_the_regions_with_a_sentence(client, tree, users, immediate):
    seed(tree)
    s = AssessmentScheme.objects.create(name="县级考核", year=2025, level=3)
    AssessmentWeight.objects.create(scheme=s, indicator=COVER, weight=Decimal(100))
    report, _ = request_report(client, users["analyst"], kind="bulletin", period="2025", region="53", scheme=s.pk)
    assert report.status == Report.Status.DONE, report.message
    wb = load_workbook(report.xlsx_path)
    rows = [[c.value for c in row][:4] for row in wb.worksheets[2].iter_rows(min_row=2)]
    assert rows == [[1, "533301", "泸水市", 100], [2, "533323", "福贡县", 0]]
    text = " ".join(str(c.value) for c in wb.worksheets[0]["A"] if c.value)
    assert "泸水市" in text and "福贡县" in text and "县级考核" in text
    assert set("县级考核泸水市福贡县") <= printed_characters(open(report.pdf_path, "rb").read())


def test_bulletin_sentence_states_best_worst_and_targets_met(tree, users):
    from django.utils import translation

    period = seed(tree)
    target(INCIDENCE, 3, "2025-12-31")
    from fupin.indicators import dashboard

    board = dashboard.build(users["county"], period, "533301")
    with translation.override("en"):
        r = reports.rank_children(board, INCIDENCE, period)
    assert [(x.name, x.rank, x.met) for x in r.rows] == [("六库街道", 1, True), ("古登乡", 2, True)]
    assert "六库街道 is best" in r.text and "古登乡 last" in r.text and "2 of 2 reached their target" in r.text


def test_reports_are_scoped(client, tree, users, immediate):
    seed(tree)
    report, location = request_report(client, users["analyst"], kind="bulletin", period="2025", region="53")
    client.force_login(users["county"])  # inside 53, but the report covers the whole province
    assert client.get(location).status_code == 404
    assert client.get(reverse("indicators_report_file", args=[report.pk, "pdf"])).status_code == 404
    assert report.pk not in [r.pk for r in client.get(reverse("indicators_reports")).context["page"].object_list]
    # and nobody asks for a region outside their own
    resp = client.post(reverse("indicators_reports"), {"kind": "bulletin", "period": "2025", "region": "52"})
    assert resp.status_code == 404 and Report.objects.count() == 1
    client.force_login(users["analyst"])
    assert client.get(reverse("indicators_report_file", args=[report.pk, "exe"])).status_code == 404


def test_a_failing_job_says_why(tree, users, immediate, monkeypatch):
    period = seed(tree)
    monkeypatch.setattr(reports, "render_pdf", lambda data: (_ for _ in ()).throw(RuntimeError("no fonts")))
    services.start_report(actor=users["analyst"], kind="annual", period=period, region_code="53")
    report = Report.objects.get()
    assert report.status == Report.Status.FAILED and "no fonts" in report.message


def test_svg_bars_escape_names_and_draw_the_target():
    svg = str(reports.bar_svg([("<甲>", 90.0), ("乙", 45.0)], unit="%", target=80.0))
    assert "&lt;甲&gt;" in svg and svg.count("<rect") == 2 and 'stroke-dasharray="4 3"' in svg
    line = str(reports.line_svg(["2024", "2025", "2026"], [("覆盖率", [80.0, None, 90.0])]))
    assert line.count("<circle") == 2 and "<polyline" not in line  # a gap: no segment joins the two points


def test_a_2025_report_shows_no_later_year(client, tree, users, immediate):
    """Issue 21: the annual report of 2025 drew its trend over the latest ten years, 2026 included."""
    seed(tree)
    services.ensure_period("2026")
    report, _location = request_report(client, users["analyst"], kind="annual", period="2025", region="53")
    assert report.status == Report.Status.DONE, report.message
    xlsx = client.get(reverse("indicators_report_file", args=[report.pk, "xlsx"]))
    wb = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    years = [row[0].value for row in wb.worksheets[-1].iter_rows(min_row=2)]
    assert "2025" in years and "2026" not in years, years
