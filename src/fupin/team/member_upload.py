"""The team members list (队伍花名册) as an .xlsx or CSV sheet, read with the shared upload kit and checked as a whole
before anything is written: names and sending units given, ID numbers well formed (check digit, birth date) and
not twice in the list, the type one of the team member types, the region (任职区划) a division code of any of the
five levels inside the uploader's region, the dates in order, the phone digits. A row whose ID number is already
a team member's updates that person record (when it lies in the uploader's region); the others are new. One bad
row: nothing is written, the marked workbook comes back.

``template_workbook`` is the blank list with Excel dropdowns: the types, and the division codes of the uploader's
region written as "code name" (the upload reads the code before the name)."""

from __future__ import annotations

import io
import re

import polars as pl

from fupin.core.bulk import copy_frame, upsert_frame
from fupin.core.scoping import Scope
from fupin.core.tree import subtree_bounds
from fupin.core.uploads import ROW, Checked, Column, Conflict, Kind, read_upload
from fupin.regions.models import Region
from fupin.registry import idnumber
from fupin.registry.importing.existing import select_in
from fupin.registry.models import Cadre, CadreKind, Source

COLUMNS = (
    Column("name", "姓名", Kind.TEXT, aliases=("name",), required=True),
    Column("id_number", "身份证号", Kind.IDENTIFIER, aliases=("公民身份号码", "身份证号码", "ID number"), required=True),
    Column("kind", "类型", Kind.CODE, aliases=("队员类型", "人员类型", "type"), required=True),
    Column("unit", "派出单位", Kind.TEXT, aliases=("工作单位", "sending unit"), required=True),
    Column("region", "任职区划", Kind.IDENTIFIER, aliases=("任职区划代码", "区划代码", "region"), required=True),
    Column("start_date", "开始日期", Kind.DATE, aliases=("任职日期", "start date")),
    Column("end_date", "结束日期", Kind.DATE, aliases=("离任日期", "end date")),
    Column("phone", "电话", Kind.IDENTIFIER, aliases=("联系电话", "手机", "phone")),
)
HEADER = {c.name: c.header for c in COLUMNS}


def _short(label: str) -> str:
    """第一书记 from "First secretary (第一书记)": the Chinese name a clerk writes."""
    found = re.search(r"\(([^()]+)\)\s*$", label)
    return found.group(1) if found else label


# The type column takes the Chinese name (the dropdown's), a few older names, or the code.
KIND_NAMES: dict[str, str] = {_short(str(label)): value for value, label in CadreKind.choices}
KINDS: dict[str, str] = {**KIND_NAMES, "驻村工作队": CadreKind.WORK_TEAM, "工作队员": CadreKind.WORK_TEAM,
                         "村两委成员": CadreKind.VILLAGE_COMMITTEE, "村两委干部": CadreKind.VILLAGE_COMMITTEE,
                         "其他": CadreKind.OTHER, **{v: v for v in CadreKind.values}}
CODES_SHEET = "代码表"
MAX_REGION_LIST = 20_000  # above this many nodes in the uploader's region, no dropdown (the code is typed)


# Checked.rows: the file's rows with _id (normalised), _kind, _region, _cadre (existing id) and _source


def check(content: bytes, filename: str, *, scope: Scope) -> Checked:
    table = read_upload(content, filename, COLUMNS)
    conflicts = list(table.conflicts)
    sheet = table.sheet
    f = table.frame

    def flag(frame: pl.DataFrame, mask: pl.Expr, column: str, message: str | pl.Expr) -> None:
        bad = frame.filter(mask.fill_null(False))
        if not bad.height:
            return
        texts = bad.select(message).to_series().to_list() if isinstance(message, pl.Expr) else [message] * bad.height
        conflicts.extend(Conflict(sheet, r, HEADER[column], "" if v is None else str(v), text)
                         for (r, v), text in zip(bad.select(ROW, column).iter_rows(), texts, strict=True))

    if f.height == 0:
        conflicts.append(Conflict(sheet, 0, "", "", "名单中没有队员 / the list has no team members"))
        return Checked(table, conflicts, f)
    for c in COLUMNS:
        if c.required:
            flag(f, pl.col(c.name).is_null(), c.name, "请填写 / this is required")
    flag(f, pl.col("name").str.len_chars() > 50, "name", "至多50字 / at most 50 characters")
    flag(f, pl.col("unit").str.len_chars() > 100, "unit", "至多100字 / at most 100 characters")
    flag(f, pl.col("phone").str.len_chars() > 20, "phone", "至多20位 / at most 20 characters")
    flag(f, pl.col("phone").is_not_null() & ~pl.col("phone").str.contains(r"^[0-9][0-9-]*$"), "phone",
         "电话只能包含数字 / a phone number has digits only")
    f = f.with_columns(pl.col("kind").replace_strict(KINDS, default=None).alias("_kind"))
    flag(f, pl.col("kind").is_not_null() & pl.col("_kind").is_null(), "kind",
         "类型应为 " + "、".join(KIND_NAMES) + " 之一 / not a team member type")
    flag(f, pl.col("end_date").is_not_null() & pl.col("start_date").is_not_null()
         & (pl.col("end_date") <= pl.col("start_date")), "end_date",
         "结束日期应晚于开始日期 / the end must come after the start")

    # The region: a division code (of any level), alone or followed by the name as the template's dropdown writes it.
    f = f.with_columns(pl.col("region").str.extract(r"^([0-9]{2,12})(?:\s.*)?$", 1).alias("_region"))
    flag(f, pl.col("region").is_not_null() & pl.col("_region").is_null(), "region",
         "不是区划代码 / not a division code")
    known = select_in(f"SELECT code FROM {Region._meta.db_table} WHERE code {{in}}",
                      f["_region"].drop_nulls().unique(), {"code": pl.Utf8})["code"]
    is_known = pl.col("_region").is_in(known.implode())
    flag(f, pl.col("_region").is_not_null() & ~is_known, "region", "未知区划代码 / unknown division code")
    if scope.prefix is None:
        flag(f, is_known, "region", "该区划不在您的管辖范围 / this region is outside your scope")
    elif scope.prefix:
        flag(f, is_known & ~pl.col("_region").str.starts_with(scope.prefix), "region",
             "该区划不在您的管辖范围 / this region is outside your scope")

    # ID numbers: the vectorized check, then the precise reason of each bad one (few rows).
    ids = idnumber.normalize_many(f["id_number"].fill_null(""))
    f = f.with_columns(ids.alias("_id"), idnumber.check_many(ids)["valid"].alias("_valid"))
    given = pl.col("id_number").is_not_null()
    bad_ids = f.filter(given & ~pl.col("_valid"))
    for row, value, number in bad_ids.select(ROW, "id_number", "_id").iter_rows():
        try:
            idnumber.check_one(number)
            message = "身份证号无效 / not a valid ID number"
        except idnumber.IdNumberError as exc:
            message = str(exc)
        conflicts.append(Conflict(sheet, row, HEADER["id_number"], value or "", message))
    flag(f, given & pl.col("_valid") & pl.col("_id").is_duplicated(), "id_number", "名单中重复 / twice in the list")

    # Existing team members by ID number (the first record of a number): updated when inside the uploader's region.
    wanted = f.filter(given & pl.col("_valid"))["_id"].unique()
    existing = select_in(f"SELECT id_number AS _id, id AS _cadre, region_id AS _old_region, source AS _source "
                         f"FROM {Cadre._meta.db_table} WHERE id_number {{in}}", wanted,
                         {"_id": pl.Utf8, "_cadre": pl.Int64, "_old_region": pl.Utf8, "_source": pl.Utf8})
    existing = existing.sort("_cadre").unique("_id", keep="first")
    f = f.join(existing, on="_id", how="left")
    if scope.prefix:
        flag(f, pl.col("_cadre").is_not_null() & ~pl.col("_old_region").str.starts_with(scope.prefix), "id_number",
             "该身份证号是其他地区的队员 / this ID number is a team member of another region")
    f = f.sort(ROW)
    if any(c.is_error for c in conflicts):
        return Checked(table, conflicts, f.clear())
    return Checked(table, conflicts, f)


FIELDS = ("name", "unit", "phone", "region_id", "source", "id_number", "kind", "start_date", "end_date")


def write(checked: Checked) -> tuple[int, int, int]:
    """Create the new team members and update the others (caller's transaction): (created, updated, unchanged)."""
    f = checked.rows
    frame = f.select(
        pl.col("_cadre").alias("id"), pl.col("name"), pl.col("unit"), pl.col("phone").fill_null(""),
        pl.col("_region").alias("region_id"), pl.col("_source").fill_null(Source.IMPORT).alias("source"),
        pl.col("_id").alias("id_number"), pl.col("_kind").alias("kind"),
        pl.col("start_date").str.to_date("%Y-%m-%d", strict=False).alias("start_date"),
        pl.col("end_date").str.to_date("%Y-%m-%d", strict=False).alias("end_date"))
    new = frame.filter(pl.col("id").is_null()).drop("id")
    old = frame.filter(pl.col("id").is_not_null())
    unchanged = 0
    if old.height:
        # Dates read as ISO text on both databases (the CSV of PostgreSQL's COPY, SQLite's own text).
        columns = ", ".join(f"CAST({c} AS TEXT) AS {c}" if c.endswith("_date") else c for c in FIELDS)
        current = select_in(f"SELECT id, {columns} FROM {Cadre._meta.db_table} WHERE id {{in}}", old["id"],
                            {"id": pl.Int64, **{k: pl.Utf8 for k in FIELDS}})
        current = current.with_columns(pl.col("start_date", "end_date").str.to_date("%Y-%m-%d")).select(old.columns)
        same = old.join(current, on=old.columns, how="semi", nulls_equal=True)
        unchanged = same.height
        old = old.join(same.select("id"), on="id", how="anti")
        upsert_frame(Cadre._meta.db_table, old, ["id"], [c for c in FIELDS if c != "source"])
    copy_frame(Cadre._meta.db_table, new)
    return new.height, old.height, unchanged


def template_workbook(scope: Scope) -> bytes:
    """The blank list: the headers (required ones shaded), a dropdown of the types and one of the division codes of
    the uploader's region ("code name", from a hidden 代码表 sheet) when it has at most ``MAX_REGION_LIST`` nodes,
    and 说明 documenting every column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "队员名单"
    lists = wb.create_sheet(CODES_SHEET)
    for i, c in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i, value=c.header)
        cell.font = Font(bold=True)
        if c.required:
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
    letters = {c.name: chr(ord("A") + i) for i, c in enumerate(COLUMNS)}
    lists["A1"] = "类型"
    for i, name in enumerate(KIND_NAMES, start=2):
        lists[f"A{i}"] = name
    kinds = DataValidation(type="list", formula1=f"'{CODES_SHEET}'!$A$2:$A${len(KIND_NAMES) + 1}", allow_blank=False,
                           showErrorMessage=True, errorTitle="类型", error="请从下拉列表中选择 / choose from the list")
    kinds.add(f"{letters['kind']}2:{letters['kind']}5000")
    ws.add_data_validation(kinds)
    regions: list[tuple[str, str]] = []
    if scope.prefix is not None:
        qs = Region.objects.filter(code__range=subtree_bounds(scope.prefix)) if scope.prefix else Region.objects.none()
        if qs.count() <= MAX_REGION_LIST:
            regions = list(qs.order_by("code").values_list("code", "name"))
    if regions:
        lists["B1"] = "任职区划"
        for i, (code, name) in enumerate(regions, start=2):
            lists[f"B{i}"] = f"{code} {name}"
        # A typed code is allowed too: the dropdown offers, the upload checks.
        places = DataValidation(type="list", formula1=f"'{CODES_SHEET}'!$B$2:$B${len(regions) + 1}", allow_blank=False,
                                showErrorMessage=False)
        places.add(f"{letters['region']}2:{letters['region']}5000")
        ws.add_data_validation(places)
    for name in ("id_number", "region", "phone"):  # text columns: Excel keeps every digit of what is typed
        ws.column_dimensions[letters[name]].number_format = "@"
        ws.column_dimensions[letters[name]].width = 24 if name != "phone" else 16
    lists.sheet_state = "hidden"
    notes = wb.create_sheet("说明")
    notes.append(["列 / column", "必填 / required", "说明 / note"])
    notes.append(["姓名", "是", "至多50字"])
    notes.append(["身份证号", "是", "18位居民身份证号；已有队员的身份证号：更新该队员"])
    notes.append(["类型", "是", "、".join(KIND_NAMES)])
    notes.append(["派出单位", "是", "至多100字"])
    notes.append(["任职区划", "是", "本辖区内省、市、县、乡、村任一级的区划代码（可从下拉列表选择，代码后可带名称）"])
    notes.append(["开始日期", "", "YYYY-MM-DD"])
    notes.append(["结束日期", "", "YYYY-MM-DD，晚于开始日期"])
    notes.append(["电话", "", "数字，至多20位"])
    notes.append([])
    notes.append(["", "", "任何一行有错时不导入任何数据，并返回标出错误的文件 / one bad row and nothing is imported"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
