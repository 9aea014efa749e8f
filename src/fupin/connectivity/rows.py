"""Uploaded rows of the connectivity ledger (events and facilities) read through the upload kit: the files, the
cell helpers and the errors (``EventDataError`` carrying ``core.uploads.Conflict``s in 中文 / English)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from fupin.core import uploads
from fupin.core.uploads import Conflict

EARLIEST = dt.date(2000, 1, 1)
T = TypeVar("T")


def conflict(row: int, column: str, message: str, value: str = "") -> Conflict:
    """A bad cell of an upload or a form (the sheet is filled in by ``parse_table``)."""
    return Conflict("", row, column, value, message)


class EventDataError(uploads.UploadRejected):
    """The input is wrong; nothing was written. ``errors`` names every bad row and column."""

    def __init__(self, errors: Sequence[Conflict]):
        errors = list(errors)
        first = min(errors, key=lambda e: (e.row, e.column)) if errors else ""
        super().__init__(errors, f"{len(errors)} 处错误，未作任何更改 / {len(errors)} error(s), nothing was changed. {first}")



def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def cell_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        try:
            year, month, day = (int(p) for p in text.split("-"))
            return dt.date(year, month, day)
        except ValueError:
            return None


def cell_number(text: str) -> Decimal | None:
    try:
        n = Decimal(text)
    except InvalidOperation:
        return None
    return n if n.is_finite() else None


def read_table(content: bytes, filename: str, columns: dict[str, tuple[str, ...]],
               kinds: dict[str, str] | None = None) -> uploads.Table:
    """A CSV (UTF-8, UTF-8 with BOM or GB18030) or the first sheet of an XLSX, read by the upload kit against
    ``columns`` (a key → its accepted headers, Chinese first; ``kinds`` the kit's kind of a key, text if absent)."""
    declared = [uploads.Column(key, names[0], (kinds or {}).get(key, uploads.Kind.TEXT), aliases=names)
                for key, names in columns.items()]
    try:
        return uploads.read_upload(content, filename, declared)
    except uploads.UploadRejected as exc:
        raise EventDataError(exc.conflicts) from exc


def parse_table(table: uploads.Table, columns: dict[str, tuple[str, ...]], required: Sequence[str],
                clean: Callable[[int, dict[str, Any]], tuple[T | None, list[Conflict]]],
                labels: dict[str, str]) -> tuple[list[T], list[Conflict]]:
    """The shared part of the connectivity uploads: required columns present, each data row cleaned (``clean(row,
    cells by key)``, row numbers as the clerk's spreadsheet shows them), every error collected. A cell the kit
    refused keeps the app's own message when ``clean`` has one for it (``labels``: key → column label)."""
    missing = [k for k in required if k not in table.headers]
    if missing:
        names = "、".join(columns[k][0] for k in missing)
        raise EventDataError([Conflict(table.sheet, table.header_row if table.headers else 1, names, "",
                                       f"缺少列：{names} / missing columns: {', '.join(columns[k][-1] for k in missing)}")])
    if not table.headers:
        raise EventDataError([Conflict(table.sheet, 0, "-", "", "文件是空的 / the file is empty")])
    label_of = {table.headers.get(k, columns[k][0]): labels.get(k, columns[k][0]) for k in columns}
    read_errors = [dataclasses.replace(c, column=label_of.get(c.column, c.column))
                   for c in table.errors if c.row != uploads.FILE_LEVEL]
    items: list[T] = []
    errors: list[Conflict] = []
    for row, data in uploads.records(table):
        item, row_errors = clean(row, data)
        errors += [dataclasses.replace(e, sheet=table.sheet) for e in row_errors]
        if item is not None:
            items.append(item)
    own = {(e.row, e.column) for e in errors}
    errors += [c for c in read_errors if (c.row, c.column) not in own]
    return items, errors


def raise_if_errors(items: Sequence[Any], errors: list[Conflict], sheet: str = "") -> None:
    """Raise EventDataError for ``errors`` (each said to be of ``sheet``), or when there is no row at all."""
    if not items and not errors:
        errors.append(conflict(2, "-", "文件没有数据行 / the file has no data rows"))
    if errors:
        raise EventDataError(sorted((dataclasses.replace(e, sheet=e.sheet or sheet) for e in errors),
                                    key=lambda e: (e.row, e.column)))
