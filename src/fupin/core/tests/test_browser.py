"""Pages as a person sees them: headless Chromium (Debian's package) driven by Playwright."""

import os
import shutil

import pytest

from fupin.testing import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing; `make setup` installs the Debian package chromium")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/")
    assert "登录" in page.content()
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def test_county_user_logs_in_and_sees_only_its_county(browser, live_server, transactional_db):
    from fupin import testing

    tree = testing.make_tree()
    testing.make_users(tree)
    testing.make_households(tree)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server.url, "county")
    assert page.locator("h1").inner_text() == "泸水市"
    page.click("nav.mainnav >> text=区划")
    page.wait_for_load_state()
    body = page.content()
    assert "六库街道" in body and "古登乡" in body
    assert "福贡县" not in body and "贵州省" not in body
    # the chart on the overview is drawn by ECharts from the embedded data
    page.goto(live_server.url + "/")
    page.wait_for_selector("#by-region svg")


def test_phone_width_menu(browser, live_server, transactional_db):
    from fupin import testing

    tree = testing.make_tree()
    testing.make_users(tree)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    log_in(page, live_server.url, "clerk")
    nav_link = page.locator("nav.mainnav >> text=贫困户")
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
