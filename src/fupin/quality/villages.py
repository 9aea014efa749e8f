"""Village basic data (村基本情况): the columns of the upload, read by the upload kit (``core.uploads``), and the
checks of each row. ``services.upload_village_data`` writes; all or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from fupin.core.uploads import Column, Conflict, Kind, Table, records

COLUMNS = (
    Column("village", "村代码", Kind.IDENTIFIER, ("行政村代码", "village code"), required=True),
    Column("as_of", "日期", Kind.DATE, ("统计日期", "as of"), required=True),
    Column("households", "总户数", Kind.INTEGER, ("households",), required=True),
    Column("persons", "总人口", Kind.INTEGER, ("persons",), required=True),
    Column("collective_income", "村集体经济收入", Kind.DECIMAL, ("collective income",)),
    Column("hardened_road", "到乡镇是否通硬化路", Kind.CODE, ("是否通硬化路", "hardened road")),
    Column("has_school", "村小学", Kind.CODE, ("是否有村小学", "school")),
    Column("has_clinic", "卫生室", Kind.CODE, ("是否有卫生室", "clinic")),
    Column("doctors", "执业（助理）医师", Kind.INTEGER, ("执业医师", "doctors")),
    Column("public_toilets", "公共卫生厕所", Kind.INTEGER, ("public toilets",)),
    Column("dibao_persons", "低保人口", Kind.INTEGER, ("dibao persons",)),
    Column("tekun_persons", "特困供养人口", Kind.INTEGER, ("tekun persons",)),
    Column("disabled_persons", "残疾人口", Kind.INTEGER, ("disabled persons",)),
    Column("unsafe_water_households", "未实现饮水安全户数", Kind.INTEGER, ("饮水不安全户数", "unsafe water households")),
    Column("dangerous_housing_households", "危房户数", Kind.INTEGER, ("dangerous housing households",)),
    Column("cultivated_land", "耕地面积（亩）", Kind.DECIMAL, ("耕地面积", "cultivated land")),
)
INTEGERS = ("households", "persons", "doctors", "public_toilets", "dibao_persons", "tekun_persons", "disabled_persons",
            "unsafe_water_households", "dangerous_housing_households")
FLAGS = ("hardened_road", "has_school", "has_clinic")
YES, NO = ("是", "有", "1", "y", "yes", "true"), ("否", "无", "0", "n", "no", "false")


def rows(table: Table, villages: set[str], in_scope: Any, today: dt.date) -> tuple[list[dict[str, Any]], list[Conflict]]:
    """The rows as typed values, and a conflict for every bad cell (an unknown village, one outside the user's
    region, a negative count, a yes/no that is neither, a future date, the same village and date twice)."""
    out: list[dict[str, Any]] = []
    problems: list[Conflict] = []
    seen: dict[tuple[str, str], int] = {}
    header = {c.name: table.headers.get(c.name, c.header) for c in COLUMNS}

    def bad(row: int, name: str, value: Any, message: str) -> None:
        problems.append(Conflict(table.sheet, row, header[name], "" if value is None else str(value), message))

    for row, v in records(table):
        code = (v["village"] or "").strip()
        if code not in villages:
            bad(row, "village", code, _("not a village code of the division tree"))
        elif not in_scope(code):
            bad(row, "village", code, _("this village is outside your region"))
        typed: dict[str, Any] = {"village": code}
        try:
            typed["as_of"] = dt.date.fromisoformat(v["as_of"] or "")
            if typed["as_of"] > today:
                bad(row, "as_of", v["as_of"], _("the date lies in the future"))
        except ValueError:
            bad(row, "as_of", v["as_of"], _("not a date"))
        for name in INTEGERS:
            text = v[name]
            if text is None:
                typed[name] = None
                continue
            try:
                typed[name] = int(Decimal(text))
                if typed[name] < 0 or Decimal(text) != typed[name]:
                    raise ValueError
            except (ArithmeticError, ValueError):
                bad(row, name, text, _("must be a whole number, 0 or more"))
        for name in ("collective_income", "cultivated_land"):
            text = v[name]
            try:
                typed[name] = None if text is None else Decimal(text)
                if typed[name] is not None and typed[name] < 0 and name == "cultivated_land":
                    raise ValueError
            except (ArithmeticError, ValueError):
                bad(row, name, text, _("must be a number"))
        for name in FLAGS:
            text = (v[name] or "").strip().lower()
            typed[name] = True if text in YES else False if text in NO else None
            if text and typed[name] is None:
                bad(row, name, v[name], _("answer 是 or 否"))
        key = (code, str(v["as_of"]))
        if key in seen:
            bad(row, "village", code, _("the same village and date as row %(row)d") % {"row": seen[key]})
        seen[key] = row
        out.append(typed)
    return out, problems
