"""The streaming .xlsx reader gives the cells python-calamine gives, for workbooks written by Excel (shared
strings, rich text with phonetic guides) and by other programs (inline strings, namespace prefixes, attributes in
another order), and never keeps a sheet in memory."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook
from python_calamine import CalamineWorkbook

from fupin.core import uploads as u
from fupin.core import xlsx

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>')


def package(sheet: str, shared: str = "", styles: str = "", date1904: bool = False, prefix: str = "") -> bytes:
    """A minimal workbook as Excel writes it: ``sheet`` is the sheetData's inner XML."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{NS}"' if prefix else f'xmlns="{NS}"'
    system = ' date1904="1"' if date1904 else ""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
                                  f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><{p}workbook {xmlns} xmlns:r="{DOC_RELS}">'
                   f'<{p}workbookPr{system}/><{p}sheets>'
                   f'<{p}sheet name="名单" sheetId="1" r:id="rId1"/></{p}sheets></{p}workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'<Relationships xmlns="{RELS}">'
                   f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
                   f'<Relationship Id="rId3" Type="{DOC_RELS}/styles" Target="styles.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?>\r\n<{p}worksheet {xmlns}><{p}dimension ref="A1:D9"/>'
                   f'<{p}sheetData>{sheet}</{p}sheetData></{p}worksheet>')
        if shared:
            z.writestr("xl/sharedStrings.xml", f'<{p}sst {xmlns} count="9">{shared}</{p}sst>')
        z.writestr("xl/styles.xml", f'<{p}styleSheet {xmlns}>{styles}</{p}styleSheet>')
    return buf.getvalue()


STYLES = ('<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
          '<numFmt numFmtId="165" formatCode="0.00"/></numFmts>'
          '<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="22"/>'
          '<xf numFmtId="46"/></cellXfs>')


def rows(data: bytes) -> list[list[Any]]:
    book = xlsx.Workbook(io.BytesIO(data))
    return [_trimmed(r) for r in book.rows(book.sheet_names[0])]


def _trimmed(r: list[Any]) -> list[Any]:
    return r[:max((j + 1 for j, v in enumerate(r) if v != ""), default=0)]


def calamine_rows(data: bytes) -> list[list[Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return [_trimmed(list(r)) for r in book.get_sheet_by_name(book.sheet_names[0]).iter_rows()]


def test_excel_shared_strings_rich_text_styles_and_missing_rows_read_as_calamine_reads_them() -> None:
    shared = ("<si><t>户编号</t></si><si><t>姓名</t></si>"
              "<si><r><t>张</t></r><r><rPr><b/></rPr><t>三</t></r><rPh sb=\"0\" eb=\"1\"><t>ちょう</t></rPh></si>"
              "<si><t xml:space=\"preserve\"> A&amp;B &lt;1&gt; _x000D_</t></si><si><t/></si>")
    sheet = ('<row r="1" spans="1:4"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
             '<row r="3"><c r="A3" s="0"><v>5301001</v></c><c r="B3" t="s"><v>2</v></c>'
             '<c r="C3" s="1"><v>23510</v></c><c r="D3" s="2"><v>12.5</v></c></row>'
             '<row r="4"><c t="s" r="B4"><v>3</v></c><c r="C4" s="3"><v>23510.75</v></c>'
             '<c r="D4" t="b"><v>1</v></c><c r="E4" s="4"><v>1.25</v></c><c r="F4" t="s"><v>4</v></c></row>'
             '<row r="6"><c r="A6" t="str"><f>A3&amp;""</f><v>5301001</v></c><c r="B6" t="e"><v>#N/A</v></c>'
             '<c r="C6" t="inlineStr"><is><t>李四</t></is></c><c r="D6"/></row>')
    data = package(sheet, shared, STYLES)
    got = rows(data)
    assert got == [
        ["户编号", "姓名"],
        [],
        [5301001.0, "张三", dt.date(1964, 5, 13), 12.5],
        ["", " A&B <1> \r", dt.datetime(1964, 5, 13, 18, 0), True, dt.timedelta(days=1, hours=6)],
        [],
        ["5301001", "#N/A", "李四"],
    ]
    # calamine reads an error cell as blank; the kit keeps its text, so that the cell is refused, not skipped
    assert got == [[*r[:1], "#N/A", *r[2:]] if r and r[0] == "5301001" and len(r) > 2 else r for r in calamine_rows(data)]


def test_namespace_prefixes_attribute_order_and_single_quotes() -> None:
    sheet = ("<x:row r='1'><x:c t='inlineStr' r='B1'><x:is><x:t>姓名</x:t></x:is></x:c></x:row>"
             '<x:row><x:c s="1" r="A2"><x:v>45000</x:v></x:c><x:c><x:v>7</x:v></x:c></x:row>')
    styles = STYLES.replace("<", "<x:").replace("<x:/", "</x:")
    got = rows(package(sheet, styles=styles, prefix="x"))
    assert got == [["", "姓名"], [dt.date(2023, 3, 15), 7.0]]


def test_the_1904_date_system() -> None:
    got = rows(package('<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>1</v></c></row>', styles=STYLES,
                       date1904=True))
    assert got == [[dt.time(0, 0), dt.date(1904, 1, 2)]]


def test_openpyxl_workbooks_read_as_calamine_reads_them() -> None:
    wb = OpenpyxlWorkbook()
    ws = wb.active
    ws.append(["a", 1, 2.5, True, dt.date(2020, 1, 2), dt.datetime(2020, 1, 2, 3, 4, 5), 530103011214040001, None, "x"])
    ws["A3"] = "第三行 "
    buf = io.BytesIO()
    wb.save(buf)
    assert rows(buf.getvalue()) == calamine_rows(buf.getvalue())


def test_a_broken_workbook_is_refused_with_a_message() -> None:
    with pytest.raises(u.UploadRejected) as e:
        u.read_upload(b"PK\x03\x04 not really a zip", "f.xlsx", [u.Column("name", "姓名")])
    assert "Cannot read the workbook" in str(e.value.conflicts[0].message) or "无法读取" in str(e.value.conflicts[0].message)


def test_rows_are_read_in_chunks_without_cutting_an_element(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "CHUNK", 64)
    sheet = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>名字{i}</t></is></c><c r="B{i}"><v>{i}</v></c></row>'
                    for i in range(1, 200))
    shared = "".join(f"<si><t>共享{i}</t></si>" for i in range(50))
    got = rows(package(sheet, shared))
    assert got == [[f"名字{i}", float(i)] for i in range(1, 200)]
    book = xlsx.Workbook(io.BytesIO(package(sheet, shared)))
    assert book._shared_strings() == [f"共享{i}" for i in range(50)]
