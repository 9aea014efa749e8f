"""The team members list upload (upload kit): all or nothing with a marked workbook, a known ID number updates its
team member, regions of any level inside the uploader's region; the template's dropdowns; the page."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from fupin.core.models import AuditEvent
from fupin.registry.models import Cadre
from fupin.team import services
from fupin.team.tests.conftest import id_for

HEADER = ["姓名", "身份证号", "类型", "派出单位", "任职区划", "开始日期", "结束日期", "电话"]


def _xlsx(rows, header=HEADER):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _good(cadres):
    return [
        ["刘书记", id_for("533301", 10), "第一书记", "州委组织部", "533301205201 季加村委会", "2021-05-01", None,
         "13900000001"],
        ["陈专员", id_for("533301", 11), "科技特派员", "县农业农村局", 533301205, "2022-01-01", "2024-01-01", None],
        [cadres[0].name, cadres[0].id_number, "驻村工作队员", "县委组织部", "533301", None, None, "0886-3621234"],
    ]


def test_upload_creates_updates_and_is_idempotent(county_admin, cadres):
    result = services.import_members(actor=county_admin, content=_xlsx(_good(cadres)), filename="list.xlsx")
    assert result.ok and (result.created, result.updated, result.unchanged) == (2, 1, 0)
    new = Cadre.objects.get(id_number=id_for("533301", 10))
    assert (new.name, new.kind, new.unit, new.region_id, str(new.start_date), new.phone, new.source) == (
        "刘书记", "first_secretary", "州委组织部", "533301205201", "2021-05-01", "13900000001", "import")
    envoy = Cadre.objects.get(id_number=id_for("533301", 11))
    assert (envoy.region_id, envoy.kind, str(envoy.end_date), envoy.phone) == ("533301205", "tech_envoy",
                                                                               "2024-01-01", "")
    cadres[0].refresh_from_db()
    assert (cadres[0].kind, cadres[0].unit, cadres[0].region_id, cadres[0].phone) == (
        "work_team", "县委组织部", "533301", "0886-3621234")
    assert cadres[0].source == "entry"  # an update keeps where the record came from
    assert Cadre.objects.count() == 5
    again = services.import_members(actor=county_admin, content=_xlsx(_good(cadres)), filename="list.xlsx")
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Cadre.objects.count() == 5
    assert AuditEvent.objects.filter(object_type="registry.cadre", action="bulk").count() == 2


def test_one_bad_row_writes_nothing_and_marks_the_workbook(county_admin, cadres, tree, tmp_path):
    elsewhere = Cadre.objects.create(name="外县队员", unit="福贡县委", region=tree["533323101201"],
                                     id_number=id_for("533323", 1), kind="work_team")
    bad_id = id_for("533301", 12)[:-1] + ("0" if id_for("533301", 12)[-1] != "0" else "1")
    rows = [*_good(cadres),
            ["王五", bad_id, "第一书记", "县委", "533301205201", None, None, None],                   # row 5: check digit
            ["赵六", id_for("533301", 13), "队长", "县委", "533301205201", None, None, None],          # row 6: type
            ["孙七", id_for("533301", 14), "第一书记", "县委", "533323101201", None, None, None],      # row 7: scope
            ["周八", id_for("533301", 15), "第一书记", "县委", "533301999999", None, None, None],      # row 8: unknown
            ["吴九", id_for("533301", 16), "第一书记", "县委", "季加村", None, None, None],            # row 9: not a code
            ["郑十", id_for("533301", 17), "第一书记", "县委", "533301", "2022-01-01", "2021-01-01", None],  # row 10
            ["钱一", id_for("533301", 10), "第一书记", "县委", "533301", None, None, None],            # row 11: twice
            ["冯二", id_for("533301", 18), "第一书记", "县委", "533301", None, None, "call me"],       # row 12: phone
            ["陈三", elsewhere.id_number, "第一书记", "县委", "533301", None, None, None],             # row 13
            [None, id_for("533301", 19), "第一书记", None, "533301", None, None, None]]                # row 14
    path = tmp_path / "errors.xlsx"
    result = services.import_members(actor=county_admin, content=_xlsx(rows), filename="list.xlsx", error_path=path)
    assert not result.ok
    found = {(c.row, c.column) for c in result.conflicts}
    assert found == {(5, "身份证号"), (6, "类型"), (7, "任职区划"), (8, "任职区划"), (9, "任职区划"), (10, "结束日期"),
                     (2, "身份证号"), (11, "身份证号"), (12, "电话"), (13, "身份证号"), (14, "姓名"), (14, "派出单位")}
    assert "校验位" in next(c.message for c in result.conflicts if c.row == 5)
    assert "其他地区" in next(c.message for c in result.conflicts if c.row == 13)
    assert Cadre.objects.count() == 4 and not Cadre.objects.filter(name="刘书记").exists()
    cadres[0].refresh_from_db()
    assert cadres[0].unit == "泸水市委组织部"  # the good rows were not written either
    marked = openpyxl.load_workbook(path)
    sheet = marked.worksheets[0]
    assert sheet.cell(1, 9).value == "错误说明" and "校验位" in sheet.cell(5, 9).value
    assert sheet.cell(6, 3).fill.fgColor.rgb.endswith("FFC7CE")  # the bad type cell in red


def test_only_team_managers_upload(users, cadres):
    with pytest.raises(PermissionDenied):
        services.import_members(actor=users["clerk"], content=_xlsx(_good(cadres)), filename="list.xlsx")
    assert Cadre.objects.count() == 3


def test_page_upload_error_file_and_template(client, county_admin, cadres, users):
    client.force_login(county_admin)
    page = client.get(reverse("team_members")).content.decode()
    assert 'name="action" value="upload"' in page and reverse("team_members_template") in page
    template = client.get(reverse("team_members_template"))
    assert template.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(template.content))
    ws = wb["队员名单"]
    assert [c.value for c in ws[1]] == HEADER
    validations = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert validations["C2:C5000"].startswith("'代码表'!$A$2") and validations["E2:E5000"].startswith("'代码表'!$B$2")
    codes = wb["代码表"]
    assert "第一书记" in [c.value for c in codes["A"]] and "网络扶贫带头人" in [c.value for c in codes["A"]]
    places = [c.value for c in codes["B"]][1:]
    assert "533301205201 季加村委会" in places and not any(p.startswith("533323") for p in places if p)
    bad = io.BytesIO(_xlsx([["刘书记", "123", "第一书记", "县委", "533301", None, None, None]]))
    bad.name = "bad.xlsx"
    r = client.post(reverse("team_members"), {"action": "upload", "file": bad})
    assert r.status_code == 200 and not Cadre.objects.filter(name="刘书记").exists()
    error_url = r.context["error_url"]
    page = r.content.decode()  # the shared rejection block: the count, the marked file, the errors row by row
    assert "1 处错误，全部未保存" in page and f'href="{error_url}"' in page and "<td>身份证号</td>" in page
    errors = client.get(error_url)
    assert errors.status_code == 200 and b"".join(errors.streaming_content)[:2] == b"PK"
    client.force_login(users["township"])
    assert client.get(error_url).status_code == 404  # another user's file
    client.force_login(county_admin)
    # the template itself, filled in, imports
    ws.append(["刘书记", id_for("533301", 10), "第一书记", "州委组织部", "533301205201 季加村委会", "2021-05-01", None, None])
    buf = io.BytesIO()
    wb.save(buf)
    good = io.BytesIO(buf.getvalue())
    good.name = "good.xlsx"
    r = client.post(reverse("team_members"), {"action": "upload", "file": good})
    assert r.status_code == 302 and Cadre.objects.get(name="刘书记").region_id == "533301205201"
    client.force_login(users["clerk"])
    assert client.get(reverse("team_members_template")).status_code == 403
    again = io.BytesIO(_xlsx([["x", id_for("533301", 20), "第一书记", "县委", "533301205201", None, None, None]]))
    again.name = "a.xlsx"
    r = client.post(reverse("team_members"), {"action": "upload", "file": again})
    assert r.status_code == 200 and not Cadre.objects.filter(name="x").exists()
