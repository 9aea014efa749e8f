"""A shop operator on a phone (375 px), in headless Chromium: its shop with the households masked, a month's upload
with one bad row (nothing saved, the marked file back); the public trace page."""

import datetime as dt
import io

import openpyxl
import pytest

from fupin.testing import log_in

pytestmark = pytest.mark.browser


def test_shop_operator_on_a_phone(browser, live_server, transactional_db, tmp_path):
    from fupin import testing
    from fupin.commerce import services
    from fupin.commerce.models import Purchase
    from fupin.core.roles import Role

    tree = testing.make_tree()
    bureau = testing.make_user("bureau", tree["533301"], Role.COMMERCE_BUREAU)
    operator = testing.make_user("shopkeeper", None, Role.SHOP_OPERATOR)
    h = testing.make_household(tree["533301205201"])
    shop = services.register_shop(actor=operator, name="怒江草果小店", model="able_person", owner="李四",
                                  platform="淘宝", region_code="533301205")
    services.decide_shop(actor=bureau, shop_id=shop.pk, approve=True)
    services.link_household(actor=operator, shop_id=shop.pk, household_id=h.pk, started_on=dt.date(2020, 1, 1))
    head = h.members.get(relation="01").name

    page = browser.new_page(viewport={"width": 375, "height": 800}, accept_downloads=True)
    log_in(page, live_server.url, "shopkeeper")
    page.goto(f"{live_server.url}/commerce/")
    page.wait_for_url(f"**/commerce/shops/{shop.pk}/")
    body = page.inner_text("main")
    assert "怒江草果小店" in body and head[0] + "*" in body and head not in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["户编号", "产品", "收购日期", "数量", "单位", "单价（元）", "保护价（元）"])
    ws.append([h.number, "草果", "2021-03-02", 10, "kg", 12, 10])
    ws.append([h.number, "草果", "2021-03-03", 10, "kg", 8, 10])  # below the protective price
    path = tmp_path / "2021-03.xlsx"
    wb.save(path)
    page.click("text=上传月度收购表")
    page.fill("input[name=month]", "2021-03")
    page.set_input_files("input[name=file]", str(path))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=全部未保存")
    assert not Purchase.objects.exists()
    with page.expect_download() as download:
        page.click("text=下载标注错误的文件")
    marked = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))["Sheet"]
    assert marked.cell(3, 6).fill.fgColor.rgb.endswith("FFC7CE") and "保护价" in marked.cell(3, 8).value
