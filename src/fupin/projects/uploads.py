"""The finance bureau's uploads, on the shared upload kit (``core.uploads``): a year's allocations and the month's
disbursements, from .xlsx or CSV. All or nothing: every row is checked first; one bad cell refuses the file, and
the clerk gets the workbook back with the bad cells marked (``ImportSummary.error_report``).

Allocations are few (hundreds of rows) and go one by one through ``services.allocate`` — the same row lock and the
same refusals as the form — inside one transaction that is rolled back if any row was refused. Disbursements come
by the hundred thousand: they are checked as a polars frame against what two GROUP BY queries say (allocated and
already spent per project and line, vouchers already recorded) and written with one COPY."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.core import audit
from fupin.core.bulk import copy_frame
from fupin.core.bulkload import BulkAppend
from fupin.core.errors import error_text
from fupin.core.models import AuditEvent
from fupin.core.scoping import scoped
from fupin.core.uploads import (
    ROW,
    Column,
    Conflict,
    ImportSummary,
    Kind,
    Table,
    error_workbook,
    read_upload,
    records,
)
from fupin.projects import services
from fupin.projects.models import Allocation, Disbursement, FundLine, Project

ALLOCATION_COLUMNS = (
    Column("source", "拨出资金线编号", Kind.IDENTIFIER, aliases=("from line",), required=True),
    Column("to_line", "拨入资金线编号", Kind.IDENTIFIER, aliases=("to line",)),
    Column("project", "项目编号", Kind.IDENTIFIER, aliases=("project",)),
    Column("amount", "金额", Kind.DECIMAL, aliases=("金额（元）", "amount"), required=True),
    Column("allocated_on", "拨付日期", Kind.DATE, aliases=("日期", "date"), required=True),
    Column("document", "文号", Kind.TEXT, aliases=("document",)),
)
DISBURSEMENT_COLUMNS = (
    Column("project", "项目编号", Kind.IDENTIFIER, aliases=("project",), required=True),
    Column("line", "资金线编号", Kind.IDENTIFIER, aliases=("fund line", "line"), required=True),
    Column("voucher", "凭证号", Kind.IDENTIFIER, aliases=("voucher",), required=True),
    Column("paid_on", "支付日期", Kind.DATE, aliases=("日期", "date"), required=True),
    Column("amount", "金额", Kind.DECIMAL, aliases=("金额（元）", "amount"), required=True),
    Column("payee", "收款人", Kind.TEXT, aliases=("payee",), required=True),
)


def report_dir() -> Path:
    d = Path(settings.VAR_DIR) / "uploads" / "projects"
    d.mkdir(parents=True, exist_ok=True)
    return d


def report_path(name: str) -> Path | None:
    """The error workbook ``name`` (a file name this module gave), or None for anything else."""
    if not name or "/" in name or "\\" in name or not name.endswith(".xlsx"):
        return None
    return report_dir() / name


def _refuse(summary: ImportSummary, table: Table) -> ImportSummary:
    name = f"{uuid.uuid4().hex}.xlsx"
    error_workbook([table], [*summary.conflicts, *summary.warnings], report_dir() / name)
    summary.error_report = report_dir() / name
    summary.rejected = len({c.row for c in summary.conflicts})
    return summary


def _header(table: Table, name: str) -> str:
    return table.headers.get(name) or next(c.header for c in table.columns if c.name == name)


class _Rollback(Exception):
    pass


def upload_allocations(*, actor: Any, content: bytes, filename: str) -> ImportSummary:
    """A year's allocations: each row from a line to a lower line or a project, through ``services.allocate``."""
    services._require(actor, services.FUND_ROLES, "资金分配 / allocation")
    started = time.monotonic()
    table = read_upload(content, filename, ALLOCATION_COLUMNS)
    summary = ImportSummary()
    summary.add(table.conflicts)
    if summary.conflicts:
        return _refuse(summary, table)
    lines = dict(FundLine.objects.values_list("code", "pk"))
    projects = dict(scoped(Project.objects.all(), actor).values_list("code", "pk"))
    try:
        with transaction.atomic():
            for row, v in records(table):
                problem: tuple[str, str, str] | None = None
                source = lines.get(v["source"] or "")
                to_line = lines.get(v["to_line"] or "") if v["to_line"] else None
                project = projects.get(v["project"] or "") if v["project"] else None
                if source is None:
                    problem = ("source", v["source"] or "", _("no fund line with this number"))
                elif v["to_line"] and to_line is None:
                    problem = ("to_line", v["to_line"] or "", _("no fund line with this number"))
                elif v["project"] and project is None:
                    problem = ("project", v["project"] or "", _("no project with this number in your region"))
                elif bool(v["to_line"]) == bool(v["project"]):
                    problem = ("to_line", "", _("fill in either the receiving line or the project"))
                else:
                    try:
                        with transaction.atomic():
                            services.allocate(actor=actor, source_id=source, to_line_id=to_line, project_id=project,
                                              amount=v["amount"], allocated_on=_date(v["allocated_on"]),
                                              document=v["document"] or "")
                        summary.created += 1
                    except (ValidationError, PermissionDenied) as exc:
                        problem = ("amount", v["amount"] or "", error_text(exc))
                if problem is not None:
                    col, value, message = problem
                    summary.conflicts.append(Conflict(table.sheet, row, _header(table, col), value, message))
            if summary.conflicts:
                raise _Rollback
    except _Rollback:
        summary.created = 0
        return _refuse(summary, table)
    summary.seconds = time.monotonic() - started
    return summary


def _date(text: str | None) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text) if text else None


def upload_disbursements(*, actor: Any, content: bytes, filename: str) -> ImportSummary:
    """The month's disbursements: all rows checked as one frame, then one COPY."""
    services._require(actor, services.FUND_ROLES, "资金支出 / disbursement")
    started = time.monotonic()
    table = read_upload(content, filename, DISBURSEMENT_COLUMNS)
    summary = ImportSummary()
    summary.timings["read"] = time.monotonic() - started
    summary.add(table.conflicts)
    if summary.conflicts:
        return _refuse(summary, table)
    with transaction.atomic():
        summary = _check_and_write(actor, table, summary)
    if summary.conflicts:
        return _refuse(summary, table)
    summary.seconds = time.monotonic() - started
    return summary


def _conflicts(table: Table, bad: pl.DataFrame, column: str, message: str) -> list[Conflict]:
    header = _header(table, column)
    return [Conflict(table.sheet, row, header, value or "", message)
            for row, value in bad.select(ROW, column).head(10_000).iter_rows()]


def _check_and_write(actor: Any, table: Table, summary: ImportSummary) -> ImportSummary:
    t0 = time.monotonic()
    f = table.frame.with_columns(
        pl.col("amount").cast(pl.Decimal(18, 2), strict=False).alias("_amount"),
        pl.col("paid_on").str.to_date("%Y-%m-%d", strict=False).alias("_paid_on"),
        pl.col("payee").str.strip_chars().str.slice(0, 200),
    )
    codes = f["project"].unique().to_list()
    # The involved projects in the user's region, locked: a form's disbursement waits until this upload commits.
    found: list[tuple[str, int, str, str]] = []
    for i in range(0, len(codes), 5000):
        found += list(scoped(Project.objects.filter(code__in=codes[i:i + 5000]), actor).select_for_update(
            of=("self",)).order_by().values_list("code", "pk", "region_id", "stage"))
    projects = pl.DataFrame(found, schema={"project": pl.Utf8, "project_id": pl.Int64, "region_id": pl.Utf8,
                                           "stage": pl.Utf8}, orient="row")
    lines = pl.DataFrame(list(FundLine.objects.filter(code__in=f["line"].unique().to_list()).values_list("code", "pk")),
                         schema={"line": pl.Utf8, "line_id": pl.Int64}, orient="row")
    f = f.join(projects, on="project", how="left").join(lines, on="line", how="left")
    today = services.today()
    checks = [
        (f.filter(pl.col("project_id").is_null()), "project", _("no project with this number in your region")),
        (f.filter(pl.col("project_id").is_not_null() & ~pl.col("stage").is_in(list(services.SPENDING_STAGES))),
         "project", _("money is paid out once the project is implemented")),
        (f.filter(pl.col("line_id").is_null()), "line", _("no fund line with this number")),
        (f.filter(pl.col("_amount").is_null() | (pl.col("_amount") <= 0)), "amount",
         _("the amount must be positive, with at most two decimals")),
        (f.filter(pl.col("_paid_on") > today), "paid_on", _("the payment date cannot lie in the future")),
        (f.filter(pl.col("payee").is_null() | (pl.col("payee") == "")), "payee", _("the payee is required")),
        (f.filter(pl.struct("project", "voucher").is_duplicated()), "voucher",
         _("this voucher number appears twice for the project in the file")),
    ]
    for bad, column, message in checks:
        if bad.height:
            summary.conflicts.extend(_conflicts(table, bad, column, message))
    f = f.filter(pl.col("project_id").is_not_null() & pl.col("line_id").is_not_null())
    ids = f["project_id"].unique().to_list()
    # What each line allocated to each project, and what was already paid out of it: two GROUP BY queries.
    allocated: list[tuple[int, int, Decimal]] = []
    spent: list[tuple[int, int, Decimal]] = []
    vouchers: list[tuple[int, str]] = []
    for i in range(0, len(ids), 5000):
        part = ids[i:i + 5000]
        allocated += list(Allocation.objects.filter(project_id__in=part).order_by().values_list("project_id", "source_id")
                          .annotate(s=Sum("amount")))
        spent += list(Disbursement.objects.filter(project_id__in=part).order_by().values_list("project_id", "line_id")
                      .annotate(s=Sum("amount")))
        vouchers += list(Disbursement.objects.filter(project_id__in=part).values_list("project_id", "voucher"))
    money = pl.Schema([("project_id", pl.Int64), ("line_id", pl.Int64), ("s", pl.Decimal(18, 2))])
    a = pl.DataFrame(allocated, schema=money, orient="row").rename({"s": "allocated"})
    s = pl.DataFrame(spent, schema=money, orient="row").rename({"s": "spent"})
    sums = (f.group_by("project_id", "line_id").agg(pl.col("_amount").sum().alias("new"))
            .join(a, on=["project_id", "line_id"], how="left").join(s, on=["project_id", "line_id"], how="left")
            .with_columns(pl.col("allocated").fill_null(0), pl.col("spent").fill_null(0)))
    nothing = sums.filter(pl.col("allocated") == 0).select("project_id", "line_id")
    over = sums.filter((pl.col("allocated") > 0) & (pl.col("spent") + pl.col("new") > pl.col("allocated")))
    if nothing.height:
        summary.conflicts.extend(_conflicts(table, f.join(nothing, on=["project_id", "line_id"]), "line",
                                            _("this line allocated nothing to the project")))
    if over.height:
        rows = f.join(over.select("project_id", "line_id", "allocated", "spent"), on=["project_id", "line_id"])
        summary.conflicts.extend(_conflicts(table, rows, "amount", _(
            "the payments of this project from this line exceed what the line allocated to it")))
    if vouchers:
        seen = pl.DataFrame(vouchers, schema={"project_id": pl.Int64, "voucher": pl.Utf8}, orient="row")
        dup = f.join(seen, on=["project_id", "voucher"])
        if dup.height:
            summary.conflicts.extend(_conflicts(table, dup, "voucher", _("this voucher is already recorded")))
    summary.timings["check"] = time.monotonic() - t0
    if summary.conflicts:
        return summary
    t1 = time.monotonic()
    now = timezone.now()
    out = f.select(
        pl.col("project_id"), pl.col("line_id"), pl.col("region_id"), pl.col("voucher"),
        pl.col("_paid_on").alias("paid_on"), pl.col("_amount").alias("amount"), pl.col("payee"),
        pl.lit(now).alias("created_at"),
    )
    # On PostgreSQL the foreign keys of the new rows are checked by one anti-join each instead of a trigger per row,
    # and a first large load rebuilds the secondary indexes after the COPY (core.bulkload).
    bulk = BulkAppend({Disbursement._meta.db_table: out.height})
    bulk.begin()
    with bulk.appending():
        n = copy_frame(Disbursement._meta.db_table, out)
    bulk.finish()
    summary.created = n
    summary.timings["write"] = time.monotonic() - t1
    total = out["amount"].sum()
    audit.record(actor=actor, action=AuditEvent.Action.BULK, object_type="projects.disbursement",
                 region_code=getattr(actor, "region_id", "") or "",
                 summary=f"disbursements uploaded: {n} rows, {total} yuan",
                 detail={"rows": n, "amount": str(total), "projects": len(ids)})
    return summary
