"""Pages as a person sees them: headless Chromium (Debian's package) driven by Playwright."""

import pytest

from fupin.testing import log_in

pytestmark = pytest.mark.browser


def test_county_user_logs_in_and_sees_only_its_county(browser, live_server, transactional_db):
    from fupin import testing

    tree = testing.make_tree()
    testing.make_users(tree)
    households = testing.make_households(tree)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []  # the Content-Security-Policy must not block anything our pages use
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server.url, "county")
    assert page.locator("h1").inner_text() == "泸水市"
    page.click("nav.mainnav summary >> text=建档立卡")  # the registry's group (core.navigation), then its entry
    page.click("nav.mainnav >> text=区划")
    page.wait_for_load_state()
    body = page.content()
    assert "六库街道" in body and "古登乡" in body
    assert "福贡县" not in body and "贵州省" not in body
    # the chart on the overview is drawn by ECharts from the embedded data
    page.goto(live_server.url + "/workbench/")
    page.wait_for_selector("#by-region svg")
    page.goto(live_server.url + f"/households/{households['533301205201'].pk}/")
    page.wait_for_selector("#income-chart svg, #income-chart canvas")
    assert page.evaluate("typeof htmx") == "object"
    assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == [], errors


def test_phone_width_menu(browser, live_server, transactional_db):
    from fupin import testing

    tree = testing.make_tree()
    testing.make_users(tree)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    log_in(page, live_server.url, "clerk")
    nav_link = page.locator("nav.mainnav a[href=\"/households/\"]")
    assert not nav_link.is_visible()
    page.click("label.navbutton")
    assert nav_link.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_english_switch(browser, live_server, transactional_db):
    page = browser.new_page()
    page.goto(live_server.url + "/login/")
    page.click("button[name=language]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Network Poverty Alleviation Information Service Platform"


def test_clerk_registers_a_household_on_a_phone(browser, live_server, transactional_db):
    import datetime as dt

    from fupin import testing
    from fupin.registry import idnumber
    from fupin.registry.models import Household

    testing.ensure_code_lists()  # an earlier transactional test flushed what the migration loaded
    tree = testing.make_tree()
    testing.make_users(tree)
    head_id = idnumber.make(idnumber.issuing_code("533301", 1980), dt.date(1980, 5, 6), 1, "1")
    child_id = idnumber.make(idnumber.issuing_code("533301", 2012), dt.date(2012, 9, 1), 2, "2")
    page = browser.new_page(viewport={"width": 375, "height": 800})
    log_in(page, live_server.url, "clerk")
    page.goto(live_server.url + "/households/")
    page.click("a[href='/households/new/']")
    page.wait_for_selector("input[name=number]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # the clerk's only village is already chosen
    assert page.input_value("select[name=village]") == "533301205201"
    page.fill("input[name=number]", "53330120520100901")
    page.select_option("select[name=h-main_cause]", "02")
    page.fill("input[name=h-identified_year]", "2019")
    page.fill("input[name=m0-name]", "王大山")
    page.fill("input[name=m0-id_number]", head_id)
    page.select_option("select[name=m0-ethnicity]", "01")
    page.select_option("select[name=m0-health]", "01")
    page.click("#add-member-slot button")  # htmx adds a member block
    page.wait_for_selector("input[name=m1-name]")
    page.fill("input[name=m1-name]", "王小花")
    page.fill("input[name=m1-id_number]", child_id)
    page.fill("input[name=m1-birth_date]", "2012-09-02")  # disagrees with the ID number
    page.select_option("select[name=m1-relation]", "04")
    page.select_option("select[name=m1-ethnicity]", "01")
    page.select_option("select[name=m1-health]", "01")
    page.click("button[type=submit].primary")
    page.wait_for_selector(".field-error")
    error = page.locator("[data-field='m1-birth_date'] .field-error")
    assert "2012-09-01" in error.inner_text() and error.is_visible()
    assert not Household.objects.filter(number="53330120520100901").exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.fill("input[name=m1-birth_date]", "")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/households/*/")
    h = Household.objects.get(number="53330120520100901")
    assert h.members.count() == 2 and h.main_cause == "02"
    assert "53330120520100901" in page.locator("h1").inner_text()
    assert "王小花" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
