"""Uploads: every accepted format and encoding; a malformed batch is rejected with a report and changes nothing."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from fupin.core.permissions import SYSTEM
from fupin.exchange import services
from fupin.exchange.models import Batch, Doubt

from .helpers import AS_OF, member_of, vehicles


def _files() -> list[Path]:
    root = Path(settings.VAR_DIR) / "exchange" / "batches"
    return sorted(root.rglob("*.parquet")) if root.exists() else []


def _csv(ids: list[str], header: str = "id_number,plate,vehicle_type,registered_on") -> str:
    return header + "\n" + "".join(f"{i},云A{n:05d},K,2021-05-0{n % 9 + 1}\n" for n, i in enumerate(ids))


@pytest.fixture
def ids(households):
    return [member_of(code).id_number for code in households]


def test_csv_utf8_bom_gb18030_xlsx_json_are_accepted(ids):
    b1 = services.upload_batch(actor=SYSTEM, dataset="vehicles", as_of=AS_OF, file_name="a.csv",
                               content=("\ufeff" + _csv(ids)).encode("utf-8"))
    # Chinese labels as headers, in GB18030 as Excel on a Chinese Windows writes them
    b2 = services.upload_batch(actor=SYSTEM, dataset="vehicles", as_of=AS_OF, file_name="b.csv",
                               content=_csv(ids, "身份证号码,号牌号码,车辆类型,初次登记日期").encode("gb18030"))
    wb = Workbook()
    ws = wb.active
    ws.append(["id_number", "plate", "vehicle_type", "registered_on"])
    for i in ids:
        ws.append([i, "云B12345", "H", "20200101"])
    buf = io.BytesIO()
    wb.save(buf)
    b3 = services.upload_batch(actor=SYSTEM, dataset="vehicles", as_of=AS_OF, file_name="c.xlsx", content=buf.getvalue())
    b4 = services.upload_batch(actor=SYSTEM, dataset="vehicles", as_of=AS_OF, file_name="d.json",
                               content=json.dumps([{"id_number": ids[0], "plate": "云C1", "vehicle_type": "M",
                                                    "registered_on": "2019-01-02"}]).encode())
    for b in (b1, b2, b3, b4):
        assert b.status == Batch.Status.ACCEPTED, b.report
    assert [b.version for b in (b1, b2, b3, b4)] == [1, 2, 3, 4]
    assert b2.report["encoding"] == "gb18030" and b1.report["encoding"] == "utf-8"
    assert b1.rows == len(ids) and b4.rows == 1
    assert len(_files()) == 4
    assert services.latest_batches()["vehicles"].pk == b4.pk


@pytest.mark.parametrize("content, name, expect", [
    ("bad-ids", "x.csv", "invalid ID number"),
    ("wrong-columns", "x.csv", "missing columns"),
    ("utf16", "x.csv", "not UTF-8 or GB18030"),
    ("bad-codes", "x.csv", "code not in list"),
    ("bad-dates", "x.csv", "invalid date"),
    ("not-a-table", "x.pdf", "unsupported file type"),
])
def test_malformed_batch_is_rejected_with_a_report_and_changes_nothing(ids, content, name, expect):
    good = vehicles(ids[0])
    services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    doubts_before = list(Doubt.objects.values_list("id", "fingerprint", "state"))
    files_before = _files()
    assert doubts_before  # the good batch raised one doubt
    if content == "bad-ids":
        text = _csv(ids[:2]) + "530102199001011230,云A1,K,2020-01-01\n12345,云A2,K,2020-01-01\n"
    elif content == "wrong-columns":
        text = "id_number,plate,colour\n" + ids[0] + ",云A1,red\n"
    elif content == "bad-codes":
        text = _csv(ids[:1]).replace(",K,", ",Z,")
    elif content == "bad-dates":
        text = _csv(ids[:1]).replace("2021-05-01", "2021-13-45")
    else:
        text = _csv(ids)
    raw = text.encode("utf-16") if content == "utf16" else text.encode("utf-8")
    bad = services.upload_batch(actor=SYSTEM, dataset="vehicles", as_of=AS_OF, file_name=name, content=raw)
    assert bad.status == Batch.Status.REJECTED
    report = bad.report
    assert not report["ok"]
    assert expect in (report["file_error"] + " ".join(report["by_message"]))
    if content == "bad-ids":
        assert [e["row"] for e in report["errors"]] == [4, 5]  # the two bad numbers, at their rows in the file (header: 1)
    assert bad.path == "" and _files() == files_before
    assert services.latest_batches()["vehicles"].pk == good.pk
    services.run_comparison(actor=SYSTEM, as_of=AS_OF)
    assert list(Doubt.objects.values_list("id", "fingerprint", "state")) == doubts_before


def test_command_rejects_with_a_report(ids, tmp_path):
    f = tmp_path / "v.csv"
    f.write_text(_csv(ids[:1]) + "not-an-id,云A,K,2020-01-01\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_batch", "vehicles", str(f), "--as-of", "2026-03-01")
    assert not Batch.objects.filter(status=Batch.Status.ACCEPTED).exists()
    f.write_text(_csv(ids), encoding="utf-8")
    call_command("import_batch", "vehicles", str(f), "--as-of", "2026-03-01")
    assert Batch.objects.get(status=Batch.Status.ACCEPTED).rows == len(ids)


def test_only_exchange_accounts_upload(users, ids):
    with pytest.raises(PermissionDenied):
        services.upload_batch(actor=users["township"], dataset="vehicles", as_of=AS_OF, file_name="a.csv",
                              content=_csv(ids).encode())
    b = services.upload_batch(actor=users["exchange"], dataset="vehicles", as_of=AS_OF, file_name="a.csv",
                              content=_csv(ids).encode())
    assert b.status == Batch.Status.ACCEPTED and b.region_code == "52"


def test_a_department_workbook_as_excel_makes_it(ids):
    """Through the upload kit: a title row, an unknown 备注 column (a warning), a date-time and a 年月日 date are
    accepted; an ID number typed as an Excel number (digits lost) is refused naming its row."""
    wb = Workbook()
    ws = wb.active
    ws.append(["车辆登记信息（2021 年）"])
    ws.append(["身份证号码", "号牌号码", "车辆类型", "初次登记日期", "备注"])
    ws.append([ids[0], "云A00001", "K", "2021年5月1日", "x"])
    ws.append([ids[1], "云A00002", "K", dt.datetime(2021, 5, 2, 9, 30), ""])
    buf = io.BytesIO()
    wb.save(buf)
    good = services.upload_batch(actor=SYSTEM, dataset="vehicles", as_of=AS_OF, file_name="v.xlsx", content=buf.getvalue())
    assert good.status == Batch.Status.ACCEPTED, good.report
    assert [(w["row"], w["column"]) for w in good.report["warnings"]] == [(2, "备注")]
    ws.append([float(ids[2][:17]), "云A00003", "K", "2021-05-03"])
    buf = io.BytesIO()
    wb.save(buf)
    bad = services.upload_batch(actor=SYSTEM, dataset="vehicles", as_of=AS_OF, file_name="w.xlsx", content=buf.getvalue())
    assert bad.status == Batch.Status.REJECTED
    assert [(e["row"], e["column"]) for e in bad.report["errors"]] == [(5, "id_number")]
    assert "设置单元格格式→文本" in bad.report["errors"][0]["message"]
