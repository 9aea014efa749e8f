"""Stage 1, reading: the uploaded files as text tables, one per sheet of the collection form, through the upload
kit (header row below title rows, two-level headers, unknown columns ignored, exact identifiers, invisible
characters removed, every date form). A workbook carries the three sheets; CSV files are one sheet each,
recognised by their headers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fupin.core import uploads
from fupin.core.uploads import FILE_LEVEL, Conflict
from fupin.registry.template import IGNORED_SHEETS, SHEET_BY_NAME, SHEETS, Sheet


def file_conflict(sheet: str, message: str) -> Conflict:
    return Conflict(sheet, FILE_LEVEL, "", "", message)


def _sheet_by_headers(head: Sequence[Sequence[Any]]) -> Sheet | None:
    """The sheet a CSV file belongs to: the one whose headers one of its first rows names most (at least two)."""
    best, score = None, 1
    for sheet in SHEETS:
        keys = {uploads.header_key(h) for h in sheet.headers}
        n = max((len({uploads.header_key(v) for v in row} & keys) for row in head), default=0)
        if n > score:
            best, score = sheet, n
    return best


def read_inputs(files: Iterable[Any]) -> tuple[uploads.SpilledTables, dict[str, str], list[Conflict]]:
    """(tables by sheet name, the file each came from, conflicts of the files). The tables are kept on disk as
    each is read (``SpilledTables``: the caller closes them); a workbook on disk is read from there."""
    tables = uploads.SpilledTables()
    sources: dict[str, str] = {}
    conflicts: list[Conflict] = []

    def add(sheet: Sheet, source: str, raw: uploads.RawSheet) -> None:
        if sheet.name in tables:
            conflicts.append(file_conflict(sheet.name, f"工作表 {sheet.name} 出现了两次（{sources[sheet.name]}、{source}） / "
                                                       "the sheet is given twice"))
            return
        table = uploads.read_sheet(raw, sheet.upload_columns, sheet=sheet.name)
        tables.put(sheet.name, table)
        sources[sheet.name] = source
        conflicts.extend(table.conflicts)

    try:
        _read_files(files, add, conflicts)
    except BaseException:
        tables.close()
        raise
    for sheet in SHEETS:
        if sheet.name not in tables:
            conflicts.append(file_conflict(sheet.name, f"缺少工作表 {sheet.name} / the sheet {sheet.name} is missing"))
    return tables, sources, conflicts


def _read_files(files: Iterable[Any], add: Any, conflicts: list[Conflict]) -> None:
    for f in files:
        name, data = uploads.read_source(f)
        try:
            sheets = uploads.open_sheets(data, name)
        except uploads.UploadRejected as exc:
            conflicts.extend(exc.conflicts)
            continue
        is_workbook = name.lower().endswith(uploads.WORKBOOK_SUFFIXES)
        try:
            _add_sheets(name, sheets, is_workbook, add, conflicts)
        except uploads.UploadRejected as exc:  # a sheet that cannot be read (a broken workbook)
            conflicts.extend(exc.conflicts)


def _add_sheets(name: str, sheets: list[uploads.RawSheet], is_workbook: bool, add: Any,
                conflicts: list[Conflict]) -> None:
    for raw in sheets:
        head = raw.head()
        if is_workbook:
            sheet = SHEET_BY_NAME.get(raw.name.strip())
            if sheet is None:
                if raw.name.strip() not in IGNORED_SHEETS and any(any(str(v).strip() for v in r) for r in head):
                    conflicts.append(file_conflict(raw.name, f"未知工作表“{raw.name}”（应为 户、家庭成员、收入） / "
                                                             f"unknown sheet {raw.name!r} (expected 户, 家庭成员, 收入)"))
                continue
            add(sheet, f"{name}:{raw.name}", raw)
        else:
            sheet = _sheet_by_headers(head)
            if sheet is None:
                conflicts.append(file_conflict(name, f"无法从列标题识别 {name} 属于哪张表 / cannot tell from its headers "
                                                     "which sheet the file is (户, 家庭成员 or 收入)"))
                continue
            add(sheet, name, raw)
