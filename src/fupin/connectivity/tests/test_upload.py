"""Uploads are validated all or nothing: a bad file changes nothing and names each bad row and column."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from fupin.connectivity import services
from fupin.connectivity.models import ConnectivityEvent, VillageStatus
from fupin.core.models import AuditEvent

HEADER = "区划代码,日期,类型,值,资金（万元）,来源\n"


def test_good_csv_in_gb18030_is_imported(users):
    content = (HEADER + "533301205201,2019-05-01,光纤,是,,电信\n533301101201,2019/06/01,带宽,100,,\n"
               "533323101201,2018-01-01,普遍服务试点,3,40,县工信局\n").encode("gb18030")
    result = services.import_events(content=content, filename="up.csv", actor=users["sysadmin"])
    assert result.created == 3 and result.counts["villages"] == 3
    assert VillageStatus.objects.get(village_id="533301205201").connected
    assert VillageStatus.objects.get(village_id="533323101201").pilot_batch == 3
    assert AuditEvent.objects.filter(action="bulk", object_type="connectivity.connectivityevent").exists()


def test_bad_upload_changes_nothing_and_names_the_rows(users):
    services.import_events(content=(HEADER + "533301205201,2019-05-01,光纤,是,,\n").encode(), filename="a.csv",
                           actor=users["sysadmin"])
    before = (ConnectivityEvent.objects.count(), list(VillageStatus.objects.values_list("village_id", "connected")))
    content = (HEADER
               + "533301205201,2020-01-01,断网,,,\n"          # row 2: fine on its own
               + "533301205201,2020-13-01,光纤,是,,\n"        # row 3: bad date
               + "5333012052,2020-01-01,光纤,是,,\n"          # row 4: not a village code
               + "533301205201,2020-01-01,卫星,是,,\n"        # row 5: unknown kind
               + "533301205201,2020-01-01,带宽,fast,,\n"      # row 6: not a number
               + "533301205299,2020-01-01,光纤,是,,\n"        # row 7: no such village
               + "533301205201,2099-01-01,光纤,是,,\n").encode("utf-8-sig")  # row 8: future
    with pytest.raises(services.EventDataError) as exc:
        services.import_events(content=content, filename="b.csv", actor=users["sysadmin"])
    rows = {(e.row, e.column.split(" / ")[1]) for e in exc.value.errors}
    assert rows == {(3, "date"), (4, "code"), (5, "kind"), (6, "value"), (7, "code"), (8, "date")}
    assert all(" / " in e.message for e in exc.value.errors)  # 中文 / English
    after = (ConnectivityEvent.objects.count(), list(VillageStatus.objects.values_list("village_id", "connected")))
    assert after == before


def test_rows_outside_the_writers_region_are_errors(users):
    content = (HEADER + "533301205201,2019-05-01,光纤,是,,\n533323101201,2019-05-01,光纤,是,,\n").encode()
    with pytest.raises(services.EventDataError) as exc:
        services.import_events(content=content, filename="c.csv", actor=users["county"])
    assert [(e.row, "outside" in e.message) for e in exc.value.errors] == [(3, True)]
    assert ConnectivityEvent.objects.count() == 0


def test_xlsx_upload_through_the_page(client, users):
    wb = Workbook()
    ws = wb.active
    ws.append(["区划代码", "日期", "类型", "值"])
    ws.append([533301205201, "2019-05-01", "4G", "是"])
    ws.append([533301205201, "not a date", "4G", "是"])
    buf = io.BytesIO()
    wb.save(buf)
    client.force_login(users["county"])
    upload = io.BytesIO(buf.getvalue())
    upload.name = "events.xlsx"
    response = client.post("/connectivity/import/", {"file": upload})
    assert response.status_code == 200
    assert [(e.row, e.column) for e in response.context["errors"]] == [(3, "日期 / date")]
    assert ConnectivityEvent.objects.count() == 0


def test_command_reports_every_error(tmp_path, tree, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "533301205201,2019-05-01,光纤,maybe,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_connectivity", str(path))
    assert "row 2" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "533301205201,2019-05-01,光纤,是,,\n", encoding="utf-8")
    call_command("import_connectivity", str(good))
    assert ConnectivityEvent.objects.count() == 1


def test_roles_without_write_access_cannot_upload(users):
    with pytest.raises(services.PermissionDenied):
        services.import_events(content=(HEADER + "533301205201,2019-05-01,光纤,是,,\n").encode(), filename="d.csv",
                               actor=users["clerk"])
