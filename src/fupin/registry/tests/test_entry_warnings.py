"""Issue 14 item 4: the import's warning tier. Warnings of the data-quality rules never reject; after the write
they are in the import's report, on the clerk's row, and in the report workbook in yellow."""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from fupin.registry import hooks, idnumber, services
from fupin.registry.models import Household, Member
from fupin.registry.tests.importing import form, write_xlsx

RELATION_SEX = "与户主关系与性别不符"  # quality rule P05 (a warning)


def test_warnings_of_the_written_households_are_reported_on_their_rows_and_do_not_reject(users, tmp_path):
    data = form(2)
    son = next(m for m in data["家庭成员"] if m["与户主关系"] == "之子")
    son.update({"性别": "女", "证件号码": idnumber.make(idnumber.issuing_code("533301", 2001), dt.date(2001, 7, 8), 12, "2")})
    r = services.import_registry([write_xlsx(tmp_path / "in.xlsx", data)], actor=users["clerk"],
                                 report_path=tmp_path / "report.xlsx")
    assert r.ok and r.created == 2 and Household.objects.count() == 2
    assert Member.objects.filter(id_number=son["证件号码"], sex="2").exists()  # written as given
    [w] = [w for w in r.warnings if RELATION_SEX in w.message]
    assert (w.sheet, w.row, w.column, w.severity) == ("家庭成员", 4, "与户主关系", "warning")
    assert r.as_dict()["warnings"] == len(r.warnings) and r.error_report == tmp_path / "report.xlsx"
    ws = load_workbook(tmp_path / "report.xlsx")["家庭成员"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=4, column=header.index("与户主关系") + 1)
    assert cell.fill.fgColor.rgb.endswith("FFEB9C")  # yellow: a warning, not an error


def test_a_large_import_gets_one_note_and_no_rewritten_file(users, tmp_path, monkeypatch):
    """Above WARNING_CHECK_LIMIT households the warnings come with the next quality run: one note in the summary,
    and the clerk's file is not written again as a report just for it."""
    monkeypatch.setattr(services, "WARNING_CHECK_LIMIT", 1)
    r = services.import_registry([write_xlsx(tmp_path / "in.xlsx", form(2))], actor=users["clerk"],
                                 report_path=tmp_path / "report.xlsx")
    assert r.ok and r.created == 2
    [note] = r.warnings
    assert note.row == 0 and "下一次数据质量核查" in note.message
    assert r.error_report is None and not (tmp_path / "report.xlsx").exists()


def test_a_failing_warning_provider_never_fails_the_import(users, tmp_path, monkeypatch):
    def broken(ids):
        raise RuntimeError("quality engine down")

    monkeypatch.setattr(hooks, "_warnings", [broken])
    r = services.import_registry([write_xlsx(tmp_path / "in.xlsx", form(1))], actor=users["clerk"])
    assert r.ok and r.created == 1 and not [w for w in r.warnings if "数据质量" in w.message]


def test_the_member_form_and_the_api_show_the_saved_records_warnings_next_to_the_field(users, tmp_path):
    from django.test import Client

    data = form(1)
    son = next(m for m in data["家庭成员"] if m["与户主关系"] == "之子")
    son.update({"性别": "女", "证件号码": idnumber.make(idnumber.issuing_code("533301", 2001), dt.date(2001, 7, 8), 12, "2")})
    assert services.import_registry([write_xlsx(tmp_path / "in.xlsx", data)], actor=users["clerk"]).ok
    h = Household.objects.get()
    member = h.members.get(id_number=son["证件号码"])
    c = Client()
    c.force_login(users["clerk"])
    page = c.get(f"/households/{h.pk}/members/{member.pk}/edit/").content.decode()
    field = page.split('data-field="m0-relation"')[1].split("</div>")[0]
    assert RELATION_SEX in field and "field-warning" in field
    head = h.members.get(relation="01")
    other = c.get(f"/households/{h.pk}/members/{head.pk}/edit/").content.decode()
    assert RELATION_SEX not in other
    api = c.get(f"/api/v1/households/{h.pk}/warnings").json()
    [w] = [w for w in api if w["name"] == RELATION_SEX]
    assert w["record"] == f"person:{member.pk}" and "relation" in w["fields"] and w["severity"] == "warning"
