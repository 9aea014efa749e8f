"""Import of the household registry from the collection form (R2.4): .xlsx (one workbook, three sheets) or
.csv (one file per sheet, recognised by its headers; UTF-8, UTF-8 with BOM or GBK/GB18030).

Set-based from end to end: files are read by python-calamine / polars, every check is a polars expression
or join over the whole file, existing dossiers are read with one query per table, and the write is a few
COPY / INSERT … SELECT statements in one transaction. Everything is validated first; a single error
means nothing is written and an error report (the input with bad cells in red and a 错误说明 column,
importable again once fixed) is produced. Re-importing the same file changes nothing ("unchanged").
"""

from __future__ import annotations

import datetime as dt
import io
import json
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from python_calamine import CalamineWorkbook

from fupin.core import audit, codes, textfiles
from fupin.core.bulk import copy_csv, copy_frame, copy_rows, frame_csv, is_postgres, upsert_frame
from fupin.core.bulkload import BulkAppend, row_estimate
from fupin.core.models import AuditEvent
from fupin.core.roles import REGISTRY_WRITE_ROLES
from fupin.core.scoping import Scope, scope_of
from fupin.regions.models import Level
from fupin.registry import history, idnumber
from fupin.registry.models import (
    INCOME_FIELDS,
    HistoryChunk,
    Household,
    HouseholdVersion,
    Income,
    Member,
    Source,
)
from fupin.registry.template import (
    ERROR_COLUMN,
    HOUSEHOLDS,
    IGNORED_SHEETS,
    INCOMES,
    MEMBERS,
    SHEET_BY_NAME,
    SHEETS,
    TRUE_TEXT,
    Column,
    Sheet,
    sheet_for_headers,
)

Progress = Callable[[str, float], None]
ROW = "_row"
FILE_LEVEL = 0  # row number of errors about a whole file or sheet (headers, emptiness)
ERROR_SCHEMA = {"sheet": pl.Utf8, "row": pl.Int64, "column": pl.Utf8, "message": pl.Utf8}
BOOL_TEXT = {
    "是": True, "否": False, "Y": True, "N": False, "y": True, "n": False, "TRUE": True, "FALSE": False,
    "True": True, "False": False, "true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
}
IN_CHUNK = 5000


# ---------------------------------------------------------------------------------------------------- results


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    households: int = 0
    members: int = 0
    incomes: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    error_report: Path | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        return {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "rejected": self.rejected, "households": self.households, "members": self.members,
            "incomes": self.incomes, "errors": len(self.errors), "dry_run": self.dry_run,
            "seconds": round(self.seconds, 2),
        }


class Laps:
    """Seconds spent in each phase (``read``, ``validate.*``, ``write.*``), kept in ``ImportResult.timings``
    for the benchmark's profile."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self.last
        self.last = now


class ImportFailed(Exception):
    """Raised inside the write transaction to undo it; carries nothing, the result says why."""


# ---------------------------------------------------------------------------------------------------- reading


@dataclass
class RawTable:
    """One input sheet as text: a column per header (canonical names), plus the row number ``_row``."""

    sheet: Sheet
    source: str
    frame: pl.DataFrame
    headers: list[str]


def _norm_header(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "").strip()


HEADER_ALIASES = {_norm_header(c.header): c.header for s in SHEETS for c in s.columns}


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return TRUE_TEXT if v else "否"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _column_texts(values: list[Any]) -> list[str]:
    if set(map(type, values)) <= {str}:
        return values
    return [_cell_text(v) for v in values]


def _frame_from_rows(rows: list[list[Any]]) -> tuple[list[str], pl.DataFrame]:
    headers = [_cell_text(h) for h in rows[0]] if rows else []
    body = rows[1:]
    width = len(headers)
    cols = {}
    for j in range(width):
        name = headers[j] if headers[j] else f"_blank{j}"
        values = [r[j] if j < len(r) else "" for r in body]
        cols[name] = pl.Series(name, _column_texts(values), dtype=pl.Utf8)
    return headers, pl.DataFrame(cols) if cols else pl.DataFrame()


def _decode_csv(data: bytes) -> bytes:
    """UTF-8 (with or without BOM) as is; GBK/GB18030 converted to UTF-8 (fupin.core.textfiles)."""
    return textfiles.utf8_bytes(data)  # raises TextEncodingError for UTF-16 or binary files


def _read_csv(data: bytes) -> pl.DataFrame:
    """A CSV file as text columns. UTF-8 is read as it is — polars refuses invalid UTF-8 in the data itself, and
    the header line is checked here (polars reads headers leniently) — so a large file is not decoded twice;
    anything else goes through ``textfiles`` (GBK/GB18030 converted, UTF-16 refused)."""
    header = data[: data.find(b"\n") if b"\n" in data[:1 << 20] else 1 << 20]
    if b"\x00" not in data[:4096]:
        try:
            header.decode("utf-8")
            return pl.read_csv(io.BytesIO(data), infer_schema=False, has_header=True)
        except (UnicodeDecodeError, pl.exceptions.ComputeError):
            pass  # not UTF-8
    return pl.read_csv(io.BytesIO(_decode_csv(data)), infer_schema=False, has_header=True)


@dataclass
class _Input:
    name: str
    data: bytes


def _inputs(files: Iterable[Any]) -> list[_Input]:
    out = []
    for f in files:
        if isinstance(f, str | Path):
            out.append(_Input(Path(f).name, Path(f).read_bytes()))
        else:
            name = getattr(f, "name", "upload")
            if hasattr(f, "seek"):
                f.seek(0)
            out.append(_Input(Path(str(name)).name, f.read()))
    return out


def _file_error(errors: list[RowError], sheet: str, message: str) -> None:
    errors.append(RowError(sheet, FILE_LEVEL, "", message))


def read_inputs(files: Iterable[Any], errors: list[RowError]) -> dict[str, RawTable]:
    tables: dict[str, RawTable] = {}
    for inp in _inputs(files):
        suffix = Path(inp.name).suffix.lower()
        if not inp.data.strip():
            _file_error(errors, inp.name, f"文件 {inp.name} 是空的 / the file {inp.name} is empty")
            continue
        if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            try:
                wb = CalamineWorkbook.from_filelike(io.BytesIO(inp.data))
            except Exception as exc:  # calamine raises several error types for broken files
                _file_error(errors, inp.name, f"无法读取工作簿 {inp.name} / cannot read the workbook: {exc}")
                continue
            for name in wb.sheet_names:
                rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
                sheet = SHEET_BY_NAME.get(name.strip())
                if sheet is None:
                    if name.strip() not in IGNORED_SHEETS and any(any(str(v).strip() for v in r) for r in rows):
                        _file_error(errors, name, f"未知工作表“{name}”（应为 户、家庭成员、收入） / unknown sheet "
                                                  f"{name!r} (expected 户, 家庭成员, 收入)")
                    continue
                headers, frame = _frame_from_rows(rows)
                _add_table(tables, sheet, f"{inp.name}:{name}", headers, frame, errors)
        elif suffix in (".csv", ".txt"):
            try:
                frame = _read_csv(inp.data)
            except (textfiles.TextEncodingError, pl.exceptions.PolarsError) as exc:
                _file_error(errors, inp.name, f"无法读取 CSV 文件 {inp.name} / cannot read the CSV file: {exc}")
                continue
            headers = list(frame.columns)
            sheet = sheet_for_headers([_norm_header(h) for h in headers]) or sheet_for_headers(
                [HEADER_ALIASES.get(_norm_header(h), h) for h in headers]
            )
            if sheet is None:
                _file_error(errors, inp.name, f"无法从列标题识别 {inp.name} 属于哪张表 / cannot tell from its headers "
                                              "which sheet the file is (户, 家庭成员 or 收入)")
                continue
            _add_table(tables, sheet, inp.name, headers, frame, errors)
        else:
            _file_error(errors, inp.name, f"不支持的文件类型 {suffix or inp.name}（应为 .xlsx 或 .csv） / "
                                          "unsupported file type (expected .xlsx or .csv)")
    return tables


def _add_table(
    tables: dict[str, RawTable], sheet: Sheet, source: str, headers: list[str], frame: pl.DataFrame,
    errors: list[RowError],
) -> None:
    if sheet.name in tables:
        _file_error(errors, sheet.name, f"工作表 {sheet.name} 出现了两次（{tables[sheet.name].source}、{source}） / "
                                        "the sheet is given twice")
        return
    canonical = [HEADER_ALIASES.get(_norm_header(h), _norm_header(h)) for h in headers]
    known = set(sheet.headers)
    missing = [h for h in sheet.headers if h not in canonical]
    unknown = [h for h in canonical if h not in known and h != ERROR_COLUMN and h]
    if missing:
        _file_error(errors, sheet.name, f"缺少列：{'、'.join(missing)} / missing columns: {', '.join(missing)}")
    if unknown:
        _file_error(errors, sheet.name, f"未知列：{'、'.join(unknown)} / unknown columns: {', '.join(unknown)}")
    rename = {old: new for old, new in zip(frame.columns, canonical, strict=False) if new in known}
    keep = list(dict.fromkeys(rename))
    frame = frame.select([pl.col(c).alias(rename[c]) for c in keep])
    for h in sheet.headers:
        if h not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Utf8).alias(h))
    frame = frame.select(
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias(ROW),
        *[pl.col(h).cast(pl.Utf8).str.strip_chars().replace("", None).alias(h) for h in sheet.headers],
    )
    frame = frame.filter(~pl.all_horizontal([pl.col(h).is_null() for h in sheet.headers]))
    if frame.height == 0 and not missing:
        _file_error(errors, sheet.name, f"工作表 {sheet.name} 没有数据行 / the sheet {sheet.name} has no data rows")
    tables[sheet.name] = RawTable(sheet, source, frame, headers)


# ---------------------------------------------------------------------------------------------------- parsing


class _Errors:
    """Error rows collected as frames (sheet, row, column, message) and concatenated once."""

    def __init__(self) -> None:
        self.frames: list[pl.DataFrame] = []

    def add(self, df: pl.DataFrame, condition: pl.Expr, sheet: str, column: str, message: pl.Expr | str) -> None:
        msg = pl.lit(message) if isinstance(message, str) else message
        bad = df.filter(condition.fill_null(False))
        if bad.height:
            self.frames.append(bad.select(
                pl.lit(sheet).alias("sheet"), pl.col(ROW).alias("row"), pl.lit(column).alias("column"),
                msg.cast(pl.Utf8).alias("message"),
            ))

    def frame(self) -> pl.DataFrame:
        if not self.frames:
            return pl.DataFrame(schema=ERROR_SCHEMA)
        return pl.concat(self.frames, how="vertical_relaxed").unique(maintain_order=True)


def _code_map(list_code: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for c, zh, en in codes.items(list_code):
        for variant in (en, zh, c):
            mapping[variant] = c
        if c.isdigit() and c.lstrip("0") and c.lstrip("0") not in mapping:
            mapping[c.lstrip("0")] = c  # "1" for "01": Excel drops leading zeros of numbers
    return mapping


def cents_text(cents: pl.Expr) -> pl.Expr:
    """Integer cents as "123.45", the form history snapshots give to decimals (exact: polars decimals,
    twice as fast as assembling the text)."""
    return (cents.cast(pl.Decimal(18, 0)) * pl.lit(Decimal("0.01"))).cast(pl.Decimal(18, 2)).cast(pl.Utf8)


def parse_sheet(table: RawTable, errs: _Errors) -> pl.DataFrame:
    """Typed values (named by model field) for every column, with an error row for every bad cell.

    Each column is parsed once (into a working column); all checks are then evaluated in a single pass over
    the sheet, and only the checks that fail somewhere are turned into error rows."""
    df = table.frame
    sheet = table.sheet.name
    this_year = dt.date.today().year
    parsed: list[pl.Expr] = []  # working columns, computed once
    checks: list[tuple[pl.Expr, str, pl.Expr | str]] = []  # (condition of a bad cell, column header, message)
    out: list[pl.Expr] = [pl.col(ROW)]
    for c in table.sheet.columns:
        raw = pl.col(c.header)
        work = f"\x00{c.field}"
        if c.required:
            checks.append((raw.is_null(), c.header, "必填 / required"))
        value: pl.Expr
        if c.kind == "text":
            value = raw
            if c.max_length:
                checks.append((raw.str.len_chars() > c.max_length, c.header,
                               f"超过 {c.max_length} 个字 / longer than {c.max_length} characters"))
        elif c.kind == "code":
            parsed.append(raw.replace_strict(_code_map(c.codelist), default=None, return_dtype=pl.Utf8).alias(work))
            value = pl.col(work)
            checks.append((raw.is_not_null() & value.is_null(), c.header,
                           pl.format(f"“{{}}”不是{c.header}代码表中的值 / not a value of the code list {c.codelist}", raw)))
        elif c.kind == "codes":
            mapping = _code_map(c.codelist)
            parts = raw.str.replace_all(r"[,，;；/|]", "、").str.split("、").list.eval(
                pl.element().str.strip_chars().filter(pl.element() != "")
            )
            parsed.append(parts.list.eval(pl.element().replace_strict(mapping, default=None, return_dtype=pl.Utf8)).alias(work))
            value = pl.col(work)
            checks.append((value.list.eval(pl.element().is_null()).list.any(), c.header,
                           pl.format(f"“{{}}”中有不在{c.header}代码表中的值 / a value is not in the code list {c.codelist}", raw)))
        elif c.kind == "bool":
            parsed.append(raw.replace_strict(BOOL_TEXT, default=None, return_dtype=pl.Boolean).alias(work))
            value = pl.col(work)
            checks.append((raw.is_not_null() & value.is_null(), c.header,
                           pl.format("“{}”应为 是 或 否 / must be 是 (yes) or 否 (no)", raw)))
        elif c.kind in ("int", "year"):
            parsed.append(raw.cast(pl.Int64, strict=False).alias(work))
            value = pl.col(work)
            checks.append((raw.is_not_null() & value.is_null(), c.header, pl.format("“{}”不是整数 / not a whole number", raw)))
            low, high = (2013, this_year) if c.kind == "year" else (c.low, c.high)
            if low is not None:
                checks.append((value < low, c.header, f"不能小于 {low} / cannot be below {low}"))
            if high is not None:
                checks.append((value > high, c.header, f"不能大于 {high} / cannot be above {high}"))
        elif c.kind == "decimal":
            grouped = df[c.header].str.contains(",", literal=True).any()  # thousands separators (Excel)
            text = raw.str.replace_all(",", "", literal=True) if grouped else raw
            parsed.append(text.cast(pl.Float64, strict=False).alias(work))
            number = pl.col(work)
            scaled = number * (10**c.places)
            checks.append((raw.is_not_null() & number.is_null(), c.header, pl.format("“{}”不是数值 / not a number", raw)))
            checks.append((number < 0, c.header, "不能为负数 / cannot be negative"))
            checks.append(((scaled - scaled.round(0)).abs() > 1e-6, c.header,
                           f"最多 {c.places} 位小数 / at most {c.places} decimals"))
            checks.append((number >= 10 ** (c.digits - c.places), c.header, "数值过大 / number too large"))
            cents = (scaled.round(0).cast(pl.Int64, strict=False) * (10 ** (2 - c.places)))
            value = pl.when(number >= 0).then(cents_text(cents))
        elif c.kind == "date":
            iso = df[c.header].str.to_date("%Y-%m-%d", strict=False)
            if iso.null_count() == df[c.header].null_count():  # all in the template's form: parsed once
                parsed.append(pl.lit(iso.alias(work)))
            else:
                parsed.append(pl.coalesce(
                    raw.str.to_date("%Y-%m-%d", strict=False), raw.str.to_date("%Y/%m/%d", strict=False),
                    raw.str.to_date("%Y%m%d", strict=False), raw.str.to_date("%Y.%m.%d", strict=False),
                ).alias(work))
            checks.append((raw.is_not_null() & pl.col(work).is_null(), c.header,
                           pl.format("“{}”不是日期（YYYY-MM-DD） / not a date (YYYY-MM-DD)", raw)))
            value = pl.col(work).dt.strftime("%Y-%m-%d")
        else:  # pragma: no cover - the spec only has the kinds above
            raise ValueError(c.kind)
        if c.default is not None:
            default = list(c.default) if c.kind == "codes" else c.default
            dtype = pl.List(pl.Utf8) if c.kind == "codes" else None
            value = value.fill_null(pl.lit(default, dtype=dtype))
        out.append(value.alias(c.field))
    df = df.with_columns(parsed)
    failing = df.select([cond.fill_null(False).any().alias(str(i)) for i, (cond, _h, _m) in enumerate(checks)]).row(0)
    for hit, (cond, header, message) in zip(failing, checks, strict=True):
        if hit:
            errs.add(df, cond, sheet, header, message)
    return df.select(out)


# ---------------------------------------------------------------------------------------------------- database reads


def _array_literal(values: Sequence[Any] | pl.Series) -> str:
    """A PostgreSQL array literal (``{"a","b"}``) of ``values``, quoted and escaped, built without a Python loop."""
    text = (values if isinstance(values, pl.Series) else pl.Series(values)).cast(pl.Utf8)
    quoted = text.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)
    return "{" + ('"' + quoted + '"').str.join(",").item() + "}"


def _typed_csv(data: bytes, dtypes: dict[str, Any]) -> pl.DataFrame:
    """Rows COPYed out of PostgreSQL as CSV (``\\N`` for NULL, booleans as t/f) in a frame with ``dtypes``."""
    if not data:
        return pl.DataFrame(schema=dtypes)
    frame = pl.read_csv(io.BytesIO(data), has_header=False, new_columns=list(dtypes), infer_schema=False,
                        null_values="\\N")
    return frame.select([
        (pl.col(name) == "t").alias(name) if dtype == pl.Boolean
        else pl.col(name).cast(dtype).alias(name)
        for name, dtype in dtypes.items()
    ])


SCAN_FACTOR = 4  # a table with fewer rows than 4 per looked-up key is read whole rather than probed per key


def _select_in(
    sql: str, values: Sequence[Any] | pl.Series, dtypes: dict[str, Any], *, scan: tuple[str, str] | None = None
) -> pl.DataFrame:
    """Rows of ``sql`` (with ``{in}`` after the key column, where the list goes) for many values: one ``= ANY``
    array on PostgreSQL, chunks of IN lists on SQLite. Returned as a polars frame with ``dtypes``.

    ``scan=(table, output column)``: on PostgreSQL, when ``table`` holds fewer than ``SCAN_FACTOR`` rows per
    value (a first load, or re-importing most of a registry), the rows are read in one sequential scan
    (``{in}`` becomes ``IS NOT NULL``) and filtered by polars — far cheaper than a million index probes."""
    rows: list[tuple[Any, ...]] = []
    series = values if isinstance(values, pl.Series) else pl.Series(list(values))
    with connection.cursor() as cur:
        if is_postgres():
            if not len(series):
                return pl.DataFrame(schema=dtypes)
            if scan is not None and row_estimate(scan[0]) < SCAN_FACTOR * len(series):
                every = _copy_out(sql.replace("{in}", "IS NOT NULL"), dtypes)
                return every.filter(pl.col(scan[1]).is_in(series.cast(dtypes[scan[1]]).implode()))
            # One array literal built by polars and parsed by the server (adapting a Python list of a million
            # strings element by element takes seconds), and the rows back as CSV read by polars.
            array = "= ANY(%s::bigint[])" if series.dtype.is_integer() else "= ANY(%s::text[])"
            return _copy_out(sql.replace("{in}", array), dtypes, [_array_literal(series)])
        else:
            items = series.to_list()
            for i in range(0, len(items), IN_CHUNK):
                chunk = items[i : i + IN_CHUNK]
                cur.execute(sql.replace("{in}", f"IN ({', '.join(['%s'] * len(chunk))})"), chunk)
                rows.extend(cur.fetchall())
    return pl.DataFrame(rows, schema=dtypes, orient="row", strict=False)


def _copy_out(sql: str, dtypes: dict[str, Any], params: Sequence[Any] = ()) -> pl.DataFrame:
    """PostgreSQL: all rows of ``sql`` read back as CSV (``COPY … TO STDOUT``) into a polars frame."""
    buf = io.BytesIO()
    with connection.cursor() as cur, cur.cursor.copy(
        f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, NULL '\\N', FORCE_QUOTE *)", params or None
    ) as copy:
        for block in copy:
            buf.write(block)
    return _typed_csv(buf.getvalue(), dtypes)


HOLDERS_SQL = ("SELECT m.id_number, h.number FROM registry_member m JOIN registry_household h ON h.id = m.household_id "
               "WHERE m.is_active")  # the partial index's own condition, so SQLite uses it


def _holders(ids: pl.Series) -> pl.DataFrame:
    """Active members anywhere with one of these ID numbers, and their household's number."""
    return _select_in(HOLDERS_SQL + " AND m.id_number {in}", ids, {"id_number": pl.Utf8, "holder": pl.Utf8},
                      scan=(Member._meta.db_table, "id_number"))


def _db_expr(c: Column, name: str | None = None) -> str:
    col = name or c.field
    if c.kind == "decimal":
        return f"CAST(ROUND({col} * 100) AS BIGINT)"
    if c.kind == "codes" or c.kind == "date":
        return f"CAST({col} AS TEXT)"
    return col


def _db_dtype(c: Column) -> Any:
    return {"decimal": pl.Int64, "codes": pl.Utf8, "bool": pl.Boolean, "int": pl.Int64, "year": pl.Int64}.get(c.kind, pl.Utf8)


def _typed_from_db(df: pl.DataFrame, sheet: Sheet) -> pl.DataFrame:
    exprs = []
    for c in sheet.columns:
        if c.field not in df.columns:
            continue
        if c.kind == "decimal":
            exprs.append(cents_text(pl.col(c.field)).alias(c.field))
        elif c.kind == "codes":
            exprs.append(pl.col(c.field).str.json_decode(pl.List(pl.Utf8)).alias(c.field))
        elif c.kind == "bool":
            exprs.append(pl.col(c.field).cast(pl.Boolean).alias(c.field))
    return df.with_columns(exprs) if exprs else df


def existing_state(numbers: Sequence[str]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The households with these numbers as they are in the database, with active members and incomes,
    in the same typed form as a parsed file (three queries)."""
    hh_cols = [c for c in HOUSEHOLDS.columns]
    select = ", ".join(f"{_db_expr(c)} AS {c.field}" for c in hh_cols)
    dtypes: dict[str, Any] = {"id": pl.Int64, "cadre_id": pl.Int64, "source": pl.Utf8}
    dtypes.update({c.field: _db_dtype(c) for c in hh_cols})
    hh = _select_in(
        f"SELECT id, cadre_id, source, {select} FROM registry_household WHERE number {{in}}", numbers, dtypes,
        scan=(Household._meta.db_table, "number"),
    )
    hh = _typed_from_db(hh, HOUSEHOLDS)
    ids = hh["id"].to_list()
    m_cols = [c for c in MEMBERS.columns if c.field != "household"]
    m_dtypes: dict[str, Any] = {"id": pl.Int64, "household_id": pl.Int64}
    m_dtypes.update({c.field: _db_dtype(c) for c in m_cols})
    members = _select_in(
        f"SELECT id, household_id, {', '.join(f'{_db_expr(c)} AS {c.field}' for c in m_cols)} "
        "FROM registry_member WHERE is_active AND household_id {in}",
        ids, m_dtypes, scan=(Member._meta.db_table, "household_id"),
    )
    members = _typed_from_db(members, MEMBERS)
    i_cols = [c for c in INCOMES.columns if c.field != "household"]
    i_dtypes: dict[str, Any] = {"household_id": pl.Int64}
    i_dtypes.update({c.field: _db_dtype(c) for c in i_cols})
    incomes = _select_in(
        f"SELECT household_id, {', '.join(f'{_db_expr(c)} AS {c.field}' for c in i_cols)} "
        "FROM registry_income WHERE household_id {in}",
        ids, i_dtypes, scan=(Income._meta.db_table, "household_id"),
    )
    incomes = _typed_from_db(incomes, INCOMES)
    return hh, members, incomes


# ---------------------------------------------------------------------------------------------------- snapshots


HOUSEHOLD_SNAPSHOT = history.HOUSEHOLD_FIELDS
MEMBER_SNAPSHOT = history.MEMBER_FIELDS
INCOME_SNAPSHOT = history.INCOME_FIELDS
HOUSEHOLD_CONTENT = [c.field for c in HOUSEHOLDS.columns]
MEMBER_CONTENT = [c.field for c in MEMBERS.columns if c.field != "household"]
INCOME_CONTENT = [c.field for c in INCOMES.columns if c.field != "household"]


def _documents(
    hh: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame,
    h_fields: list[str], m_fields: list[str], i_fields: list[str], member_order: str,
) -> pl.DataFrame:
    """One JSON document per household (``id``, ``doc``): ``{"household", "members", "incomes"}``, built
    by polars. With the snapshot field lists this is exactly ``history.snapshot``'s structure."""
    h = hh.select("id", pl.struct(h_fields).struct.json_encode().alias("h"))
    m = (
        members.sort("household_id", member_order)
        .group_by("household_id", maintain_order=True)
        .agg(pl.struct(m_fields).struct.json_encode().str.join(",").alias("m"))
    )
    i = (
        incomes.sort("household_id", "year")
        .group_by("household_id", maintain_order=True)
        .agg(pl.struct(i_fields).struct.json_encode().str.join(",").alias("i"))
    )
    return (
        h.join(m, left_on="id", right_on="household_id", how="left")
        .join(i, left_on="id", right_on="household_id", how="left")
        .select(
            "id",
            pl.concat_str([
                pl.lit('{"household": '), pl.col("h"), pl.lit(', "members": ['), pl.col("m").fill_null(""),
                pl.lit('], "incomes": ['), pl.col("i").fill_null(""), pl.lit("]}"),
            ]).alias("doc"),
        )
    )


def unchanged_ids(
    hh: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame,
    old_hh: pl.DataFrame, old_members: pl.DataFrame, old_incomes: pl.DataFrame,
) -> pl.Series:
    """Ids of the households whose file content equals the database exactly (the same values in every column
    the template carries; the same members, matched by ID number, and incomes, by year): joins on all
    columns, no per-household documents. Members and income years are unique per household in both."""
    def joinable(frame: pl.DataFrame, key: str, columns: list[str]) -> pl.DataFrame:
        lists = [c for c in columns if frame.schema[c] == pl.List(pl.Utf8)]
        return frame.select(key, *columns).with_columns([pl.col(c).list.join("\x1f") for c in lists])

    def same_rows(new: pl.DataFrame, old: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
        """Per household: rows in the file, rows in the database, rows equal in both."""
        new, old = joinable(new, "household_id", columns), joinable(old, "household_id", columns)
        counts = [
            new.group_by("household_id").agg(pl.len().alias("_new")),
            old.group_by("household_id").agg(pl.len().alias("_old")),
            new.join(old, on=["household_id", *columns], how="inner", nulls_equal=True)
            .group_by("household_id").agg(pl.len().alias("_same")),
        ]
        out = hh.select(pl.col("id").alias("household_id"))
        for c in counts:
            out = out.join(c, on="household_id", how="left")
        return out.fill_null(0).filter((pl.col("_new") == pl.col("_old")) & (pl.col("_same") == pl.col("_new")))

    same_hh = joinable(hh, "id", HOUSEHOLD_CONTENT).join(
        joinable(old_hh, "id", HOUSEHOLD_CONTENT), on=["id", *HOUSEHOLD_CONTENT], how="inner", nulls_equal=True
    )["id"]
    same_m = same_rows(members, old_members, MEMBER_CONTENT)["household_id"]
    same_i = same_rows(incomes, old_incomes, INCOME_CONTENT)["household_id"]
    return same_hh.filter(same_hh.is_in(same_m.implode()) & same_hh.is_in(same_i.implode()))


def snapshots(hh: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame) -> pl.DataFrame:
    """History snapshots (as ``history.snapshot`` would give after the write), members in id order."""
    return _documents(hh, members, incomes, HOUSEHOLD_SNAPSHOT, MEMBER_SNAPSHOT, INCOME_SNAPSHOT, "id")


# ---------------------------------------------------------------------------------------------------- validation


@dataclass
class _Plan:
    households: pl.DataFrame  # typed file rows with id, is_new, changed, cadre_id, source
    members: pl.DataFrame  # typed with household_id and final id
    incomes: pl.DataFrame
    old_households: pl.DataFrame
    old_members: pl.DataFrame
    old_incomes: pl.DataFrame


def _check_ids(members: pl.DataFrame, errs: _Errors) -> pl.DataFrame:
    """ID numbers of resident ID cards: vectorized check, then sex and birth date against the number."""
    sheet = MEMBERS.name
    col = MEMBERS.column
    ids = idnumber.normalize_many(members["id_number"])
    checked = idnumber.check_many(ids.fill_null(""))
    members = members.with_columns(
        id_number=ids,
        _valid=checked["valid"],
        _sex=checked["sex"],
        _birth=checked["birth_date"].dt.strftime("%Y-%m-%d"),
    )
    is_card = pl.col("id_type") == "1"
    bad = members.filter(is_card & ~pl.col("_valid") & pl.col("id_number").is_not_null())
    if bad.height:
        # Few rows: give each the precise reason (shape, check digit, birth date) from the single check.
        messages = []
        for number in bad["id_number"].to_list():
            try:
                idnumber.check_one(number)
                messages.append("身份证号码无效 / invalid resident ID number")
            except idnumber.IdNumberError as exc:
                messages.append(str(exc))
        errs.frames.append(bad.select(
            pl.lit(sheet).alias("sheet"), pl.col(ROW).alias("row"), pl.lit(col("id_number").header).alias("column"),
            pl.Series("message", messages, dtype=pl.Utf8),
        ))
    ok = is_card & pl.col("_valid")
    errs.add(members, ok & pl.col("sex").is_not_null() & (pl.col("sex") != pl.col("_sex")), sheet, col("sex").header,
             pl.format("性别与身份证号码不符（应为{}） / sex disagrees with the ID number",
                       pl.col("_sex").replace_strict({"1": "男", "2": "女"}, default="")))
    errs.add(members, ok & pl.col("birth_date").is_not_null() & (pl.col("birth_date") != pl.col("_birth")), sheet,
             col("birth_date").header,
             pl.format("出生日期与身份证号码不符（应为 {}） / birth date disagrees with the ID number ({})",
                       pl.col("_birth"), pl.col("_birth")))
    for f in ("sex", "birth_date"):
        errs.add(members, ~is_card & pl.col(f).is_null(), sheet, col(f).header,
                 "非身份证时必填 / required when the ID is not a resident ID card")
    return members.with_columns(
        sex=pl.coalesce("sex", pl.when(ok).then(pl.col("_sex"))),
        birth_date=pl.coalesce("birth_date", pl.when(ok).then(pl.col("_birth"))),
    ).drop("_valid", "_sex", "_birth")


def validate(
    tables: dict[str, RawTable], *, actor: Any, errors: list[RowError], progress: Progress, laps: Laps | None = None
) -> tuple[_Plan | None, pl.DataFrame]:
    lap = laps or Laps({})
    errs = _Errors()
    for sheet in SHEETS:
        if sheet.name not in tables:
            errors.append(RowError(sheet.name, FILE_LEVEL, "", f"缺少工作表 {sheet.name} / the sheet {sheet.name} is missing"))
    if any(e.row == FILE_LEVEL for e in errors):
        return None, errs.frame()
    hh = parse_sheet(tables[HOUSEHOLDS.name], errs)
    members = parse_sheet(tables[MEMBERS.name], errs)
    incomes = parse_sheet(tables[INCOMES.name], errs)
    lap("validate.parse")
    progress("校验 / validating", 0.3)
    H, M, INC = HOUSEHOLDS.name, MEMBERS.name, INCOMES.name
    hcol, mcol, icol = HOUSEHOLDS.column, MEMBERS.column, INCOMES.column

    # Households: unique numbers, loaded villages inside the actor's region, years in order.
    errs.add(hh, pl.col("number").is_duplicated() & pl.col("number").is_not_null(), H, hcol("number").header,
             pl.format("户编号 {} 在文件中重复 / household number {} appears more than once", pl.col("number"), pl.col("number")))
    villages = [v for v in hh["village_id"].drop_nulls().unique().to_list() if v.isdigit() and len(v) == 12]
    loaded = set(_select_in("SELECT code FROM regions_region WHERE level = %s AND code {in}".replace("%s", str(int(Level.VILLAGE))),
                            villages, {"code": pl.Utf8})["code"].to_list())
    scope: Scope = scope_of(actor)
    in_scope = pl.lit(False) if scope.prefix is None else pl.col("village_id").str.starts_with(scope.prefix)
    village_ok = pl.col("village_id").is_in(list(loaded))
    errs.add(hh, pl.col("village_id").is_not_null() & ~village_ok, H, hcol("village_id").header,
             pl.format("“{}”不是已加载的行政村代码 / not the code of a loaded village", pl.col("village_id")))
    errs.add(hh, village_ok & ~in_scope, H, hcol("village_id").header,
             pl.format("行政村 {} 不在您的管辖范围内 / village {} is outside your region", pl.col("village_id"), pl.col("village_id")))
    errs.add(hh, pl.col("exit_year") < pl.col("identified_year"), H, hcol("exit_year").header,
             "脱贫年度不能早于识别年度 / exit year cannot be before the year identified")

    # Existing dossiers: update only inside the actor's region.
    numbers = hh["number"].drop_nulls().unique().to_list()
    lap("validate.households")
    old_hh, old_members, old_incomes = existing_state(numbers)
    lap("validate.existing")
    outside = old_hh.filter(~pl.col("village_id").str.starts_with(scope.prefix) if scope.prefix is not None else pl.lit(True))
    errs.add(hh, pl.col("number").is_in(outside["number"].to_list()), H, hcol("number").header,
             pl.format("户编号 {} 已登记在您的管辖范围以外 / household {} is registered outside your region",
                       pl.col("number"), pl.col("number")))
    file_numbers = pl.Series("n", numbers, dtype=pl.Utf8)

    # Members: belong to a household of the file; ID numbers valid, unique in the file and not active elsewhere.
    errs.add(members, pl.col("household").is_not_null() & ~pl.col("household").is_in(file_numbers.implode()), M,
             mcol("household").header,
             pl.format("户编号 {} 不在“户”表中 / household {} is not in the 户 sheet", pl.col("household"), pl.col("household")))
    members = _check_ids(members, errs)
    lap("validate.idnumbers")
    counts = members.select("id_number").drop_nulls().group_by("id_number").len()  # one hash pass for both uses
    repeated = counts.filter(pl.col("len") > 1)["id_number"]
    if len(repeated):
        dup_rows = (
            members.filter(pl.col("id_number").is_in(repeated.implode()))
            .group_by("id_number").agg(pl.col(ROW).cast(pl.Utf8).str.join(",").alias("_rows"))
        )
        d = members.join(dup_rows, on="id_number", how="inner")
        errs.add(d, pl.lit(True), M, mcol("id_number").header,
                 pl.format("证件号码在文件中重复（第 {} 行） / the same ID number appears more than once (rows {})",
                           pl.col("_rows"), pl.col("_rows")))
    holders = _holders(counts["id_number"])
    lap("validate.holders")
    if holders.height:
        # A person may move between two households of the same file; elsewhere they must leave first.
        h2 = members.join(holders, on="id_number", how="inner")
        errs.add(h2, (pl.col("holder") != pl.col("household")) & ~pl.col("holder").is_in(file_numbers.implode()), M,
                 mcol("id_number").header,
                 pl.format("此人已是户 {} 的在册成员 / this person is already an active member of household {}",
                           pl.col("holder"), pl.col("holder")))

    # Exactly one head (与户主关系 = 户主) per household.
    heads = members.group_by("household").agg((pl.col("relation") == "01").sum().alias("_heads"))
    h3 = hh.join(heads, left_on="number", right_on="household", how="left").with_columns(pl.col("_heads").fill_null(0))
    errs.add(h3, pl.col("number").is_not_null() & (pl.col("_heads") == 0), H, hcol("number").header,
             "该户在“家庭成员”表中没有户主（与户主关系=户主） / the household has no head (与户主关系 = 户主) in 家庭成员")
    m3 = members.join(heads, on="household", how="left")
    errs.add(m3, (pl.col("relation") == "01") & (pl.col("_heads") > 1), M, mcol("relation").header,
             pl.format("该户有 {} 名户主，应只有一名 / {} heads in the household, exactly one is needed",
                       pl.col("_heads"), pl.col("_heads")))

    # Incomes: of a household in the file, one row per year; size defaults to the members in the file.
    errs.add(incomes, pl.col("household").is_not_null() & ~pl.col("household").is_in(file_numbers.implode()), INC,
             icol("household").header,
             pl.format("户编号 {} 不在“户”表中 / household {} is not in the 户 sheet", pl.col("household"), pl.col("household")))
    errs.add(incomes, pl.struct("household", "year").is_duplicated() & pl.col("year").is_not_null(), INC,
             icol("year").header, pl.format("户 {} 的 {} 年收入重复 / the same household and year appears more than once",
                                            pl.col("household"), pl.col("year")))
    sizes = members.group_by("household").agg(pl.len().cast(pl.Int64).alias("_size"))
    incomes = incomes.join(sizes, on="household", how="left").with_columns(
        household_size=pl.coalesce("household_size", "_size")
    ).drop("_size")
    progress("校验 / validating", 0.5)
    error_frame = errs.frame()
    lap("validate.rules")
    if error_frame.height:
        return None, error_frame
    plan = _plan(hh, members, incomes, old_hh, old_members, old_incomes)
    lap("validate.diff")
    return plan, error_frame


def _plan(
    hh: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame,
    old_hh: pl.DataFrame, old_members: pl.DataFrame, old_incomes: pl.DataFrame,
) -> _Plan:
    """Which households are new, changed or unchanged (by comparing content keys), with ids."""
    hh = hh.join(old_hh.select(pl.col("number"), pl.col("id"), pl.col("cadre_id"), pl.col("source")), on="number", how="left")
    hh = hh.with_columns(is_new=pl.col("id").is_null())
    ids = hh.select("number", "id")
    members = members.join(ids.rename({"number": "household", "id": "household_id"}), on="household", how="left")
    incomes = incomes.join(ids.rename({"number": "household", "id": "household_id"}), on="household", how="left")
    existing = hh.filter(~pl.col("is_new"))
    if existing.height:
        same = unchanged_ids(existing, members.filter(pl.col("household_id").is_not_null()),
                             incomes.filter(pl.col("household_id").is_not_null()), old_hh, old_members, old_incomes)
        hh = hh.with_columns(changed=~pl.col("is_new") & ~pl.col("id").is_in(same.implode()))
    else:
        hh = hh.with_columns(changed=pl.lit(False))
    return _Plan(hh, members, incomes, old_hh, old_members, old_incomes)


# ---------------------------------------------------------------------------------------------------- writing


def _lock_and_reserve(table: str, n: int) -> int:
    """First id of a block of ``n`` new ids. Writers to the table wait for our commit (PostgreSQL lock;
    SQLite transactions are already exclusive), so explicit ids cannot collide."""
    with connection.cursor() as cur:
        if is_postgres():
            cur.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return int(cur.fetchone()[0]) + 1


def _reset_sequences(tables: Sequence[str]) -> None:
    if not is_postgres():
        return
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))", [table]
            )


def _json_list(col: str) -> pl.Expr:
    return pl.concat_str([
        pl.lit("["),
        pl.col(col).list.eval(pl.concat_str([pl.lit('"'), pl.element(), pl.lit('"')])).list.join(", "),
        pl.lit("]"),
    ])


def _ids_of(values: pl.Series) -> list[int]:
    return [int(v) for v in values.to_list()]


def _execute_ids(sql: str, ids: list[int]) -> None:
    """``sql`` with ``{in}`` for a list of ids (array on PostgreSQL, chunks on SQLite)."""
    if not ids:
        return
    with connection.cursor() as cur:
        if is_postgres():
            cur.execute(sql.replace("{in}", "= ANY(%s)"), [ids])
        else:
            for i in range(0, len(ids), IN_CHUNK):
                chunk = ids[i : i + IN_CHUNK]
                cur.execute(sql.replace("{in}", f"IN ({', '.join(['%s'] * len(chunk))})"), chunk)


LATEST_INCOME = ("latest_income_year", "latest_per_capita")


def latest_income(incomes: pl.DataFrame) -> pl.DataFrame:
    """Per household, the latest year's per-capita net income, computed in integer cents and rounded half away
    from zero — exactly what services.refresh_latest_income computes in SQL (a test checks they agree)."""
    def cents(col: str) -> pl.Expr:
        return pl.col(col).fill_null("0.00").str.replace(".", "", literal=True).cast(pl.Int64)

    net = pl.sum_horizontal([cents(f) for f in INCOME_FIELDS]) - cents("business_expense")
    size = pl.col("household_size").cast(pl.Int64)
    per_capita = net.sign() * ((2 * net.abs() + size) // (2 * size))
    text = pl.when(per_capita < 0).then(pl.lit("-") + cents_text(-per_capita)).otherwise(cents_text(per_capita))
    return (
        incomes.sort("year").group_by("household_id").last()
        .select("household_id", pl.col("year").alias("latest_income_year"), text.alias("latest_per_capita"))
    )


def write(plan: _Plan, *, actor: Any, progress: Progress, laps: Laps | None = None) -> tuple[int, int]:
    """Write new and changed households, their members and incomes, and their history.
    Runs inside the caller's transaction. Returns (members, incomes) written.

    New households and their members and incomes are appended with COPY (their ids are reserved under the
    table lock, so nothing can conflict); changed households are merged by id. The history of the import is
    kept once, as Parquet blocks (``HistoryChunk``): a block of registered households is their first version,
    and each updated household gets one small version row pointing to its block."""
    lap = laps or Laps({})
    now = dt.datetime.now(dt.UTC)
    today = dt.date.today()
    hh = plan.households.filter(pl.col("is_new") | pl.col("changed"))
    if hh.height == 0:
        return 0, 0
    first = _lock_and_reserve(Household._meta.db_table, 0)
    hh = hh.with_columns(
        id=pl.when(pl.col("is_new")).then(pl.lit(first) + pl.col("is_new").cast(pl.Int64).cum_sum() - 1).otherwise(pl.col("id")).cast(pl.Int64),
        source=pl.col("source").fill_null(Source.IMPORT),
    )
    ids = hh.select(pl.col("number").alias("household"), pl.col("id").alias("_hid"), pl.col("is_new").alias("_new"))
    members = plan.members.join(ids, on="household", how="inner").with_columns(household_id=pl.col("_hid")).drop("_hid")
    incomes = plan.incomes.join(ids, on="household", how="inner").with_columns(household_id=pl.col("_hid")).drop("_hid")
    # Members of changed households keep their row (matched by ID number); new people get new ids.
    old = plan.old_members.select(pl.col("household_id"), pl.col("id_number"), pl.col("id").alias("_old_id"))
    members = members.join(old, on=["household_id", "id_number"], how="left")
    first_member = _lock_and_reserve(Member._meta.db_table, 0)
    members = members.with_columns(
        id=pl.coalesce("_old_id", pl.lit(first_member) + pl.col("_old_id").is_null().cast(pl.Int64).cum_sum() - 1).cast(pl.Int64),
        is_active=pl.lit(True),
    ).drop("_old_id")
    changed_ids = _ids_of(hh.filter(~pl.col("is_new"))["id"])
    # Large appends on PostgreSQL: foreign keys checked set-based instead of per row, and when the file adds a
    # large share of the rows, secondary indexes built again after the load (fupin.core.bulkload).
    if is_postgres():
        with connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {Income._meta.db_table} IN EXCLUSIVE MODE")
    bulk = BulkAppend({
        Member._meta.db_table: int(members["_new"].sum()),
        Household._meta.db_table: int(hh["is_new"].sum()),
        Income._meta.db_table: incomes.height,
    })
    bulk.begin(locked=list(bulk.rows))
    lap("write.bulk_begin")
    gone = plan.old_members.filter(pl.col("household_id").is_in(changed_ids)).join(
        members.select("household_id", "id_number"), on=["household_id", "id_number"], how="anti"
    )
    # A worker thread prepares the households' rows, encodes the incomes and builds the history blocks (polars
    # releases the GIL) while the database loads the members; foreign keys are checked at commit, so the
    # members may be written before their households.
    pg = is_postgres()
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    username = getattr(actor, "username", "") or ""
    worker = ThreadPoolExecutor(max_workers=1)
    households = worker.submit(_household_rows, hh, incomes, now, pg)
    income_rows = worker.submit(_encoded, incomes.select("household_id", *INCOME_CONTENT), pg)
    blocks = worker.submit(_history_blocks, hh, members, incomes, valid_from=today, actor_id=actor_id,
                           username=username)
    worker.shutdown(wait=False)
    lap("write.prepare")

    # Members: those who left are kept, inactive; members of changed households merged by id (updated in
    # place, new people inserted); members of new households appended.
    t = Member._meta.db_table
    _execute_ids(f"UPDATE {t} SET is_active = {'FALSE' if pg else '0'} WHERE id {{in}}", _ids_of(gone["id"]))
    m_cols = ["id", "household_id", *MEMBER_CONTENT, "is_active"]
    upsert_frame(t, members.filter(~pl.col("_new")).select(m_cols), ["id"], [c for c in m_cols if c != "id"])
    with bulk.appending():
        _append(t, members.filter(pl.col("_new")).select(m_cols), None)  # encoded in parts while loading
    lap("write.members")
    progress("写入 / writing", 0.7)

    # Households: new ones appended, changed ones merged by id.
    new_rows, new_csv, changed_rows = households.result()
    with bulk.appending():
        _append(Household._meta.db_table, new_rows, new_csv)
    update_cols = [c for c in HOUSEHOLD_CONTENT if c != "number"] + ["updated_at", *LATEST_INCOME]
    upsert_frame(Household._meta.db_table, changed_rows, ["id"], update_cols)
    lap("write.households")
    progress("写入 / writing", 0.8)

    # Incomes of changed households are replaced; inserted for all written households.
    _execute_ids(f"DELETE FROM {Income._meta.db_table} WHERE household_id {{in}}", changed_ids)
    with bulk.appending():
        _append(Income._meta.db_table, *income_rows.result())
    lap("write.incomes")
    bulk.finish()
    lap("write.indexes_and_keys")
    progress("写入 / writing", 0.9)

    # History: the written dossiers once, in Parquet blocks (built meanwhile by the worker thread). A block of
    # registered households is their first version; each updated household gets a version row.
    chunks = blocks.result()
    lap("write.history_blocks")
    _write_chunks(chunks, now)
    updated = [c for c in chunks if c.first_household is None]
    if updated:
        chunk_of = pl.concat([
            pl.DataFrame({"id": c.household_ids, "chunk_id": pl.Series([c.pk] * len(c.household_ids), dtype=pl.Int64)})  # type: ignore[attr-defined]
            for c in updated
        ])
        changes = _changes(plan, hh, members, incomes, changed_ids)
        versions = chunk_of.select(
            pl.col("id").alias("household_id"),
            pl.lit(today).alias("valid_from"),
            pl.lit(now).alias("recorded_at"),
            pl.lit(HouseholdVersion.Kind.IMPORT.value).alias("kind"),
            pl.lit(actor_id, dtype=pl.Int64).alias("actor_id"),
            pl.lit(username).alias("username"),
            pl.lit(UPDATED_REASON).alias("reason"),
            pl.col("chunk_id"),
            pl.col("id").replace_strict(changes, default="[]", return_dtype=pl.Utf8).alias("changes"),
        )
        copy_frame(HouseholdVersion._meta.db_table, versions)
    lap("write.versions")
    _reset_sequences([Household._meta.db_table, Member._meta.db_table, Income._meta.db_table,
                      HouseholdVersion._meta.db_table])
    return members.height, incomes.height


def _encoded(frame: pl.DataFrame, pg: bool) -> tuple[pl.DataFrame, bytes | None]:
    """The frame, with its COPY data on PostgreSQL (encoded by polars, in whichever thread calls this)."""
    return frame, frame_csv(frame) if pg and frame.height else None


def _append(table: str, frame: pl.DataFrame, data: bytes | None) -> None:
    """Append rows: the data encoded beforehand when there is some (PostgreSQL), else the frame (encoded in
    parts by a worker thread while the earlier parts load)."""
    if data is not None:
        copy_csv(table, frame.columns, data)
    else:
        copy_frame(table, frame)


def _household_rows(
    hh: pl.DataFrame, incomes: pl.DataFrame, now: dt.datetime, pg: bool
) -> tuple[pl.DataFrame, bytes | None, pl.DataFrame]:
    """The table rows of the new households (with their COPY data) and of the changed ones."""
    h_cols = ["id", *HOUSEHOLD_CONTENT, "cadre_id", "source"]
    rows = hh.select(*h_cols, "is_new").with_columns(
        other_causes=_json_list("other_causes"), created_at=pl.lit(now), updated_at=pl.lit(now)
    ).join(latest_income(incomes), left_on="id", right_on="household_id", how="left")
    new, data = _encoded(rows.filter(pl.col("is_new")).drop("is_new"), pg)
    return new, data, rows.filter(~pl.col("is_new")).drop("is_new")


def _write_chunks(chunks: list[HistoryChunk], now: dt.datetime) -> None:
    """Append the blocks with COPY (ids reserved under the table lock, set on the objects)."""
    if not chunks:
        return
    table = HistoryChunk._meta.db_table
    first = _lock_and_reserve(table, len(chunks))
    columns = ["id", "recorded_at", "valid_from", "actor_id", "username", "reason", "first_household",
               "last_household", "households", "members", "incomes"]
    for n, chunk in enumerate(chunks):
        chunk.pk, chunk.recorded_at = first + n, now
    copy_rows(table, columns, ([getattr(c, name) for name in columns] for c in chunks), binary=True)
    _reset_sequences([table])


REGISTERED_REASON = "导入登记 / registered by import"
UPDATED_REASON = "导入更新 / updated by import"


def _history_blocks(
    hh: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame, **fields: Any
) -> list[HistoryChunk]:
    """History blocks of the registered households (contiguous new ids: each block records its id range) and,
    separately, of the updated ones (their versions point to them)."""
    registered = hh.filter(pl.col("is_new"))
    chunks = history.chunk_blocks(registered, members, incomes, reason=REGISTERED_REASON, **fields)
    for chunk in chunks:
        ids = chunk.household_ids  # type: ignore[attr-defined]
        chunk.first_household, chunk.last_household = int(ids.min()), int(ids.max())
        if chunk.last_household - chunk.first_household + 1 != len(ids):  # pragma: no cover - ids are reserved together
            raise ValueError("the ids of registered households are not contiguous")
    updated = hh.filter(~pl.col("is_new"))
    if updated.height:
        chunks += history.chunk_blocks(updated, members, incomes, reason=UPDATED_REASON, **fields)
    return chunks


def _changes(
    plan: _Plan, hh: pl.DataFrame, members: pl.DataFrame, incomes: pl.DataFrame, changed_ids: list[int]
) -> dict[int, str]:
    """The diff against the dossier before the import, for updated households (few, so per household)."""
    if not changed_ids:
        return {}
    old = plan.old_households.filter(pl.col("id").is_in(changed_ids))
    before = snapshots(
        old, plan.old_members.filter(pl.col("household_id").is_in(changed_ids)).with_columns(is_active=pl.lit(True)),
        plan.old_incomes.filter(pl.col("household_id").is_in(changed_ids)),
    )
    after = dict(snapshots(
        hh.filter(pl.col("id").is_in(changed_ids)), members.filter(pl.col("household_id").is_in(changed_ids)),
        incomes.filter(pl.col("household_id").is_in(changed_ids)),
    ).iter_rows())
    return {
        hid: json.dumps(history.diff(json.loads(doc), json.loads(after[hid])), ensure_ascii=False)
        for hid, doc in before.iter_rows()
    }


# ---------------------------------------------------------------------------------------------------- entry point


def check_can_import(actor: Any) -> None:
    if not (getattr(actor, "is_superuser", False) or (getattr(actor, "is_authenticated", False)
                                                       and actor.has_role(*REGISTRY_WRITE_ROLES))):
        raise PermissionDenied("您的角色不能导入档案 / your role cannot import dossiers")


def import_registry(
    files: Iterable[Any],
    *,
    actor: Any,
    dry_run: bool = False,
    progress: Progress | None = None,
    report_path: Path | None = None,
) -> ImportResult:
    """Validate the files completely, then (unless ``dry_run`` or an error) write all or nothing.
    ``files``: paths or uploaded file objects. On errors, an error report .xlsx is written to
    ``report_path`` (when given) and nothing is written to the database."""
    check_can_import(actor)
    say = progress or (lambda _s, _f: None)
    started = time.perf_counter()
    result = ImportResult(dry_run=dry_run)
    errors: list[RowError] = []
    say("读取 / reading", 0.0)
    tables = read_inputs(files, errors)
    result.timings["read"] = time.perf_counter() - started
    say("校验 / validating", 0.2)
    t0 = time.perf_counter()
    plan, error_frame = validate(tables, actor=actor, errors=errors, progress=say, laps=Laps(result.timings))
    result.timings["validate"] = time.perf_counter() - t0
    errors.extend(RowError(*r) for r in error_frame.sort("sheet", "row").iter_rows())
    result.errors = errors
    if errors or plan is None:
        result.rejected = _rejected(tables, errors)
        if report_path is not None:
            from fupin.registry.report import write_error_report

            write_error_report(tables, errors, report_path)
            result.error_report = report_path
        result.seconds = time.perf_counter() - started
        say("有错误，未写入 / rejected, nothing written", 1.0)
        return result
    hh = plan.households
    result.households = hh.height
    result.created = int(hh["is_new"].sum())
    result.updated = int(hh["changed"].sum())
    result.unchanged = hh.height - result.created - result.updated
    if dry_run:
        result.seconds = time.perf_counter() - started
        say("校验完成（仅校验） / validated (dry run)", 1.0)
        return result
    t0 = time.perf_counter()
    say("写入 / writing", 0.6)
    with transaction.atomic():
        laps = Laps(result.timings)
        result.members, result.incomes = write(plan, actor=actor, progress=say, laps=laps)
        scope = scope_of(actor)
        audit.record(
            actor=actor,
            action=AuditEvent.Action.BULK,
            object_type="registry.household",
            region_code=scope.prefix or "",
            summary=(f"import: created {result.created}, updated {result.updated}, "
                     f"unchanged {result.unchanged}, rejected {result.rejected}"),
            detail={**result.summary(), "files": sorted(t.source for t in tables.values())},
        )
        laps("write.audit")
    laps("write.commit")
    result.timings["write"] = time.perf_counter() - t0
    result.seconds = time.perf_counter() - started
    say("完成 / done", 1.0)
    return result


def _rejected(tables: dict[str, RawTable], errors: list[RowError]) -> int:
    """Households touched by an error: by number, across the three sheets (file-level errors reject all)."""
    if any(e.row == FILE_LEVEL for e in errors):
        hh = tables.get(HOUSEHOLDS.name)
        return hh.frame.height if hh is not None else 0
    bad: set[str] = set()
    for sheet in SHEETS:
        table = tables.get(sheet.name)
        if table is None:
            continue
        rows = {e.row for e in errors if e.sheet == sheet.name}
        key = sheet.columns[0].header  # 户编号 in all three sheets
        numbers = table.frame.filter(pl.col(ROW).is_in(list(rows)))[key].to_list()
        bad.update(n if n is not None else f"row{r}" for n, r in zip(numbers, sorted(rows), strict=False))
    return len(bad)
