"""Issue 14 item 6: no optimistic defaults. An empty cell (or 未采集) for safe water, electricity or medical
insurance is stored as "not collected" (NULL), shown as such, exported as 未采集 and read back the same."""

from __future__ import annotations

from django.test import Client

from fupin.registry import portrait, services
from fupin.registry.models import Household, Member
from fupin.registry.tests.importing import form, write_xlsx


def test_empty_cells_are_not_collected_never_yes(users, tmp_path):
    data = form(1)
    for row in data["户"]:
        row["饮水是否安全"] = ""
        row["是否通生活用电"] = "未采集"
        row.pop("饮水是否困难", None)  # a missing optional column: not collected either
    head = data["家庭成员"][0]
    head["是否参加基本医疗保险"] = ""
    r = services.import_registry([write_xlsx(tmp_path / "in.xlsx", data)], actor=users["clerk"])
    assert r.ok, r.errors
    h = Household.objects.get()
    assert (h.water_safe, h.has_living_power, h.water_difficult) == (None, None, None)
    assert Member.objects.get(id_number=head["证件号码"]).has_medical_insurance is None
    assert Member.objects.exclude(id_number=head["证件号码"]).filter(has_medical_insurance=True).exists()
    # the three-guarantee badges say "not collected", not "met" and not "unmet"
    badges = {b.key: b.status for b in portrait.badges(
        {"household": {"water_safe": None, "housing_safety": "A"},
         "members": [{"has_medical_insurance": None, "relation": "01"}], "incomes": []}, h.created_at.date())}
    assert badges["water"] == portrait.UNKNOWN and badges["medical"] == portrait.UNKNOWN
    c = Client()
    c.force_login(users["clerk"])
    page = c.get(f"/households/{h.pk}/").content.decode()
    assert "未采集" in page
    edit = c.get(f"/households/{h.pk}/edit/").content.decode()
    water = edit.split('data-field="h-water_safe"')[1].split("</div>")[0]
    assert '<option value="" selected>' in water  # the select shows 未采集, not 是


def test_an_exported_not_collected_value_imports_back_as_not_collected(users, tmp_path):
    from fupin.registry import exporter

    data = form(1)
    data["户"][0]["饮水是否安全"] = ""
    assert services.import_registry([write_xlsx(tmp_path / "in.xlsx", data)], actor=users["county"]).ok
    _result, content = exporter.export_registry(actor=users["county"], region="533301", fmt="xlsx")
    path = tmp_path / "out.xlsx"
    path.write_bytes(content)
    from openpyxl import load_workbook

    ws = load_workbook(path)["户"]
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("饮水是否安全") + 1).value == "未采集"
    r = services.import_registry([path], actor=users["county"])
    assert r.ok and r.unchanged == 1 and Household.objects.get().water_safe is None
