"""Facility uploads: upserted by type + region + name (+ year), all or nothing, bilingual errors per row and column."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from fupin.connectivity import services
from fupin.connectivity.models import Facility
from fupin.core.models import AuditEvent

HEADER = "类型,区划代码,名称,开通日期,关闭日期,接入日期,带宽（Mbps）,多媒体教室,年度,新建基站,新建站址,一户一终端户数,精准降费户数,来源\n"
GOOD = (HEADER
        + "学校,533301205,古登乡中心学校,,,2018-09-01,100,12,,,,,,县教育局\n"
        + "村卫生室,533301205201,季加村卫生室,,,2019/4/1,,,,,,,,\n"
        + "益农社,533301205201,季加村益农信息社,2017-05-01,,,,,,,,,,\n"
        + "基站,533301,,,,,,,2020,45,12,,,中国移动\n"
        + "一户一终端,533301,,,,,,,2020,,,1200,8000,\n")


def _snapshot():
    return sorted(Facility.objects.values_list("type", "region_id", "name", "connected_on", "bandwidth", "classrooms",
                                               "opened_on", "year", "new_stations", "terminals", "source"))


def test_good_gb18030_file_is_upserted(users):
    result = services.import_facilities(content=GOOD.encode("gb18030"), filename="f.csv", actor=users["county"])
    assert (result.counts["rows"], result.created, result.updated, result.unchanged) == (5, 5, 0, 0)
    school = Facility.objects.get(type="school")
    assert (school.region_id, school.name, str(school.connected_on), school.bandwidth, school.classrooms) == (
        "533301205", "古登乡中心学校", "2018-09-01", 100, 12)
    assert str(Facility.objects.get(type="village_clinic").connected_on) == "2019-04-01"
    assert Facility.objects.get(type="base_stations").new_stations == 45
    assert AuditEvent.objects.filter(action="bulk", object_type="connectivity.facility").count() == 1
    # the same file again changes nothing; a changed row updates in place (no second school)
    again = services.import_facilities(content=GOOD.encode("utf-8-sig"), filename="f.csv", actor=users["county"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    changed = HEADER + "学校,533301205,古登乡中心学校,,,2018-09-01,1000,14,,,,,,县教育局\n"
    r = services.import_facilities(content=changed.encode(), filename="g.csv", actor=users["county"])
    assert (r.created, r.updated) == (0, 1)
    assert Facility.objects.filter(type="school").count() == 1
    assert Facility.objects.get(type="school").bandwidth == 1000
    # another year of base stations is another facility
    r = services.import_facilities(content=(HEADER + "基站,533301,,,,,,,2019,30,5,,,\n").encode(), filename="h.csv",
                                     actor=users["county"])
    assert r.created == 1 and Facility.objects.filter(type="base_stations").count() == 2


def test_bad_file_changes_nothing_and_names_rows_and_columns(users):
    services.import_facilities(content=GOOD.encode(), filename="f.csv", actor=users["sysadmin"])
    before = _snapshot()
    bad = (HEADER
           + "学校,533301205,古登乡中心学校,,,2018-09-01,500,12,,,,,,\n"      # row 2: fine (an update)
           + "卫星站,533301205,某站,,,,,,,,,,,\n"                            # row 3: unknown type
           + "学校,533301205,古登乡二小,,,2018-02-30,,,,,,,,\n"              # row 4: bad date
           + "村卫生室,533301205201,季加村卫生室,,,,,,2020,,,,,\n"            # row 5: year does not apply
           + "学校,533301205,古登乡三小,,,,fast,,,,,,,\n"                    # row 6: bandwidth not a number
           + "基站,533301,,,,,,,,10,1,,,\n"                                  # row 7: year missing
           + "村卫生室,533301205,古登乡卫生室,,,,,,,,,,,\n"                   # row 8: clinic at a township
           + "学校,533323101,上帕镇中心学校,,,,,,,,,,,\n"                     # row 9: outside the county
           + "益农社,533301205201,季加村益农信息社,2018-01-01,2017-01-01,,,,,,,,,\n"  # row 10: closed before opened
           + "学校,533301205,古登乡中心学校,,,,,,,,,,,\n"                     # row 11: same facility as row 2
           + "学校,533301205,,,,,,,,,,,,\n")                                 # row 12: name missing
    with pytest.raises(services.EventDataError) as exc:
        services.import_facilities(content=bad.encode(), filename="bad.csv", actor=users["county"])
    found = {(e.row, e.column) for e in exc.value.errors}
    assert found == {(3, "类型 / type"), (4, "接入日期 / connected_on"), (5, "年度 / year"),
                     (6, "带宽（Mbps） / bandwidth"), (7, "年度 / year"), (8, "区划代码 / code"),
                     (9, "区划代码 / code"), (10, "关闭日期 / closed_on"), (11, "名称 / name"), (12, "名称 / name")}
    assert all(" / " in e.message for e in exc.value.errors)  # 中文 / English
    assert "outside your region" in next(e.message for e in exc.value.errors if e.row == 9)
    assert str(exc.value.errors[0]).startswith("bad.csv row 3, 类型 / type: ")
    assert _snapshot() == before  # row 2's update was not written either
    assert AuditEvent.objects.filter(object_type="connectivity.facility").count() == 1


def test_missing_columns_and_roles(users):
    with pytest.raises(services.EventDataError) as exc:
        services.import_facilities(content="名称,年度\nx,2020\n".encode(), filename="m.csv", actor=users["county"])
    assert exc.value.errors[0].row == 1 and "missing columns: type, code" in exc.value.errors[0].message
    with pytest.raises(services.PermissionDenied):
        services.import_facilities(content=GOOD.encode(), filename="f.csv", actor=users["clerk"])
    assert Facility.objects.count() == 0


def test_xlsx_through_the_page_and_template(client, users):
    client.force_login(users["county"])
    template = client.get("/connectivity/facilities/template.xlsx")
    assert template.status_code == 200
    # the template's own example rows are a valid upload for the county of the example
    upload = io.BytesIO(template.content)
    upload.name = "template.xlsx"
    response = client.post("/connectivity/facilities/", {"file": upload})
    assert response.status_code == 200 and response.context["result"].created == 5
    wb = Workbook()
    ws = wb.active
    ws.append(["类型", "区划代码", "名称", "接入日期"])
    ws.append(["学校", 533301205201, "季加小学", "2019-01-01"])
    ws.append(["学校", 533301205201, "季加二小", "someday"])
    buf = io.BytesIO()
    wb.save(buf)
    bad = io.BytesIO(buf.getvalue())
    bad.name = "bad.xlsx"
    response = client.post("/connectivity/facilities/", {"file": bad})
    assert [(e.row, e.column) for e in response.context["errors"]] == [(3, "接入日期 / connected_on")]
    assert not Facility.objects.filter(name="季加小学").exists()
    client.force_login(users["clerk"])
    assert client.post("/connectivity/facilities/", {"file": io.BytesIO(b"x")}).status_code == 403


def test_command(tmp_path, tree, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes((HEADER + "学校,533301205,,,,,,,,,,,,\n").encode("gb18030"))
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_facilities", str(path))
    assert "row 2" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD.encode("gb18030"))
    call_command("import_facilities", str(good))
    assert "5 created" in capsys.readouterr().out
    assert Facility.objects.count() == 5
