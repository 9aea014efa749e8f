"""The monthly purchase upload: all or nothing, with the bad cells marked in the error workbook."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
from django.urls import reverse

from fupin import testing
from fupin.commerce import services
from fupin.commerce.models import Purchase
from fupin.core.models import AuditEvent
from fupin.core.roles import Role

HEAD = ["户编号", "产品", "收购日期", "数量", "单位", "单价（元）", "保护价（元）", "金额（元）"]


def _xlsx(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "收购记录"
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _good(households):
    a, b = households["533301205201"].number, households["533301101201"].number
    return [[a, "草果", "2021-03-02", 10, "kg", 12.5, 10, 125],
            [b, "核桃", "2021-03-15", "2.125", "kg", "20.05", "18", None],
            [a, "草果", dt.datetime(2021, 3, 31), 1, "kg", 10, 10, "10.00"]]


def test_a_good_month_is_written_in_one_go(shop, operator, households):
    result = services.import_purchases(actor=operator, shop_id=shop.pk, content=_xlsx(_good(households)),
                                       filename="2021-03.xlsx", month="2021-03")
    assert result.ok and result.created == 3
    amounts = sorted(Purchase.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("10.00"), Decimal("42.61"), Decimal("125.00")]  # 2.125 × 20.05 = 42.60625
    p = Purchase.objects.get(product="核桃")
    assert p.quantity == Decimal("2.125") and p.protective_price == Decimal("18.00") and p.upload.startswith("2021-03/")
    assert AuditEvent.objects.filter(action="bulk", object_type="commerce.purchase").count() == 1


def test_one_bad_row_writes_nothing_and_comes_back_marked(shop, operator, households, tmp_path):
    rows = _good(households)
    rows.insert(1, [households["533301205201"].number, "草果", "2021-03-05", 4, "kg", 9, 10, 36])  # below protective
    path = tmp_path / "errors.xlsx"
    result = services.import_purchases(actor=operator, shop_id=shop.pk, content=_xlsx(rows), filename="m.xlsx",
                                       month="2021-03", error_path=path)
    assert not result.ok and result.created == 0 and not Purchase.objects.exists()
    assert [(c.row, c.column) for c in result.conflicts] == [(3, "单价（元）")]
    ws = openpyxl.load_workbook(path)["收购记录"]
    assert ws.cell(3, 6).fill.fgColor.rgb.endswith("FFC7CE")  # the price cell is red
    assert "保护价" in ws.cell(3, 9).value
    assert ws.cell(2, 6).fill.fgColor.rgb in (None, "00000000")


def test_every_kind_of_bad_row_is_named(shop, operator, households, users):
    a = households["533301205201"].number
    rows = [
        [a, "草果", "2021-03-02", 10, "kg", 12.5, 10, 126],  # wrong amount
        ["999999", "草果", "2021-03-02", 1, "kg", 10, 10, None],  # unknown household
        [households["533323101201"].number, "草果", "2021-03-02", 1, "kg", 10, 10, None],  # other county
        [a, "草果", "2021-04-02", 1, "kg", 10, 10, None],  # other month
        [a, "草果", "2019-03-02", 1, "kg", 10, 10, None],  # other month, before the link
        [a, "草果", "2021-03-02", "1.2345", "kg", 10, 10, None],  # too many decimals
        [a, None, "2021-03-02", 1, "kg", 10, 10, None],  # no product
    ]
    result = services.import_purchases(actor=operator, shop_id=shop.pk, content=_xlsx(rows), filename="m.xlsx",
                                       month="2021-03")
    marked = {(c.row, c.column) for c in result.conflicts}
    assert {(2, "金额（元）"), (3, "户编号"), (4, "户编号"), (5, "收购日期"), (6, "收购日期"), (7, "数量"),
            (8, "产品")} <= marked
    assert not Purchase.objects.exists()


def test_upload_page_returns_the_marked_workbook(client, shop, operator, households):
    client.force_login(operator)
    url = reverse("commerce_upload", args=[shop.pk])
    assert client.get(url).status_code == 200
    rows = [*_good(households), ["123", "草果", "2021-03-02", 1, "kg", 10, 10, None]]
    f = io.BytesIO(_xlsx(rows))
    f.name = "2021-03.xlsx"
    r = client.post(url, {"month": "2021-03", "file": f})
    page = r.content.decode()
    assert r.status_code == 200 and "户编号" in page and not Purchase.objects.exists()
    link = r.context["error_url"]
    wb = client.get(link)
    assert wb.status_code == 200 and wb["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(wb.streaming_content) if wb.streaming else wb.content))
    assert ws["收购记录"].cell(5, 1).value == "123"
    other = testing.make_user("op2", None, Role.SHOP_OPERATOR)
    client.force_login(other)
    assert client.get(link).status_code == 404
    f = io.BytesIO(_xlsx(_good(households)))
    f.name = "2021-03.xlsx"
    client.force_login(operator)
    r = client.post(url, {"month": "2021-03", "file": f})
    assert r.status_code == 302 and Purchase.objects.count() == 3
