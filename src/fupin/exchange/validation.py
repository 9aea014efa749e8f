"""Reading and validating a department batch before anything is stored (R4.1).

Everything is read as text first, then every column is checked as a whole with polars expressions
(ID numbers with ``idnumber.check_many``), so a file of millions of rows is validated without a
Python loop per row. The report lists the problems row by row (the first ``MAX_LISTED``) with counts.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from fupin.core import textfiles
from fupin.exchange.catalogue import Dataset
from fupin.registry import idnumber

MAX_LISTED = 1000
FORMATS = ("csv", "xlsx", "parquet", "json")


@dataclass
class Report:
    """What validation found: ``errors`` rows are ``{"row", "column", "value", "message"}`` (row 1 = first data row)."""

    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    by_message: dict[str, int] = field(default_factory=dict)
    file_error: str = ""
    encoding: str = ""

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
            self.errors.append({"row": row, "column": column, "value": "" if values is None else str(values[i]),
                                "message": message})

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "ok": self.ok, "error_count": self.error_count, "by_message": self.by_message,
                "errors": self.errors, "file_error": self.file_error, "encoding": self.encoding}


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


def _all_text(df: pl.DataFrame) -> pl.DataFrame:
    return df.select(
        [pl.col(c).cast(pl.Utf8, strict=False).str.strip_chars().alias(str(c).strip().lstrip("\ufeff"))
         for c in df.columns]
    )


def read_table(content: bytes, name: str) -> tuple[pl.DataFrame, str]:
    """The file as a frame of text columns, and the encoding found (for text formats)."""
    fmt = file_format(name)
    try:
        if fmt == "csv":
            text, enc = decode_text(content)
            df = pl.read_csv(io.StringIO(text), infer_schema=False)
            return _all_text(df), enc
        if fmt == "json":
            text, enc = decode_text(content)
            data = json.loads(text) if text.lstrip().startswith("[") else [
                json.loads(line) for line in text.splitlines() if line.strip()]
            if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
                raise BatchFileError("JSON应为对象数组 / JSON must be an array of objects")
            rows = [{k: (None if v is None else str(v)) for k, v in r.items()} for r in data]
            return _all_text(pl.DataFrame(rows, infer_schema_length=None)), enc
        if fmt == "parquet":
            return _all_text(pl.read_parquet(io.BytesIO(content))), ""
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = wb.get_sheet_by_index(0).to_python(skip_empty_area=True)
        if not sheet:
            return pl.DataFrame(), ""
        header = [str(h).strip() for h in sheet[0]]
        columns = {h: [None if i >= len(r) or r[i] == "" else _cell(r[i]) for r in sheet[1:]]
                   for i, h in enumerate(header)}
        return _all_text(pl.DataFrame(columns, schema=dict.fromkeys(header, pl.Utf8))), ""
    except BatchFileError:
        raise
    except Exception as exc:  # every reader error means the same to the uploader
        raise BatchFileError(f"无法读取文件 / cannot read the file: {exc}") from exc


def _cell(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def validate(dataset: Dataset, raw: pl.DataFrame, *, today: dt.date | None = None) -> tuple[pl.DataFrame, Report]:
    """Check ``raw`` against the dataset's columns; return the typed frame (valid only when the report is ok)."""
    report = Report(rows=raw.height)
    by_label = {c.label: c.name for c in dataset.columns}
    df = raw.rename({c: by_label.get(c, c) for c in raw.columns})
    missing = [c.name for c in dataset.columns if c.required and c.name not in df.columns]
    unknown = [c for c in df.columns if c not in dataset.column_names]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("缺少列 / missing columns: " + ", ".join(missing))
        if unknown:
            parts.append("未知列 / unknown columns: " + ", ".join(unknown))
        report.file_error = "; ".join(parts)
        return df, report
    if df.height == 0:
        report.file_error = "文件没有数据行 / the file has no data rows"
        return df, report
    for c in dataset.columns:
        if c.name not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.Utf8).alias(c.name))
    df = df.select(dataset.column_names).with_row_index("_row", offset=1)
    typed: list[pl.Expr] = []
    for c in dataset.columns:
        col = pl.col(c.name)
        blank = col.is_null() | (col == "")
        if c.required:
            bad = df.filter(blank)
            report.add("必填项为空 / required value missing", bad["_row"].to_list(), c.name, bad[c.name].to_list())
        present = df.filter(~blank)
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
    report.errors.sort(key=lambda e: (e["row"], e["column"]))
    return df.select(typed), report
