"""Helpers of the import tests: a valid collection form for the test tree, written as xlsx or csv, and a
dump of the registry tables to assert that a rejected import changed nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from fupin.registry import idnumber
from fupin.registry.models import HistoryChunk, Household, HouseholdVersion, Income, Member
from fupin.registry.template import HOUSEHOLDS, INCOMES, MEMBERS, SHEETS

VILLAGE = "533301205201"  # the clerk's village (古登乡, 泸水市)


def person(seq: int, sex: str = "1", birth: dt.date = dt.date(1970, 3, 4)) -> str:
    return idnumber.make("533301", birth, seq, sex)


def form(n: int = 2, village: str = VILLAGE, start: int = 1) -> dict[str, list[dict[str, Any]]]:
    """``n`` households of three people each, in the template's Chinese headers."""
    hh, members, incomes = [], [], []
    for i in range(start, start + n):
        number = f"{village}{90000 + i}"
        hh.append({
            "户编号": number, "行政村代码": village, "户状态": "建档立卡贫困户", "识别标准": "国家标准",
            "贫困户属性": "一般贫困户", "主要致贫原因": "因病", "其他致贫原因": "缺技术、缺资金", "识别年度": "2014",
            "脱贫年度": "", "联系电话": "13800000000", "开户银行": "农村信用社", "银行账号": "6200000000000000",
            "是否军烈属": "否", "是否独生子女户": "否", "是否双女户": "否", "耕地面积（亩）": "3.5",
            "有效灌溉面积（亩）": "1.25", "林地面积（亩）": "10", "是否通生产用电": "是", "是否通生活用电": "是",
            "是否通广播电视": "是", "是否通宽带": "否", "与村主干路距离（公里）": "1.5", "入户路类型": "硬化路",
            "住房面积（平方米）": "80.5", "住房安全等级": "B级（安全）", "饮水是否困难": "否", "饮水是否安全": "是",
            "主要燃料类型": "柴草", "是否有卫生厕所": "是", "是否加入农民专业合作社": "否",
        })
        people = [("户主", "1", dt.date(1970, 3, 4)), ("配偶", "2", dt.date(1972, 5, 6)), ("之子", "1", dt.date(2001, 7, 8))]
        for relation, sex, birth in people:
            members.append({
                "户编号": number, "姓名": f"李{relation}{i}", "证件类型": "居民身份证",
                "证件号码": person(i, sex, birth), "性别": "男" if sex == "1" else "女", "出生日期": birth.isoformat(),
                "与户主关系": relation, "民族": "傈僳族", "政治面貌": "群众", "文化程度": "初中", "在校生状况": "非在校生",
                "健康状况": "健康", "残疾类别": "", "残疾等级": "", "劳动技能": "普通劳动力", "务工所在地": "县外省内",
                "务工时间（月）": "6", "公益性岗位（月）": "0", "是否会讲普通话": "是", "是否参加基本医疗保险": "是",
                "是否参加大病保险": "是", "是否参加基本养老保险": "否", "是否享受低保": "否", "是否特困供养": "否",
            })
        for year in (2019, 2020):
            incomes.append({
                "户编号": number, "年度": str(year), "年度家庭人口数": "3", "公益性岗位收入": "0",
                "其他工资性收入": "9000.5", "生产经营性收入": "3000", "资产收益扶贫分红收入": "200",
                "其他财产性收入": "0", "计划生育金": "0", "低保金": "0", "特困供养金": "0", "养老金或离退休金": "0",
                "生态补偿金": "150.25", "其他转移性收入": "0", "产业就业奖励": "0", "生产经营性支出": "500",
            })
    return {HOUSEHOLDS.name: hh, MEMBERS.name: members, INCOMES.name: incomes}


def write_xlsx(path: Path, sheets: dict[str, list[dict[str, Any]]], headers: dict[str, list[str]] | None = None) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        head = (headers or {}).get(sheet.name, sheet.headers)
        ws.append(head)
        for row in sheets[sheet.name]:
            ws.append([row.get(h, "") for h in head])
    wb.save(path)
    return path


def write_csvs(folder: Path, sheets: dict[str, list[dict[str, Any]]], encoding: str = "utf-8") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for sheet in SHEETS:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(sheet.headers)
        for row in sheets[sheet.name]:
            w.writerow([row.get(h, "") for h in sheet.headers])
        path = folder / f"{sheet.name}.csv"
        path.write_bytes(buf.getvalue().encode(encoding))
        paths.append(path)
    return paths


def dump() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the registry tables, to compare the database before and after."""
    return {
        "households": list(Household.objects.order_by("id").values_list()),
        "members": list(Member.objects.order_by("id").values_list()),
        "incomes": list(Income.objects.order_by("id").values_list()),
        "versions": list(HouseholdVersion.objects.order_by("id").values_list("id", "household_id", "kind", "stored_snapshot", "chunk_id")),
        "history_chunks": list(HistoryChunk.objects.order_by("id").values_list("id", "first_household", "last_household")),
    }
