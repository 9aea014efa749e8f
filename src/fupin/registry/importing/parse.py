"""Stage 2, parsing: the typed value of every cell (named by model field), with a conflict for every bad cell.
The upload kit has already normalised the text and checked the form of numbers and dates; here each column is
read by its kind (code lists, 是/否, ranges, decimals in exact cents)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import polars as pl

from fupin.core import codes
from fupin.core.uploads import ROW, Conflict, Table
from fupin.registry.template import Sheet, cents_text

ERROR_SCHEMA: dict[str, Any] = {"sheet": pl.Utf8, "row": pl.Int64, "column": pl.Utf8, "value": pl.Utf8, "message": pl.Utf8}
NOT_COLLECTED_TEXT = ("未采集", "not collected")  # an explicit blank: NULL, as an empty cell
BOOL_TEXT = {
    "是": True, "否": False, "Y": True, "N": False, "y": True, "n": False, "TRUE": True, "FALSE": False,
    "True": True, "False": False, "true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
}


class Errors:
    """Bad cells collected as frames (sheet, row, column, value, message) and turned into conflicts once."""

    def __init__(self) -> None:
        self.frames: list[pl.DataFrame] = []

    def add(self, df: pl.DataFrame, condition: pl.Expr, sheet: str, column: str, message: pl.Expr | str,
            value: pl.Expr | None = None) -> None:
        msg = pl.lit(message) if isinstance(message, str) else message
        bad = df.filter(condition.fill_null(False))
        if bad.height:
            if value is None:
                value = pl.col(column) if column in bad.columns else pl.lit("")
            self.frames.append(bad.select(
                pl.lit(sheet).alias("sheet"), pl.col(ROW).alias("row"), pl.lit(column).alias("column"),
                value.cast(pl.Utf8).fill_null("").alias("value"), msg.cast(pl.Utf8).alias("message"),
            ))

    def frame(self) -> pl.DataFrame:
        if not self.frames:
            return pl.DataFrame(schema=ERROR_SCHEMA)
        return pl.concat(self.frames, how="vertical_relaxed").unique(maintain_order=True)

    def conflicts(self) -> list[Conflict]:
        return [Conflict(*r) for r in self.frame().sort("sheet", "row").iter_rows()]


def _code_map(list_code: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for c, zh, en in codes.items(list_code):
        for variant in (en, zh, c):
            mapping[variant] = c
            mapping.setdefault(unicodedata.normalize("NFKC", variant), c)  # as the upload kit normalises cells
        if c.isdigit() and c.lstrip("0") and c.lstrip("0") not in mapping:
            mapping[c.lstrip("0")] = c  # "1" for "01": Excel drops leading zeros of numbers
    return mapping


def parse_sheet(table: Table, sheet_spec: Sheet, errs: Errors) -> pl.DataFrame:
    """Typed values (named by model field) for every column, with an error row for every bad cell.

    Each column is parsed once (into a working column); all checks are then evaluated in a single pass over
    the sheet, and only the checks that fail somewhere are turned into error rows."""
    df = table.frame
    sheet = sheet_spec.name
    this_year = dt.date.today().year
    parsed: list[pl.Expr] = []  # working columns, computed once
    checks: list[tuple[pl.Expr, str, pl.Expr | str]] = []  # (condition of a bad cell, column header, message)
    out: list[pl.Expr] = [pl.col(ROW)]
    for c in sheet_spec.columns:
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
            checks.append((raw.is_not_null() & value.is_null() & ~raw.is_in(NOT_COLLECTED_TEXT), c.header,
                           pl.format("“{}”应为 是、否 或 未采集 / must be 是 (yes), 否 (no) or 未采集 (not collected)",
                                     raw)))
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

