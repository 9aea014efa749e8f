"""Reading and validating a department batch before anything is stored (R4.1).

CSV and XLSX files are read by the upload kit (``fupin.core.uploads``: encodings, header row below title rows,
exact identifiers, invisible characters, dates); Parquet and JSON by polars. Everything is text first, then every
column is checked as a whole with polars expressions (ID numbers with ``idnumber.check_many``), so a file of
millions of rows is validated without a Python loop per row. The report lists the problems as conflicts (the
first ``MAX_LISTED``, at the row numbers of the file) with counts.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from fupin.core import textfiles, uploads
from fupin.exchange.catalogue import Dataset
from fupin.registry import idnumber

MAX_LISTED = 1000
FORMATS = ("csv", "xlsx", "parquet", "json")


@dataclass
class Report:
    """What validation found: ``errors`` are upload-kit conflicts (row as the file shows it, column name, value,
    message), the first ``MAX_LISTED`` of ``error_count``; ``warnings`` what the reader noticed but accepted."""

    rows: int = 0
    errors: list[uploads.Conflict] = field(default_factory=list)
    error_count: int = 0
    by_message: dict[str, int] = field(default_factory=dict)
    file_error: str = ""
    encoding: str = ""
    warnings: list[uploads.Conflict] = field(default_factory=list)
    sheet: str = ""

    @property
    def ok(self) -> bool:
        return not self.file_error and self.error_count == 0

    def add(self, message: str, rows: list[int], column: str = "", values: list[Any] | None = None) -> None:
        if not rows:
            return
        self.error_count += len(rows)
        self.by_message[message] = self.by_message.get(message, 0) + len(rows)
        for i, row in enumerate(rows):
            if len(self.errors) >= MAX_LISTED:
                break
            value = "" if values is None or values[i] is None else str(values[i])
            self.errors.append(uploads.Conflict(self.sheet, row, column, value, message))

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "ok": self.ok, "error_count": self.error_count, "by_message": self.by_message,
                "errors": [e.as_dict() for e in self.errors], "file_error": self.file_error, "encoding": self.encoding,
                "warnings": [w.as_dict() for w in self.warnings[:MAX_LISTED]]}


class BatchFileError(ValueError):
    """The file cannot be read as a table at all (format, encoding)."""


def file_format(name: str) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix in ("csv", "txt"):
        return "csv"
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("parquet", "pq"):
        return "parquet"
    if suffix in ("json", "jsonl"):
        return "json"
    raise BatchFileError(f"不支持的文件格式 / unsupported file type: {suffix or name!r} (CSV, XLSX, Parquet, JSON)")


def decode_text(content: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) or GB18030; anything else — UTF-16, binary — is refused."""
    try:
        return textfiles.decode_text(content)
    except textfiles.TextEncodingError as exc:
        raise BatchFileError(str(exc)) from exc


KIT_KIND = {"id": uploads.Kind.IDENTIFIER, "date": uploads.Kind.DATE, "int": uploads.Kind.INTEGER,
            "decimal": uploads.Kind.DECIMAL, "code": uploads.Kind.CODE, "str": uploads.Kind.TEXT}
# Text columns that hold numbers a department's Excel may have rounded: read as identifiers.
IDENTIFIER_COLUMNS = frozenset({"hukou_no", "address_code", "credit_code", "plate", "certificate_no"})


def upload_columns(dataset: Dataset) -> list[uploads.Column]:
    """The dataset's columns for the upload kit: the Chinese label, the field name as an alias."""
    return [uploads.Column(c.name, c.label, uploads.Kind.IDENTIFIER if c.name in IDENTIFIER_COLUMNS else KIT_KIND[c.kind],
                           aliases=(c.name,), required=c.required) for c in dataset.columns]


def _frame_table(df: pl.DataFrame, name: str, dataset: Dataset, encoding: str = "") -> uploads.Table:
    """A Parquet or JSON file as the kit's table: columns by label or name, rows numbered from 1."""
    columns = upload_columns(dataset)
    keys = {uploads.header_key(h): c for c in columns for h in (c.header, c.name)}
    found: dict[str, str] = {}
    ignored: list[str] = []
    for col in df.columns:
        c = keys.get(uploads.header_key(col))
        if c is None or c.name in found:
            ignored.append(str(col))
        else:
            found[c.name] = str(col)
    frame = df.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(uploads.ROW),
        *[(pl.col(found[c.name]).cast(pl.Utf8, strict=False).str.strip_chars().replace("", None)
           if c.name in found else pl.lit(None, dtype=pl.Utf8)).alias(c.name) for c in columns],
    )
    table = uploads.Table(name, tuple(columns), frame, headers={k: v for k, v in found.items()}, ignored=ignored,
                          encoding=encoding)
    table.conflicts += [uploads.Conflict(name, 0, h, "", "未知列，已忽略 / unknown column, ignored", uploads.Severity.WARNING)
                        for h in ignored]
    return table


def read_table(content: bytes, name: str, dataset: Dataset) -> uploads.Table:
    """The file as the upload kit's table of text columns (named by the dataset's field names)."""
    fmt = file_format(name)
    try:
        if fmt in ("csv", "xlsx"):
            try:
                return uploads.read_upload(content, name, upload_columns(dataset))
            except uploads.UploadRejected as exc:
                raise BatchFileError(str(exc.conflicts[0].message)) from exc
        if fmt == "json":
            text, enc = decode_text(content)
            data = json.loads(text) if text.lstrip().startswith("[") else [
                json.loads(line) for line in text.splitlines() if line.strip()]
            if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
                raise BatchFileError("JSON应为对象数组 / JSON must be an array of objects")
            rows = [{k: (None if v is None else str(v)) for k, v in r.items()} for r in data]
            return _frame_table(pl.DataFrame(rows, infer_schema_length=None), name, dataset, enc)
        return _frame_table(pl.read_parquet(io.BytesIO(content)), name, dataset)
    except BatchFileError:
        raise
    except Exception as exc:  # every reader error means the same to the uploader
        raise BatchFileError(f"无法读取文件 / cannot read the file: {exc}") from exc


def validate(dataset: Dataset, table: uploads.Table, *, today: dt.date | None = None) -> tuple[pl.DataFrame, Report]:
    """Check the table against the dataset's columns; return the typed frame (valid only when the report is ok).
    Row numbers are the file's (a CSV's or sheet's first data row is 2)."""
    report = Report(rows=table.frame.height, encoding=table.encoding, sheet=table.sheet)
    report.warnings = [c for c in table.conflicts if not c.is_error]
    missing = [c.name for c in dataset.columns if c.required and c.name not in table.headers]
    if missing:
        report.file_error = "缺少列 / missing columns: " + ", ".join(missing)
        return table.frame, report
    if table.frame.height == 0:
        report.file_error = "文件没有数据行 / the file has no data rows"
        return table.frame, report
    df = table.frame.rename({uploads.ROW: "_row"})
    # Identifiers the reader refused (Excel had rounded the number): its message names the real cause.
    name_of = {c.label: c.name for c in dataset.columns}
    identifiers = {c.name for c in table.columns if c.kind == uploads.Kind.IDENTIFIER}
    refused: dict[str, list[int]] = {}
    for e in table.errors:
        if name_of.get(e.column) in identifiers and e.row:
            refused.setdefault(name_of[e.column], []).append(e.row)
    typed: list[pl.Expr] = []
    for c in dataset.columns:
        col = pl.col(c.name)
        blank = col.is_null() | (col == "")
        if c.required:
            bad = df.filter(blank)
            report.add("必填项为空 / required value missing", bad["_row"].to_list(), c.name, bad[c.name].to_list())
        present = df.filter(~blank & ~pl.col("_row").is_in(refused.get(c.name, [])))
        if c.kind == "id":
            checked = idnumber.check_many(present[c.name], today=today)
            bad = present.filter(~checked["valid"])
            report.add("身份证号码无效 / invalid ID number", bad["_row"].to_list(), c.name, bad[c.name].to_list())
            typed.append(col.str.normalize("NFKC").str.strip_chars().str.to_uppercase())
        elif c.kind == "date":
            parsed = pl.coalesce(col.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
                                 col.str.strptime(pl.Date, "%Y%m%d", strict=False),
                                 col.str.strptime(pl.Date, "%Y/%m/%d", strict=False))
            bad = present.filter(parsed.is_null())
            report.add("日期无效（应为YYYY-MM-DD）/ invalid date (YYYY-MM-DD)", bad["_row"].to_list(), c.name,
                       bad[c.name].to_list())
            typed.append(parsed.alias(c.name))
        elif c.kind in ("int", "decimal"):
            dtype = pl.Int64 if c.kind == "int" else pl.Float64
            parsed = col.str.replace_all(",", "").cast(dtype, strict=False)
            bad = present.filter(parsed.is_null())
            report.add("数值无效 / not a number", bad["_row"].to_list(), c.name, bad[c.name].to_list())
            typed.append(parsed.alias(c.name))
        elif c.kind == "code":
            bad = present.filter(~col.is_in(list(c.codes)))
            report.add(f"代码不在列表中（{'/'.join(c.codes)}）/ code not in list", bad["_row"].to_list(), c.name,
                       bad[c.name].to_list())
            typed.append(col)
        else:
            typed.append(col)
    # What the reader refused (an identifier Excel rounded, a date or number it could not read) and this check
    # did not already name.
    listed = {(e.row, e.column) for e in report.errors}
    for read_error in table.errors:
        column = name_of.get(read_error.column, read_error.column)
        if read_error.row and (read_error.row, column) not in listed:
            report.add(str(read_error.message), [read_error.row], column, [read_error.value])
    report.errors.sort(key=lambda e: (e.row, e.column))
    return df.select(typed), report
