"""The dashboard as a person sees it, in headless Chromium: the map and the bars are drawn, a click drills
down, and nothing is wider than a 375 px phone."""

import pytest

from fupin.testing import log_in

from .factories import COVER, seed

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("inds")]


def test_dashboard_on_a_phone_drills_down_by_clicking_a_bar(browser, live_server, transactional_db):
    from fupin import testing

    tree = testing.make_tree()
    testing.make_users(tree)
    seed(tree)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    log_in(page, live_server.url, "county")
    page.goto(f"{live_server.url}/indicators/?indicator={COVER}")
    page.wait_for_selector("#ind-bars svg path", state="attached")
    page.wait_for_selector("#ind-trend svg path", state="attached")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # the first bar (best first: 六库街道, 95): click the middle of it, where ECharts drew it
    page.locator("#ind-bars").scroll_into_view_if_needed()
    x, y = page.evaluate("""() => {
        const el = document.getElementById('ind-bars');
        const [px, py] = echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [47, 0]);
        const r = el.getBoundingClientRect();
        return [r.left + px, r.top + py];
    }""")
    for _attempt in range(3):  # ECharts hit-tests on mouse move; a busy machine may need a second try
        page.mouse.move(x, y - 2)
        page.mouse.move(x, y)
        page.wait_for_timeout(500)
        page.mouse.down()
        page.mouse.up()
        try:
            page.wait_for_url("**region=533301101**", timeout=5000)
            break
        except Exception:
            continue
    page.wait_for_url("**region=533301101**")
    assert "六库街道" in page.locator("h1").inner_text()


def test_nation_map_is_drawn_from_the_outlines(browser, live_server, transactional_db):
    from fupin import testing

    tree = testing.make_tree()
    testing.make_users(tree)
    seed(tree)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    csp_errors: list[str] = []  # the Content-Security-Policy blocks nothing the dashboard uses
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    log_in(page, live_server.url, "sysadmin")
    page.goto(f"{live_server.url}/indicators/?indicator={COVER}")
    page.wait_for_selector("#ind-map svg path")
    assert page.locator("#ind-map svg path").count() > 30  # provinces of china.json
    assert csp_errors == []
