"""The error report of a rejected import: a copy of the input sheets, bad cells filled red, and a 错误说明
column with the row's messages. Its headers are the template's, so once fixed in Excel it imports as is
(the importer ignores 错误说明 and the 错误汇总 sheet listing every error)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from fupin.core.exports import safe_cell, safe_row
from fupin.registry.template import ERROR_COLUMN, SHEETS

if TYPE_CHECKING:
    from fupin.registry.importer import RawTable, RowError

RED = PatternFill("solid", fgColor="FFC7CE")
DARK_RED = Font(color="9C0006")


def write_error_report(tables: dict[str, RawTable], errors: Sequence[RowError], path: Path) -> Path:
    by_cell: dict[tuple[str, int], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for e in errors:
        by_cell[(e.sheet, e.row)][e.column].append(e.message)
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in SHEETS:
        table = tables.get(sheet.name)
        ws = wb.create_sheet(sheet.name)
        header = [WriteOnlyCell(ws, value=h) for h in [*sheet.headers, ERROR_COLUMN]]
        for c in header:
            c.font = bold
        ws.append(header)
        if table is None:
            continue
        frame = table.frame
        for values in frame.select(["_row", *sheet.headers]).iter_rows():
            row_no, cells = values[0], values[1:]
            marks = by_cell.get((sheet.name, row_no))
            if not marks:
                ws.append(["" if v is None else safe_cell(v) for v in cells])
                continue
            out = []
            for h, v in zip(sheet.headers, cells, strict=True):
                cell = WriteOnlyCell(ws, value="" if v is None else safe_cell(v))
                if h in marks:
                    cell.fill = RED
                out.append(cell)
            messages = [f"{col}：{m}" if col else m for col, msgs in marks.items() for m in msgs]
            note = WriteOnlyCell(ws, value=safe_cell("；".join(messages)))
            note.font = DARK_RED
            out.append(note)
            ws.append(out)
    summary = wb.create_sheet("错误汇总")
    summary.append([WriteOnlyCell(summary, value=h) for h in ("工作表 / sheet", "行 / row", "列 / column", "错误 / error")])
    for e in errors:
        summary.append(safe_row([e.sheet, e.row or "", e.column, e.message]))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
