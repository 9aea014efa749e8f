"""Export of the registry of a subtree in the collection-form template (R2.4): .xlsx (``core.xlsxout``, streamed)
for ordinary sizes, a directory of three CSV files (UTF-8 with BOM, written by polars) for large ones.

Scoped to the actor's region, audited (``export``). Names, ID numbers, birth dates, phones and bank
accounts are in clear only for roles that need personal data (``Masker``); other users get them masked,
and such an export cannot be imported again (the masked ID numbers are not valid)."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied

from fupin.core import codes, xlsxout
from fupin.core.exports import record_export, safe_frame
from fupin.core.masking import Masker, mask_id_number, mask_name, mask_phone
from fupin.core.scoping import scope_of
from fupin.core.tree import is_code, subtree_bounds
from fupin.registry.template import (
    CADRE_FIELD,
    FALSE_TEXT,
    HOUSEHOLDS,
    INCOMES,
    MEMBERS,
    SHEETS,
    TRUE_TEXT,
    Column,
    cents_text,
    db_dtype,
    db_expr,
    typed_from_db,
)

XLSX_MAX_ROWS = 1_000_000  # Excel's limit is 1,048,576 rows per sheet


@dataclass
class ExportResult:
    region: str
    households: int = 0
    members: int = 0
    incomes: int = 0
    clear: bool = False
    paths: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def _query(sql: str, params: list[Any], dtypes: dict[str, Any]) -> pl.DataFrame:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    return pl.DataFrame(rows, schema=dtypes, orient="row", strict=False)


def _select_list(columns: list[Column], alias: str) -> str:
    return ", ".join(f"{db_expr(c, alias + c.field)} AS {c.field}" for c in columns)


def read_subtree(region: str) -> dict[str, pl.DataFrame]:
    """The registry below ``region`` in the typed form of the template (codes, not names)."""
    lo, hi = subtree_bounds(region)
    hcols = HOUSEHOLDS.columns
    hh = _query(
        f"SELECT id, {', '.join(f'{db_expr(c)} AS {c.field}' for c in hcols)} FROM registry_household "
        "WHERE village_id BETWEEN %s AND %s ORDER BY number",
        [lo, hi], {"id": pl.Int64, **{c.field: db_dtype(c) for c in hcols}},
    )
    hh = typed_from_db(hh, HOUSEHOLDS)
    where = "h.village_id BETWEEN %s AND %s"
    mcols = [c for c in MEMBERS.columns if c.field != "household"]
    members = _query(
        f"SELECT h.number AS household, {_select_list(mcols, 'm.')} "
        f"FROM registry_member m JOIN registry_household h ON h.id = m.household_id WHERE {where} AND m.is_active "
        "ORDER BY h.number, m.id",
        [lo, hi], {"household": pl.Utf8, **{c.field: db_dtype(c) for c in mcols}},
    )
    members = typed_from_db(members, MEMBERS)
    icols = [c for c in INCOMES.columns if c.field != "household"]
    incomes = _query(
        f"SELECT h.number AS household, {_select_list(icols, 'i.')} "
        f"FROM registry_income i JOIN registry_household h ON h.id = i.household_id WHERE {where} "
        "ORDER BY h.number, i.year",
        [lo, hi], {"household": pl.Utf8, **{c.field: db_dtype(c) for c in icols}},
    )
    incomes = typed_from_db(incomes, INCOMES)
    return {HOUSEHOLDS.name: hh, MEMBERS.name: members, INCOMES.name: incomes}


def _cell_expr(c: Column, masked: bool) -> pl.Expr:
    col = pl.col(c.field)
    if c.kind == "code":
        names = {code: zh for code, zh, _en in codes.items(c.codelist)}
        expr = col.replace_strict(names, default=col, return_dtype=pl.Utf8)
    elif c.kind == "codes":
        names = {code: zh for code, zh, _en in codes.items(c.codelist)}
        expr = col.list.eval(pl.element().replace_strict(names, default=pl.element(), return_dtype=pl.Utf8)).list.join("、")
    elif c.kind == "bool":
        expr = (pl.when(col.is_null()).then(pl.lit("未采集")).when(col).then(pl.lit(TRUE_TEXT))
                .otherwise(pl.lit(FALSE_TEXT)))  # NULL: not collected (issue 14 item 6), read back as NULL
    elif c.kind in ("int", "year"):
        # numbers stay numbers, so that Excel sums and sorts them (an empty cell for none)
        return col.cast(pl.Int64).alias(c.header)
    else:
        expr = col
    if masked and c.personal:
        if c.field == "name":
            expr = expr.map_elements(mask_name, return_dtype=pl.Utf8)
        elif c.field in ("id_number", CADRE_FIELD):
            expr = expr.map_elements(mask_id_number, return_dtype=pl.Utf8)
        elif c.field == "birth_date":
            expr = pl.lit("")
        else:
            expr = expr.map_elements(mask_phone, return_dtype=pl.Utf8)
    return expr.fill_null("").alias(c.header)


def to_template(frames: dict[str, pl.DataFrame], *, masked: bool) -> dict[str, pl.DataFrame]:
    """Typed frames → text frames with the template's Chinese headers and code names."""
    return {s.name: safe_frame(frames[s.name].select([_cell_expr(c, masked) for c in s.columns])) for s in SHEETS}


def _xlsx(frames: dict[str, pl.DataFrame], target: Path | io.BytesIO,
          progress: Callable[[int], None] | None = None) -> int:
    """The three sheets, streamed (``core.xlsxout``); amounts and areas as numbers in Excel (the frames carry them
    as exact text for CSV), an empty cell for none."""
    sheets = []
    for sheet in SHEETS:
        frame = frames[sheet.name].with_columns(
            [pl.col(c.header).cast(pl.Float64, strict=False) for c in sheet.columns if c.kind == "decimal"])
        sheets.append((sheet.name, sheet.headers, frame.iter_rows()))
    return xlsxout.write_sheets(target, sheets, progress)


def export_registry(
    *, actor: Any, region: str, output: Path | None = None, fmt: str = "xlsx", console: bool = False,
    audit: bool = True, progress: Callable[[int], None] | None = None,
) -> tuple[ExportResult, bytes | None]:
    """Export the subtree ``region`` (within the actor's scope). ``fmt`` "xlsx" (one workbook; returned as
    bytes when ``output`` is None) or "csv" (three files in the directory ``output``). ``console``: run by
    the operator of a management command without a named user, who gets personal data in clear (audited).
    ``audit`` False: a background export, audited when its file is downloaded (``core.exports.download``)."""
    started = time.perf_counter()
    scope = scope_of(actor)
    if region and not is_code(region):
        raise ValueError(f"not a division code: {region!r}")
    narrowed = scope.narrow(region) if region else scope
    if narrowed.prefix is None:
        raise PermissionDenied("该地区不在您的管辖范围内 / this region is outside your region")
    masker = Masker(actor)
    if console:
        masker.clear = True
    typed = read_subtree(narrowed.prefix)
    frames = to_template(typed, masked=not masker.clear)
    result = ExportResult(
        region=narrowed.prefix, households=frames[HOUSEHOLDS.name].height, members=frames[MEMBERS.name].height,
        incomes=frames[INCOMES.name].height, clear=masker.clear,
    )
    if audit:
        record_export(actor=actor, what="registry.household", fmt=fmt, region_code=narrowed.prefix,
                      summary=export_summary(fmt, result), detail=export_detail(result))
    data: bytes | None = None
    if fmt == "csv":
        if output is None:
            raise ValueError("a directory is needed for a CSV export")
        output.mkdir(parents=True, exist_ok=True)
        for sheet in SHEETS:
            path = output / f"{sheet.name}.csv"
            frames[sheet.name].write_csv(path, include_bom=True)
            result.paths.append(path)
        if progress is not None:
            progress(result.households + result.members + result.incomes)
    else:
        if result.members > XLSX_MAX_ROWS:
            raise ValueError("too many rows for one workbook; export as CSV / 行数超出 Excel 上限，请导出 CSV")
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            _xlsx(frames, output, progress)
            result.paths.append(output)
        else:
            buf = io.BytesIO()
            _xlsx(frames, buf, progress)
            data = buf.getvalue()
    result.seconds = time.perf_counter() - started
    return result, data


def export_summary(fmt: str, result: ExportResult) -> str:
    return f"registry export {fmt} ({'clear' if result.clear else 'masked'}): {result.households} households"


def export_detail(result: ExportResult) -> dict[str, Any]:
    return {"households": result.households, "members": result.members, "clear": result.clear}


__all__ = ["ExportResult", "cents_text", "export_registry", "read_subtree", "to_template"]
