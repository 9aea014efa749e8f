"""The upload kit: every value is read exactly as the clerk meant it, or a conflict names its cell."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import polars as pl
import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from fupin.core import uploads as u

COLUMNS = [
    u.Column("number", "户编号", u.Kind.IDENTIFIER, aliases=("household number",), required=True),
    u.Column("name", "姓名", required=True),
    u.Column("born", "出生日期", u.Kind.DATE),
    u.Column("size", "人数", u.Kind.INTEGER, default="1"),
    u.Column("amount", "金额", u.Kind.DECIMAL),
    u.Column("cause", "致贫原因", u.Kind.CODE, default=""),
]


def xlsx(rows: list[list[Any]], merges: tuple[str, ...] = ()) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_csv_in_every_encoding_reads_the_same_rows_with_their_numbers() -> None:
    text = "户编号,姓名,出生日期\r\n5301001,张三,1964/5/13\r\n,,\r\n5301002,李四,1964年5月13日\r\n"
    for data in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("gbk"), text.encode("gb18030")):
        table = u.read_upload(data, "f.csv", COLUMNS)
        assert table.frame.select(u.ROW, "number", "name", "born").rows() == [
            (2, "5301001", "张三", "1964-05-13"), (4, "5301002", "李四", "1964-05-13")]
        assert table.errors == []
        assert table.frame["size"].to_list() == ["1", "1"]  # missing optional column: its default


def test_title_rows_two_level_headers_and_unknown_columns() -> None:
    data = xlsx([
        ["贫困户信息采集表"],
        ["户编号", "基本信息", None, "序号"],
        [None, "姓名", "金额", None],
        ["5301001", "张三", 12.5, 1],
    ], merges=("A2:A3", "B2:C2", "D2:D3"))
    table = u.read_upload(data, "f.xlsx", COLUMNS)
    assert table.header_row == 3
    assert table.frame.select(u.ROW, "number", "name", "amount").rows() == [(4, "5301001", "张三", "12.5")]
    assert table.ignored == ["序号"]
    [warning] = table.conflicts
    assert (warning.row, warning.column, warning.severity) == (3, "序号", u.Severity.WARNING)


def test_identifier_numbers_that_excel_cannot_hold_are_refused_naming_the_column() -> None:
    data = xlsx([["户编号", "姓名"], [5301030112140400123, "张三"], [530103011214, "李四"], [12.5, "王五"],
                 ["5.30103E+18", "赵六"]])
    table = u.read_upload(data, "f.xlsx", COLUMNS)
    assert table.frame["number"][1] == "530103011214"
    bad = {(c.row, c.column) for c in table.errors}
    assert bad == {(2, "户编号"), (4, "户编号"), (5, "户编号")}
    assert "设置单元格格式→文本" in table.errors[0].message


def test_messages_are_chinese_by_default_and_english_when_switched() -> None:
    data = xlsx([["户编号", "姓名", "金额"], ["1", "张三", "x"]])
    with translation.override("zh-hans"):
        assert u.read_upload(data, "f.xlsx", COLUMNS).errors[0].message == "不是数值"
    with translation.override("en"):
        assert u.read_upload(data, "f.xlsx", COLUMNS).errors[0].message == "not a number"


def test_missing_required_column_and_unsupported_files() -> None:
    table = u.read_upload("户编号,金额\r\n1,2\r\n".encode(), "f.csv", COLUMNS)
    assert [(c.row, c.column) for c in table.errors] == [(u.FILE_LEVEL, "姓名")]
    with pytest.raises(u.UploadRejected) as exc:
        u.read_upload(b"x", "f.pdf", COLUMNS)
    assert exc.value.errors[0].row == u.FILE_LEVEL
    with pytest.raises(u.UploadRejected):
        u.read_upload(b"", "f.csv", COLUMNS)


def test_error_workbook_keeps_rows_where_they_were_and_numbers_as_numbers(tmp_path) -> None:
    data = xlsx([["标题"], ["户编号", "姓名", "人数", "金额"], ["0053", "张三", 3, 1.5], [None], ["0054", "李四", "x", 2]])
    table = u.read_upload(data, "f.xlsx", COLUMNS)
    assert [(c.row, c.column) for c in table.errors] == [(5, "人数")]
    table.conflicts.append(u.Conflict(table.sheet, 3, "金额", "1.5", "偏高", u.Severity.WARNING))
    u.error_workbook([table], table.conflicts, tmp_path / "e.xlsx")
    ws = load_workbook(tmp_path / "e.xlsx")[table.sheet]
    assert [c.value for c in ws[2]][:5] == ["户编号", "姓名", "人数", "金额", u.MESSAGE_COLUMN]
    assert [c.value for c in ws[3]][:4] == ["0053", "张三", 3, 1.5]  # identifier text, numbers as numbers
    assert ws["C5"].value == "x" and ws["C5"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["D3"].fill.fgColor.rgb.endswith("FFEB9C")  # a warning, another colour
    assert "人数" in ws["E5"].value
    again = u.read_upload((tmp_path / "e.xlsx").read_bytes(), "e.xlsx", COLUMNS)
    assert again.frame[u.ROW].to_list() == [3, 5] and again.ignored == []


def test_import_summary_files_errors_and_warnings() -> None:
    s = u.ImportSummary(created=2)
    s.add([u.Conflict("户", 3, "姓名", "x", "m"), u.Conflict("户", 4, "姓名", "y", "w", u.Severity.WARNING)])
    assert not s.ok and len(s.conflicts) == 1 and len(s.warnings) == 1
    assert s.as_dict()["errors"] == 1 and s.as_dict()["warnings"] == 1


# ---------------------------------------------------------------------------------------------------- property

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u202a", "\u2066"]
FULL = str.maketrans("0123456789", "０１２３４５６７８９")
DATES = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def identifier_cell(draw: st.DrawFn) -> tuple[Any, str | None]:
    """(cell, expected text or None when the cell must be refused)."""
    digits = draw(st.text("0123456789", min_size=1, max_size=20))
    form = draw(st.sampled_from(["text", "number", "full-width", "invisible"]))
    if form == "number":
        n = int(digits)
        return float(n), (str(n) if n < 10**15 else None)
    if form == "full-width":
        return digits.translate(FULL), digits
    if form == "invisible":
        return draw(st.sampled_from(INVISIBLE)) + digits + draw(st.sampled_from(INVISIBLE)), digits
    return digits, digits


@st.composite
def date_cell(draw: st.DrawFn) -> tuple[Any, str]:
    d = draw(DATES)
    form = draw(st.sampled_from(["date", "datetime", "serial", "iso", "slash", "chinese", "full-width"]))
    cell: Any = {
        "date": d,
        "datetime": dt.datetime.combine(d, dt.time(draw(st.integers(0, 23)), draw(st.integers(0, 59)))),
        "serial": float((d - u.EXCEL_EPOCH).days),
        "iso": d.isoformat(),
        "slash": f"{d.year}/{d.month}/{d.day}",
        "chinese": f"{d.year}年{d.month}月{d.day}日",
        "full-width": d.isoformat().translate(FULL),
    }[form]
    return cell, d.isoformat()


@st.composite
def record(draw: st.DrawFn) -> dict[str, tuple[Any, str | None]]:
    name = draw(st.text("张王李赵刘陈ＡＢabc", min_size=1, max_size=6))
    zw = draw(st.sampled_from(["", *INVISIBLE]))
    size = draw(st.integers(1, 20))
    amount = draw(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False))
    return {
        "number": draw(identifier_cell()),
        "name": (name[:1] + zw + name[1:], name),
        "born": draw(date_cell()),
        "size": draw(st.sampled_from([(size, str(size)), (str(size).translate(FULL), str(size)), (float(size), str(size))])),
        "amount": draw(st.sampled_from([(str(amount), str(amount)), (str(amount).translate(FULL), str(amount))])),
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(record(), min_size=1, max_size=6),
    titles=st.integers(0, 2),
    two_level=st.booleans(),
    extra=st.booleans(),
    drop_optional=st.booleans(),
    blank_every=st.integers(0, 3),
)
def test_every_value_is_read_exactly_or_its_cell_is_named(
    records: list[dict[str, tuple[Any, str | None]]], titles: int, two_level: bool, extra: bool, drop_optional: bool,
    blank_every: int,
) -> None:
    names = ["number", "name", "born", "size", "amount"]
    if drop_optional:
        names.remove("size")
    header = {c.name: c.header for c in COLUMNS}
    rows: list[list[Any]] = [["贫困户信息采集表"] for _ in range(titles)]
    merges = []
    if two_level:
        rows.append([header["number"], "基本信息", *[None] * (len(names) - 2)] + (["备注"] if extra else []))
        rows.append([None, *[header[n] for n in names[1:]]] + ([None] if extra else []))
        merges.append(f"A{titles + 1}:A{titles + 2}")
    else:
        rows.append([header[n] for n in names] + (["备注"] if extra else []))
    expected: dict[int, dict[str, str | None]] = {}
    for i, rec in enumerate(records):
        if blank_every and i % blank_every == 0:
            rows.append([])
        rows.append([rec[n][0] for n in names] + (["x"] if extra else []))
        expected[len(rows)] = {n: rec[n][1] for n in names}
    table = u.read_upload(xlsx(rows, tuple(merges)), "f.xlsx", COLUMNS)
    errors = {(c.row, c.column) for c in table.errors}
    got = {r[u.ROW]: r for r in table.frame.to_dicts()}
    assert set(got) == set(expected)  # the clerk's row numbers, blank and title rows counted
    for row, values in expected.items():
        for n, want in values.items():
            named = (row, header[n]) in errors
            if want is None:
                assert named, (row, n, got[row][n])
            else:
                assert got[row][n] == want or named, (row, n, got[row][n], want)
                assert not named, (row, n, [c.message for c in table.errors])
        if drop_optional:
            assert got[row]["size"] == "1"
    assert table.ignored == (["备注"] if extra else [])


def test_csv_title_rows_quoted_newlines_and_blank_lines_keep_the_row_numbers() -> None:
    text = ('贫困户信息采集表\r\n户编号,姓名,备注,人数\r\n5301001,"张\r\n三",x,2\r\n\r\n,,,\r\n'
            '５３０１００２,李\u200b四,,３\r\n5301003,王五,,\r\n')
    table = u.read_upload(text.encode("gb18030"), "f.csv", COLUMNS)
    assert table.header_row == 2 and table.encoding == "gb18030"
    assert table.frame.select(u.ROW, "number", "name", "size").rows() == [
        (3, "5301001", "张\r\n三", "2"), (6, "5301002", "李四", "3"), (7, "5301003", "王五", None)]
    assert [(c.row, c.column, c.severity) for c in table.conflicts] == [
        (2, "备注", u.Severity.WARNING), (6, "姓名", u.Severity.WARNING)]


def _blocky_rows() -> list[list[Any]]:
    """A title row, the header, and rows whose problems (invisible characters, full-width digits, dates in other
    forms, numbers in an identifier column, blank rows) fall into different blocks when blocks are small."""
    rows: list[list[Any]] = [["贫困户信息采集表"], ["户编号", "姓名", "出生日期", "人数", "金额", "致贫原因"]]
    for i in range(40):
        number: Any = f"53010{i:03d}"
        name = "张\u200b三" if i % 7 == 0 else f"李{i}"
        born: Any = "1964年5月13日" if i % 5 == 0 else ("not a date" if i % 11 == 3 else "1964-05-13")
        if i % 9 == 4:
            number = 5301030112140401234.0  # beyond 15 digits: refused
        if i % 13 == 6:
            rows.append([None, None, None, None, None, None])  # a blank row keeps its number
        rows.append([number, name, born, "３" if i % 6 == 1 else "2", "1,234.5", "０１" if i % 4 == 0 else "02"])
    return rows


def test_rows_normalised_block_by_block_read_as_the_whole_sheet_at_once(monkeypatch) -> None:
    """Issue 22 item 6: a workbook's rows are normalised and checked block by block, before the blocks are
    joined; the table and every conflict (in the same order) are what one block of the whole sheet gives."""
    data = xlsx(_blocky_rows())
    whole = u.read_upload(data, "f.xlsx", COLUMNS)
    monkeypatch.setattr(u, "BLOCK_ROWS", 3)
    blocks = u.read_upload(data, "f.xlsx", COLUMNS)
    assert whole.frame.height == 40 and whole.frame[u.ROW].to_list()[-1] > 42  # blank rows counted, dropped
    assert blocks.frame.equals(whole.frame)
    assert blocks.conflicts == whole.conflicts
    assert len(whole.errors) >= 6 and any(not c.is_error for c in whole.conflicts)  # refused cells, warnings
    assert {c.column for c in whole.errors} == {"户编号", "出生日期"}
    assert whole.frame["size"].to_list()[1] == "3" and whole.frame["cause"].to_list()[0] == "01"  # NFKC


def test_a_workbook_on_disk_is_read_from_the_disk_not_held_as_bytes(tmp_path) -> None:
    path = tmp_path / "f.xlsx"
    path.write_bytes(xlsx(_blocky_rows()))
    name, content = u.read_source(path)
    assert name == "f.xlsx" and content == path  # streamed from the file: the upload is not kept in memory
    from_disk = u.read_sheet(u.open_sheets(content, name)[0], COLUMNS)
    from_bytes = u.read_sheet(u.open_sheets(path.read_bytes(), name)[0], COLUMNS)
    assert from_disk.frame.equals(from_bytes.frame) and from_disk.conflicts == from_bytes.conflicts
    blank = tmp_path / "blank.xlsx"
    blank.write_bytes(b"  \n")  # not a zip: read as bytes, refused as empty as before
    name, content = u.read_source(blank)
    assert content == b"  \n"
    with pytest.raises(u.UploadRejected, match="empty"):
        u.open_sheets(content, name)
    csv = tmp_path / "f.csv"
    csv.write_bytes("户编号,姓名\n1,张三\n".encode())
    assert u.read_source(csv)[1] == csv.read_bytes()


def test_spilled_tables_come_back_whole_and_leave_nothing_behind() -> None:
    table = u.read_upload(xlsx(_blocky_rows()), "f.xlsx", COLUMNS)
    with u.SpilledTables() as spilled:
        spilled.put("户", table)
        files = list(spilled._folder.iterdir())
        assert len(files) == 1 and files[0].stat().st_size > 0
        assert "户" in spilled and "家庭成员" not in spilled and spilled.get("家庭成员") is None
        assert spilled.height("户") == table.frame.height
        again = spilled["户"]
        assert again.frame.equals(table.frame)
        parts = list(u.table_slices(spilled, "户", 7))  # read from the disk a slice at a time
        assert [p.frame.height for p in parts] == [7, 7, 7, 7, 7, 5]
        assert pl.concat([p.frame for p in parts]).equals(table.frame)
        in_memory = list(u.table_slices({"户": table}, "户", 7))
        assert [p.frame.height for p in in_memory] == [7, 7, 7, 7, 7, 5]
        assert (again.sheet, again.header_row, again.headers, again.columns) == (
            table.sheet, table.header_row, table.headers, table.columns)
        folder = spilled._folder
    assert not folder.exists()


def test_spill_folders_left_by_a_killed_import_are_swept(tmp_path, monkeypatch) -> None:
    """A worker killed with SIGKILL mid-import cannot remove its folder; the next import removes folders older
    than a day (no import takes that long) and leaves recent ones, which may belong to a running import."""
    import os
    import tempfile
    import time

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale, recent = tmp_path / "fupin-upload-stale", tmp_path / "fupin-upload-recent"
    for folder in (stale, recent):
        folder.mkdir()
        (folder / "0.arrow").write_bytes(b"x")
    day_ago = time.time() - u.SpilledTables.STALE_SECONDS - 60
    os.utime(stale, (day_ago, day_ago))
    with u.SpilledTables() as spilled:
        assert spilled._folder.parent == tmp_path
        assert not stale.exists() and recent.exists()
