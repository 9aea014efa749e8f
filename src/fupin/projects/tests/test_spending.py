"""Disbursements by form and by upload (all or nothing, a marked error workbook), allocations by upload, spent vs
allocated equal to a recount, and the alerts for projects behind schedule or with idle money."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from fupin.core.models import AuditEvent
from fupin.projects import selectors, services, uploads
from fupin.projects.models import Allocation, Disbursement, Stage
from fupin.projects.services import ProjectError


@pytest.fixture
def funded(users, finance, lines, project, monkeypatch):
    f = finance
    services.allocate(actor=f["nation"], source_id=lines["central"].pk, to_line_id=lines["province"].pk, amount=600_000)
    services.allocate(actor=f["province"], source_id=lines["province"].pk, to_line_id=lines["city"].pk, amount=500_000)
    services.allocate(actor=f["province"], source_id=lines["city"].pk, to_line_id=lines["county"].pk, amount=400_000)
    services.allocate(actor=f["county"], source_id=lines["county"].pk, project_id=project.pk, amount=300_000,
                      allocated_on=dt.date(2019, 4, 1))
    county = users["county"]
    services.approve(actor=county, project_id=project.pk)
    services.start_notice(actor=county, project_id=project.pk)
    monkeypatch.setattr(services, "today", lambda: dt.date.today() + dt.timedelta(days=8))
    services.start_implementation(actor=county, project_id=project.pk)
    monkeypatch.undo()
    return project


def _xlsx(rows, header=("项目编号", "资金线编号", "凭证号", "支付日期", "金额", "收款人")):
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_form_disbursement_never_exceeds_the_allocation(finance, lines, funded):
    fc = finance["county"]
    services.record_disbursement(actor=fc, project_id=funded.pk, line_id=lines["county"].pk, voucher="V1",
                                 paid_on=dt.date(2019, 5, 1), amount=200_000, payee="泸水市通信工程公司")
    with pytest.raises(ProjectError, match="exceeds the allocated funds"):
        services.record_disbursement(actor=fc, project_id=funded.pk, line_id=lines["county"].pk, voucher="V2",
                                     paid_on=dt.date(2019, 5, 2), amount="100000.01", payee="x")
    with pytest.raises(ProjectError, match="already recorded"):
        services.record_disbursement(actor=fc, project_id=funded.pk, line_id=lines["county"].pk, voucher="V1",
                                     paid_on=dt.date(2019, 5, 2), amount=1, payee="x")
    with pytest.raises(ProjectError, match="allocated nothing"):
        services.record_disbursement(actor=fc, project_id=funded.pk, line_id=lines["city"].pk, voucher="V3",
                                     paid_on=dt.date(2019, 5, 2), amount=1, payee="x")


def test_upload_all_or_nothing_with_a_marked_workbook(finance, lines, funded):
    fc = finance["county"]
    line = lines["county"].code
    bad = _xlsx([
        (funded.code, line, "A-1", "2019-06-01", 1000, "甲公司"),
        (funded.code, line, "A-2", "2019年6月2日", 2000, "乙公司"),
        ("NOPE", line, "A-3", "2019-06-03", 10, "丙"),
        (funded.code, line, "A-1", "2019-06-04", 10, "丁"),
        (funded.code, "nope", "A-5", "2019-06-05", 10, "戊"),
        (funded.code, line, "A-6", "2019-06-06", -5, "己"),
    ])
    summary = uploads.upload_disbursements(actor=fc, content=bad, filename="六月.xlsx")
    assert not summary.ok and Disbursement.objects.count() == 0
    rows = {c.row for c in summary.conflicts}
    assert rows == {2, 5, 4, 6, 7}  # A-1 twice marks both rows
    wb = load_workbook(summary.error_report)
    ws = wb.worksheets[0]
    assert ws.cell(row=4, column=1).fill.fgColor.rgb.endswith("FFC7CE")  # the unknown project's cell
    good = _xlsx([(funded.code, line, f"B-{i}", "2019-06-01", "1000.50", "甲公司") for i in range(100)])
    summary = uploads.upload_disbursements(actor=fc, content=good, filename="六月.xlsx")
    assert summary.ok and summary.created == 100
    assert Disbursement.objects.aggregate(s=__import__("django.db.models", fromlist=["Sum"]).Sum("amount"))["s"] \
        == Decimal("100050.00")
    assert AuditEvent.objects.filter(action="bulk", object_type="projects.disbursement").count() == 1
    over = _xlsx([(funded.code, line, "C-1", "2019-07-01", "199950.01", "甲公司")])  # 0.01 too much
    summary = uploads.upload_disbursements(actor=fc, content=over, filename="七月.xlsx")
    assert not summary.ok and "exceed" in summary.conflicts[0].message
    assert Disbursement.objects.count() == 100


def test_upload_refuses_projects_outside_the_region(finance, lines, funded):
    other = finance["other"]
    content = _xlsx([(funded.code, lines["county"].code, "X-1", "2019-06-01", 1, "甲")])
    summary = uploads.upload_disbursements(actor=other, content=content, filename="x.xlsx")
    assert not summary.ok and "region" in summary.conflicts[0].message
    assert Disbursement.objects.count() == 0


def test_allocation_upload_goes_through_the_service(finance, lines, project):
    header = ("拨出资金线编号", "拨入资金线编号", "项目编号", "金额", "拨付日期", "文号")
    ok = _xlsx([("2019-c-special", "2019-53-special", None, 500_000, "2019-02-01", "财农〔2019〕1号"),
                ("2019-53-special", "2019-5333-special", None, 700_000, "2019-03-01", "云财农〔2019〕2号")], header)
    summary = uploads.upload_allocations(actor=finance["nation"], content=ok, filename="allocations.xlsx")
    assert summary.ok and summary.created == 2, summary.conflicts
    too_much = _xlsx([("2019-5333-special", "2019-533301-special", None, 700_000, "2019-03-02", ""),
                      ("2019-5333-special", "2019-533301-special", None, 1, "2019-03-02", "")], header)
    summary = uploads.upload_allocations(actor=finance["nation"], content=too_much, filename="a.xlsx")
    assert not summary.ok and [c.row for c in summary.conflicts] == [3]
    assert Allocation.objects.count() == 2  # the first row was rolled back with the second


def test_spent_vs_allocated_equals_a_recount(users, finance, lines, funded):
    services.record_disbursement(actor=finance["county"], project_id=funded.pk, line_id=lines["county"].pk,
                                 voucher="V1", paid_on=dt.date(2019, 5, 1), amount="1234.56", payee="甲")
    for by in ("region", "line", "project"):
        rows = selectors.spent_vs_allocated(users["sysadmin"], by=by, year=2019)
        assert sum(r.allocated for r in rows) == sum(a.amount for a in Allocation.objects.filter(project__isnull=False))
        assert sum(r.spent for r in rows) == sum(d.amount for d in Disbursement.objects.all())
    by_region = selectors.spent_vs_allocated(users["county"], by="region")
    assert [(r.key, r.allocated, r.spent) for r in by_region] == [
        ("533301205", Decimal("300000.00"), Decimal("1234.56"))]
    assert selectors.spent_vs_allocated(finance["other"], by="project") == []


def test_alerts_behind_schedule_and_idle_money(users, funded):
    a = selectors.alerts(users["county"], on=dt.date(2019, 11, 30), days=30)
    assert [p.code for p in a["behind"]] == [funded.code]  # planned completion 2019-10-31
    assert [p.code for p in a["idle"]] == [funded.code]  # allocated 2019-04-01, nothing paid
    a = selectors.alerts(users["county"], on=dt.date(2019, 4, 15), days=30)
    assert a["behind"] == [] and a["idle"] == []
    funded.stage = Stage.ACCEPTED
    funded.save()
    assert selectors.alerts(users["county"], on=dt.date(2019, 11, 30), days=30)["behind"] == []
