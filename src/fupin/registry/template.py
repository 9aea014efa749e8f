"""The collection-form template of the registry (R2.4): one declarative column spec, read by the importer,
the exporter and the downloadable blank template alike, so that an export can always be imported again.

Three sheets (or three CSV files): 户 (households), 家庭成员 (members, keyed by 户编号) and 收入 (income per
household and year). Coded cells hold the Chinese name of the code (因病); the importer also accepts the
code itself or the English name. Booleans are 是/否. Headers are the Chinese labels of DATA.md.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from fupin.core import codes, uploads

# Extra column of the error report; the importer ignores it so that a fixed report imports as is.
ERROR_COLUMN = uploads.MESSAGE_COLUMN
# Sheets other than the three data sheets that a workbook may carry (the template's notes, the report's list).
CODES_SHEET = "代码表"  # the template's hidden lists behind its dropdowns
IGNORED_SHEETS = ("说明", uploads.SUMMARY_SHEET, CODES_SHEET)
MULTI_SEPARATOR = "、"
TRUE_TEXT, FALSE_TEXT = "是", "否"


# The household's responsible cadre (帮扶责任人, issue 16), read and written as the team member's ID number: the
# importer resolves it to ``cadre_id`` (a blank cell keeps the current cadre); the exporter writes it back.
CADRE_FIELD = "cadre_id_number"
CADRE_HEADER = "帮扶责任人身份证号"
CADRE_SQL = "(SELECT NULLIF(rc.id_number, '') FROM registry_cadre rc WHERE rc.id = cadre_id)"


@dataclass(frozen=True)
class Column:
    """One column: its Chinese header, the model field, and how a cell is read.

    kinds: ``text``, ``code`` (one code of ``codelist``), ``codes`` (several, "、"-separated), ``bool`` (是/否),
    ``int``, ``year`` (2013 to this year), ``decimal`` (``places`` decimals, at most ``digits`` digits), ``date`` (YYYY-MM-DD).
    """

    header: str
    field: str
    kind: str = "text"
    codelist: str = ""
    required: bool = False
    default: Any = None
    max_length: int = 0
    places: int = 2
    digits: int = 12
    low: int | None = None
    high: int | None = None
    personal: bool = False  # masked in exports for roles that may not see personal data
    note: str = ""
    identifier: bool = False  # digits that must survive exactly: a numeric cell Excel may have rounded is refused

    @property
    def upload_column(self) -> uploads.Column:
        """How the upload kit reads this column (named by its header, as the importer's frames are)."""
        kind = uploads.Kind.IDENTIFIER if self.identifier else UPLOAD_KIND[self.kind]
        return uploads.Column(self.header, self.header, kind, required=self.required)


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # fields identifying a row
    note: str = ""
    by_field: dict[str, Column] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        self.by_field.update({c.field: c for c in self.columns})

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, field_name: str) -> Column:
        return self.by_field[field_name]

    @property
    def upload_columns(self) -> tuple[uploads.Column, ...]:
        return tuple(c.upload_column for c in self.columns)


UPLOAD_KIND = {
    "text": uploads.Kind.TEXT, "code": uploads.Kind.CODE, "codes": uploads.Kind.CODE, "bool": uploads.Kind.CODE,
    "int": uploads.Kind.INTEGER, "year": uploads.Kind.INTEGER, "decimal": uploads.Kind.DECIMAL,
    "date": uploads.Kind.DATE,
}


NOT_COLLECTED = "空白为未采集，不视为“是” / empty means not collected, never “yes”"


def _money(header: str, field_name: str, **kw: Any) -> Column:
    return Column(header, field_name, "decimal", default="0", places=2, digits=12, **kw)


HOUSEHOLDS = Sheet(
    "户",
    key=("number",),
    note="每户一行 / one row per household",
    columns=(
        Column("户编号", "number", required=True, max_length=20, identifier=True, note="唯一；已有户编号则更新该户 / unique; an existing number updates that household"),
        Column("行政村代码", "village_id", required=True, max_length=12, identifier=True, note="12 位统计用区划代码 / 12-digit village code"),
        Column("户状态", "status", "code", "household_status", required=True),
        Column("识别标准", "standard", "code", "identification_standard", required=True),
        Column("贫困户属性", "attribute", "code", "household_attribute", required=True),
        Column("主要致贫原因", "main_cause", "code", "poverty_cause", required=True),
        Column("其他致贫原因", "other_causes", "codes", "poverty_cause", default=(), note="多个用“、”分隔 / several, separated by 、"),
        Column("识别年度", "identified_year", "year", required=True),
        Column("脱贫年度", "exit_year", "year"),
        Column("联系电话", "phone", max_length=20, default="", personal=True, identifier=True),
        Column("开户银行", "bank_name", max_length=60, default=""),
        Column("银行账号", "bank_account", max_length=30, default="", personal=True, identifier=True),
        Column("是否军烈属", "is_military_family", "bool", default=False),
        Column("是否独生子女户", "is_only_child", "bool", default=False),
        Column("是否双女户", "is_two_daughters", "bool", default=False),
        Column("耕地面积（亩）", "cultivated_land", "decimal", default="0", places=2, digits=8),
        Column("有效灌溉面积（亩）", "irrigated_land", "decimal", default="0", places=2, digits=8),
        Column("林地面积（亩）", "forest_land", "decimal", default="0", places=2, digits=8),
        Column("是否通生产用电", "has_production_power", "bool", note=NOT_COLLECTED),
        Column("是否通生活用电", "has_living_power", "bool", note=NOT_COLLECTED),
        Column("是否通广播电视", "has_radio_tv", "bool", note=NOT_COLLECTED),
        Column("是否通宽带", "has_broadband", "bool", default=False),
        Column("与村主干路距离（公里）", "road_distance_km", "decimal", default="0", places=1, digits=6),
        Column("入户路类型", "road_type", "code", "road_type", default=""),
        Column("住房面积（平方米）", "housing_area", "decimal", default="0", places=1, digits=7),
        Column("住房安全等级", "housing_safety", "code", "housing_safety", default=""),
        Column("饮水是否困难", "water_difficult", "bool", note=NOT_COLLECTED),
        Column("饮水是否安全", "water_safe", "bool", note=NOT_COLLECTED),
        Column("主要燃料类型", "fuel_type", "code", "fuel_type", default=""),
        Column("是否有卫生厕所", "has_sanitary_toilet", "bool", default=False),
        Column("是否加入农民专业合作社", "in_cooperative", "bool", default=False),
        Column(CADRE_HEADER, CADRE_FIELD, max_length=18, personal=True, identifier=True,
               note="帮扶责任人（队员）的身份证号；留空则不变 / the responsible cadre's ID number; blank keeps the cadre"),
    ),
)

MEMBERS = Sheet(
    "家庭成员",
    key=("household", "id_number"),
    note="每人一行，按户编号归户；每户应有且只有一名户主 / one row per person; exactly one head per household",
    columns=(
        Column("户编号", "household", required=True, max_length=20, identifier=True),
        Column("姓名", "name", required=True, max_length=50, personal=True),
        Column("证件类型", "id_type", "code", "id_type", default="1", note="空白为居民身份证 / blank: resident ID card"),
        Column("证件号码", "id_number", required=True, max_length=18, personal=True, identifier=True,
               note="18 位居民身份证号码，校验位须正确 / 18-character resident ID with a valid check digit"),
        Column("性别", "sex", "code", "sex", note="可空，空白时取自证件号码；须与证件号码一致 / may be blank; must agree with the ID"),
        Column("出生日期", "birth_date", "date", personal=True,
               note="YYYY-MM-DD；可空，空白时取自证件号码；须与证件号码一致 / may be blank; must agree with the ID"),
        Column("与户主关系", "relation", "code", "relation", required=True),
        Column("民族", "ethnicity", "code", "ethnicity", required=True),
        Column("政治面貌", "political", "code", "political", default=""),
        Column("文化程度", "education", "code", "education", default=""),
        Column("在校生状况", "schooling", "code", "schooling", default=""),
        Column("健康状况", "health", "code", "health", required=True),
        Column("残疾类别", "disability_category", "code", "disability_category", default=""),
        Column("残疾等级", "disability_grade", "code", "disability_grade", default=""),
        Column("劳动技能", "labour_skill", "code", "labour_skill", default=""),
        Column("务工所在地", "work_location", "code", "work_location", default=""),
        Column("务工时间（月）", "work_months", "int", default=0, low=0, high=12),
        Column("公益性岗位（月）", "welfare_job_months", "int", default=0, low=0, high=12),
        Column("是否会讲普通话", "speaks_mandarin", "bool", default=True),
        Column("是否参加基本医疗保险", "has_medical_insurance", "bool", note=NOT_COLLECTED),
        Column("是否参加大病保险", "has_serious_illness_insurance", "bool", default=False),
        Column("是否参加基本养老保险", "has_pension_insurance", "bool", default=False),
        Column("是否享受低保", "receives_dibao", "bool", default=False),
        Column("是否特困供养", "receives_tekun", "bool", default=False),
    ),
)

INCOMES = Sheet(
    "收入",
    key=("household", "year"),
    note="每户每年一行，单位元；人均纯收入由系统计算 / one row per household and year, in yuan; per-capita income is computed",
    columns=(
        Column("户编号", "household", required=True, max_length=20, identifier=True),
        Column("年度", "year", "year", required=True),
        Column("年度家庭人口数", "household_size", "int", low=1, high=99,
               note="可空，空白时取该户成员数 / may be blank: the number of members in the file"),
        _money("公益性岗位收入", "wage_welfare_job"),
        _money("其他工资性收入", "wage_other"),
        _money("生产经营性收入", "business"),
        _money("资产收益扶贫分红收入", "property_dividend"),
        _money("其他财产性收入", "property_other"),
        _money("计划生育金", "transfer_family_planning"),
        _money("低保金", "transfer_dibao"),
        _money("特困供养金", "transfer_tekun"),
        _money("养老金或离退休金", "transfer_pension"),
        _money("生态补偿金", "transfer_ecological"),
        _money("其他转移性收入", "transfer_other"),
        _money("产业就业奖励", "reward"),
        _money("生产经营性支出", "business_expense"),
    ),
)

SHEETS: tuple[Sheet, ...] = (HOUSEHOLDS, MEMBERS, INCOMES)
SHEET_BY_NAME = {s.name: s for s in SHEETS}
SHEET_FILE_NAMES = {HOUSEHOLDS.name: "households", MEMBERS.name: "members", INCOMES.name: "incomes"}


def sheet_for_headers(headers: list[str]) -> Sheet | None:
    """The sheet a CSV file belongs to, by the overlap of its headers with each sheet's (most wins)."""
    given = {h.strip() for h in headers}
    best, score = None, 0
    for sheet in SHEETS:
        overlap = len(given & set(sheet.headers))
        if overlap > score:
            best, score = sheet, overlap
    return best if score >= 2 else None


# ---------------------------------------------------------------------------------------------------- database form
# The column ↔ database conversion, shared by the importer (existing state) and the exporter: decimals as integer
# cents, code lists and dates as text, booleans as booleans.


def cents_text(cents: pl.Expr) -> pl.Expr:
    """Integer cents as "123.45", the form history snapshots give to decimals (exact: polars decimals,
    twice as fast as assembling the text)."""
    return (cents.cast(pl.Decimal(18, 0)) * pl.lit(Decimal("0.01"))).cast(pl.Decimal(18, 2)).cast(pl.Utf8)


def db_expr(c: Column, name: str | None = None) -> str:
    """The SQL that reads column ``c`` (or the column ``name``) in the form ``db_dtype`` gives."""
    col = name or c.field
    if c.field == CADRE_FIELD:  # not a column of registry_household: the cadre's ID number (households only)
        return CADRE_SQL
    if c.kind == "decimal":
        return f"CAST(ROUND({col} * 100) AS BIGINT)"
    if c.kind == "codes" or c.kind == "date":
        return f"CAST({col} AS TEXT)"
    return col


def db_dtype(c: Column) -> Any:
    return {"decimal": pl.Int64, "codes": pl.Utf8, "bool": pl.Boolean, "int": pl.Int64, "year": pl.Int64}.get(c.kind, pl.Utf8)


def typed_from_db(df: pl.DataFrame, sheet: Sheet) -> pl.DataFrame:
    """Rows read with ``db_expr`` in the typed form of a parsed file (decimals as text, code lists as lists)."""
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


KIND_TEXT = {
    "text": "文本 / text",
    "code": "代码表 / code list",
    "codes": "代码表，多选 / code list, several",
    "bool": "是/否 / yes or no",
    "int": "整数 / whole number",
    "year": "年份，2013 年至今 / year, 2013 to now",
    "decimal": "数值 / number",
    "date": "日期 YYYY-MM-DD / date",
}


def allowed_values(column: Column) -> str:
    if column.kind in ("code", "codes"):
        return "、".join(name for _code, name in _names(column.codelist))
    if column.kind == "bool":
        return f"{TRUE_TEXT} / {FALSE_TEXT}"
    if column.kind == "decimal":
        return f"≥ 0，最多 {column.places} 位小数 / ≥ 0, at most {column.places} decimals"
    if column.kind == "int" and (column.low is not None or column.high is not None):
        return f"{column.low if column.low is not None else ''}–{column.high if column.high is not None else ''}"
    if column.max_length:
        return f"最多 {column.max_length} 字 / at most {column.max_length} characters"
    return ""


def _names(list_code: str) -> list[tuple[str, str]]:
    return [(c, zh) for c, zh, _en in codes.items(list_code)]


def template_workbook() -> bytes:
    """The blank collection form: the three sheets with their headers, a dropdown (Excel data validation) on
    every coded and yes/no column listing the allowed Chinese names (from a hidden 代码表 sheet, so that a list
    of any length works), and 说明 documenting every column."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="FFF2CC")
    lists = wb.create_sheet(CODES_SHEET)
    list_ranges: dict[str, str] = {}

    def list_range(list_code: str) -> str:
        if list_code not in list_ranges:
            col = get_column_letter(len(list_ranges) + 1)
            names = [zh for _c, zh in _names(list_code)]
            lists[f"{col}1"] = list_code
            for i, name in enumerate(names, start=2):
                lists[f"{col}{i}"] = name
            list_ranges[list_code] = f"'{CODES_SHEET}'!${col}$2:${col}${max(2, len(names) + 1)}"
        return list_ranges[list_code]

    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        for i, c in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=i, value=c.header)
            cell.font = bold
            if c.required:
                cell.fill = head_fill
            letter = get_column_letter(i)
            if c.kind == "code" and c.codelist:
                dv = DataValidation(type="list", formula1=list_range(c.codelist), allow_blank=not c.required,
                                    showErrorMessage=True, errorTitle=c.header,
                                    error="请从下拉列表中选择 / choose from the list")
            elif c.kind == "bool":
                dv = DataValidation(type="list", formula1=f'"{TRUE_TEXT},{FALSE_TEXT}"', allow_blank=True,
                                    showErrorMessage=True, errorTitle=c.header, error="是 / 否")
            else:
                continue
            dv.add(f"{letter}2:{letter}5000")
            ws.add_data_validation(dv)
    lists.sheet_state = "hidden"
    wb.move_sheet(CODES_SHEET, offset=len(wb.sheetnames))
    notes = wb.create_sheet("说明", index=len(SHEETS))
    notes.append([v for v in ("工作表 / sheet", "列 / column", "必填 / required",
                                                          "类型 / kind", "允许的值 / allowed values", "说明 / note")])
    for sheet in SHEETS:
        notes.append([sheet.name, "", "", "", "", sheet.note])
        for c in sheet.columns:
            notes.append([sheet.name, c.header, TRUE_TEXT if c.required else "", KIND_TEXT[c.kind], allowed_values(c), c.note])
    notes.append([])
    notes.append(["", "", "", "", "", _("Coded cells hold the Chinese name of the code; the code itself is also accepted.")])
    notes.append(["", "", "", "", "", "导入前请勿修改列标题 / do not change the headers"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
