"""Issue 22: the spreadsheets village clerks really send. Never a number stored wrong, never another household
overwritten, and the layouts Excel produces accepted."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook, load_workbook

from fupin.core.uploads import EXCEL_EPOCH
from fupin.registry import services
from fupin.registry.models import Household, Member
from fupin.registry.template import HOUSEHOLDS, INCOMES, MEMBERS, SHEETS
from fupin.registry.tests.importing import VILLAGE, dump, form, write_xlsx


def _renumber(data, old, new):
    for sheet in data.values():
        for row in sheet:
            if row["户编号"] == old:
                row["户编号"] = new


def test_a_household_number_reused_for_a_household_of_another_village_is_refused(users, households, tmp_path):
    """The number of 533301101201's household, given to a new family of the clerk's village: not an update."""
    other = households["533301101201"]
    before_members = set(other.members.values_list("id_number", flat=True))
    data = form(1)
    _renumber(data, data["户"][0]["户编号"], other.number)
    before = dump()
    for dry_run in (True, False):
        r = services.import_registry([write_xlsx(tmp_path / "in.xlsx", data)], actor=users["county"], dry_run=dry_run,
                                     report_path=tmp_path / "errors.xlsx")
        assert not r.ok and (r.created, r.updated) == (0, 0)
        [e] = [e for e in r.conflicts if e.column == "户编号"]
        assert (e.sheet, e.row, e.value) == ("户", 2, other.number)
        assert "533301101201" in e.message and VILLAGE in e.message and "row 2" in e.message
        assert other.village.name in e.message
        assert dump() == before
    other.refresh_from_db()
    assert other.village_id == "533301101201"
    assert set(other.members.filter(is_active=True).values_list("id_number", flat=True)) == before_members


def test_a_household_number_reused_in_the_same_village_for_other_people_is_refused(users, tmp_path):
    services.import_registry([write_xlsx(tmp_path / "a.xlsx", form(1))], actor=users["clerk"])
    number = form(1)["户"][0]["户编号"]
    stranger = form(1, start=5)  # three other people
    _renumber(stranger, stranger["户"][0]["户编号"], number)
    before = dump()
    r = services.import_registry([write_xlsx(tmp_path / "b.xlsx", stranger)], actor=users["clerk"])
    assert not r.ok and dump() == before
    [e] = [e for e in r.conflicts if e.column == "户编号"]
    assert "3 active members" in e.message and "only 0" in e.message and number in e.message


def test_a_long_household_number_typed_as_an_excel_number_names_the_real_cause(users, tmp_path):
    data = form(3)
    path = write_xlsx(tmp_path / "in.xlsx", data)
    wb = load_workbook(path)
    for ws in wb.worksheets:  # the whole 户编号 column stored as General numbers, as Excel does with 17 digits
        for row in ws.iter_rows(min_row=2):
            row[0].value = float(row[0].value)
    wb.save(path)
    before = dump()
    r = services.import_registry([path], actor=users["clerk"], report_path=tmp_path / "errors.xlsx")
    assert not r.ok and dump() == before
    assert {(e.column, "设置单元格格式→文本" in e.message) for e in r.conflicts} == {("户编号", True)}
    assert len(r.conflicts) == 3 + 9 + 6  # one per row, nothing about duplicates or heads
    assert not Household.objects.exists()


def test_title_rows_extra_columns_missing_optional_columns_dates_and_invisible_characters(users, tmp_path):
    data = form(2)
    data["家庭成员"][0]["姓名"] = "李\u200b户主1"
    data["家庭成员"][0]["出生日期"] = dt.datetime(1970, 3, 4, 8, 30)  # a date-time cell
    data["家庭成员"][1]["出生日期"] = "1972年5月6日"
    data["家庭成员"][2]["出生日期"] = float((dt.date(2001, 7, 8) - EXCEL_EPOCH).days)  # a serial in a General cell
    data["户"][0]["户编号"] = data["户"][0]["户编号"].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    optional = [c.header for c in HOUSEHOLDS.columns if not c.required][:5]
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        ws.append(["贫困户信息采集表（2020 年）"])  # a title row
        headers = ["序号", *[h for h in sheet.headers if h not in optional], "备注"]
        ws.append(headers)
        for i, row in enumerate(data[sheet.name], start=1):
            ws.append([i, *[row.get(h, "") for h in headers[1:-1]], "核实"])
            if i == 1:
                ws.append([])  # a blank row, counted in the row numbers
    wb.save(tmp_path / "clerk.xlsx")
    r = services.import_registry([tmp_path / "clerk.xlsx"], actor=users["clerk"])
    assert r.ok, r.conflicts
    assert r.created == 2
    head = Member.objects.get(id_number=data["家庭成员"][0]["证件号码"])
    assert head.name == "李户主1" and head.birth_date == dt.date(1970, 3, 4)
    assert Member.objects.get(id_number=data["家庭成员"][1]["证件号码"]).birth_date == dt.date(1972, 5, 6)
    assert Member.objects.get(id_number=data["家庭成员"][2]["证件号码"]).birth_date == dt.date(2001, 7, 8)
    assert Household.objects.filter(number=f"{VILLAGE}90001").exists()  # full-width digits: the ASCII number
    invisible = [w for w in r.warnings if w.column == "姓名"]
    assert [(w.sheet, w.row) for w in invisible] == [("家庭成员", 3)] and "U+200B" in invisible[0].message
    assert {w.column for w in r.warnings if "unknown column" in w.message} == {"序号", "备注"}


def test_the_error_report_keeps_the_clerks_row_numbers_and_numbers_as_numbers(users, tmp_path):
    data = form(2)
    data["收入"][3]["低保金"] = "很多"
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in (HOUSEHOLDS, MEMBERS, INCOMES):
        ws = wb.create_sheet(sheet.name)
        ws.append(sheet.headers)
        for row in data[sheet.name]:
            ws.append([])
            ws.append([row.get(h, "") for h in sheet.headers])
    wb.save(tmp_path / "in.xlsx")
    r = services.import_registry([tmp_path / "in.xlsx"], actor=users["clerk"], report_path=tmp_path / "errors.xlsx")
    [e] = r.conflicts
    assert (e.sheet, e.row, e.column) == ("收入", 9, "低保金")  # blank rows counted, as Excel shows
    ws = load_workbook(tmp_path / "errors.xlsx")["收入"]
    headers = [c.value for c in ws[1]]
    assert ws.cell(row=9, column=headers.index("低保金") + 1).value == "很多"
    assert ws.cell(row=9, column=headers.index("低保金") + 1).fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.cell(row=3, column=headers.index("其他工资性收入") + 1).value == 9000.5  # a number, not text
    assert ws.cell(row=3, column=headers.index("年度") + 1).value == 2019
    assert ws.cell(row=3, column=1).value == data["收入"][0]["户编号"]  # identifiers stay text
