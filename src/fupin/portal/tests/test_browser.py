"""The public portal in headless Chromium: the home page, progress, needs and a need with its ledger at a desktop
width (1366 px) and a phone's (375 px, no horizontal scrolling), the map drawn; and the 'done when' of issue 17
walked by people in their own browsers: a clerk proposes a need with the household's consent, the township
publishes it, a netizen signs up on the portal and pledges, the township records the money and the disbursement,
the public ledger shows it, and withdrawing the consent takes the need off every public page at once.

Screenshots are written to ``PORTAL_SCREENSHOTS`` (a directory) when it is set."""

import os
import re
from pathlib import Path

import pytest

from fupin.testing import log_in

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 375, "height": 800}}


def _shot(page, name: str) -> None:
    folder = os.environ.get("PORTAL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _fits(page, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"{page.url}: {overflow} px wide at {width} px"


@pytest.mark.parametrize("size", list(WIDTHS))
def test_the_portal_at_desktop_and_phone_width(browser, live_server, demo_site, size):
    from fupin.welfare.models import Need

    need = Need.objects.filter(status__in=Need.PUBLIC_STATUSES, disbursed__gt=0).order_by("pk").first()
    assert need is not None
    viewport = WIDTHS[size]
    page = browser.new_page(viewport=viewport)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(live_server.url + "/")
    assert page.locator(".p-brand strong").inner_text() == "扶贫信息公开门户"
    page.wait_for_selector("#p-map svg path")  # the map of the frozen year, drawn by ECharts
    assert "2025" in page.inner_text(".p-hero") and page.locator(".p-figure").count() >= 2
    assert page.locator(".p-need").count() >= 1
    if size == "phone":
        _fits(page, viewport["width"])
    _shot(page, f"portal-home-{size}")

    page.goto(live_server.url + "/progress/5333/")
    assert "怒江" in page.locator("h1").inner_text()
    assert "<5" in page.inner_text(".p-table")  # 福贡县: three households, suppressed
    if size == "phone":
        _fits(page, viewport["width"])
    _shot(page, f"portal-progress-{size}")

    page.goto(live_server.url + "/needs/")
    cards = page.locator(".p-need")
    assert cards.count() >= 3
    if size == "phone":
        _fits(page, viewport["width"])
    _shot(page, f"portal-needs-{size}")

    page.click(f".p-need a[href='/needs/{need.pk}/']")
    page.wait_for_url(f"**/needs/{need.pk}/")
    ledger = page.inner_text(".p-table")
    assert "TX2026" in ledger and "收据 No." in ledger  # donations' references and the disbursement's evidence
    assert page.locator(".p-bar span").is_visible()
    if size == "phone":
        _fits(page, viewport["width"])
        table = page.locator(".p-scroll").bounding_box()
        assert table is not None and table["x"] + table["width"] <= viewport["width"]  # the ledger scrolls inside
    _shot(page, f"portal-need-{size}")
    assert errors == [], errors


def _submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_done_when_a_need_goes_from_the_village_to_the_public_ledger_and_away(browser, live_server, transactional_db):
    from fupin import testing
    from fupin.welfare.models import Donor, Need, Pledge

    tree = testing.make_tree()
    testing.make_users(tree)
    households = [testing.make_household(tree["533301205201"]) for _ in range(6)]
    household = households[3]
    base = live_server.url

    clerk = browser.new_context(viewport=WIDTHS["desktop"]).new_page()
    log_in(clerk, base, "clerk")
    clerk.goto(base + "/welfare/needs/new/")
    clerk.select_option("select[name=household]", str(household.pk))
    clerk.select_option("select[name=kind]", "school")
    clerk.fill("textarea[name=story]", "孩子考上县一中，学费和住宿费一学期约需三千元。")
    clerk.fill("input[name=goal]", "3000")
    clerk.fill("input[name=consent_by]", "户主本人")
    clerk.fill("input[name=consent_on]", "2026-11-20")
    clerk.select_option("select[name=consent_method]", "thumbprint")
    _submit(clerk, "main form button.primary")
    need = Need.objects.get(household=household)
    assert clerk.url.endswith(f"/welfare/needs/{need.pk}/") and need.status == "proposed"

    township = browser.new_context(viewport=WIDTHS["desktop"]).new_page()
    log_in(township, base, "township")
    township.goto(f"{base}/welfare/needs/{need.pk}/")
    _submit(township, "button[name=decision][value=publish]")
    assert Need.objects.get(pk=need.pk).status == "published"

    netizen = browser.new_context(viewport=WIDTHS["phone"]).new_page()
    netizen.goto(base + "/needs/")
    netizen.click(f".p-need a[href='/needs/{need.pk}/']")
    netizen.wait_for_url(f"**/needs/{need.pk}/")
    assert "季加村委会·张姓家庭" in netizen.inner_text("h1") and household.number not in netizen.content()
    netizen.click(f"a[href='/donors/join/?need={need.pk}']")
    netizen.fill("input[name=display_name]", "春雨助学志愿者")
    netizen.fill("input[name=username]", "chunyu")
    netizen.fill("input[name=password1]", "春雨-助学-2026-ok")
    netizen.fill("input[name=password2]", "春雨-助学-2026-ok")
    _fits(netizen, 375)
    _submit(netizen, "form.p-form button.p-button")
    assert "/welfare/donor/pledge/" in netizen.url
    netizen.fill("input[name=amount]", "3000")
    _submit(netizen, "main form button.primary")
    assert netizen.url.endswith("/welfare/donor/")
    donor = Donor.objects.get(user__username="chunyu")
    assert Pledge.objects.get(need=need).donor == donor and "3,000" in netizen.inner_text("main")
    _fits(netizen, 375)

    township.reload()
    donation = "form[action$='/donation/']"
    township.select_option(f"{donation} select[name=donor]", str(donor.pk))
    township.fill(f"{donation} input[name=amount]", "3000")
    township.select_option(f"{donation} select[name=channel]", "platform")
    township.fill(f"{donation} input[name=reference]", "GY2026112101")
    township.fill(f"{donation} input[name=received_on]", "2026-11-21")
    _submit(township, f"{donation} button")
    disbursement = "form[action$='/disbursement/']"
    township.fill(f"{disbursement} input[name=amount]", "3000")
    township.fill(f"{disbursement} input[name=paid_on]", "2026-11-25")
    township.fill(f"{disbursement} input[name=purpose]", "学费和住宿费")
    township.fill(f"{disbursement} input[name=evidence]", "收据 No.2026-17")
    _submit(township, f"{disbursement} button")

    public = browser.new_context(viewport=WIDTHS["phone"]).new_page()
    public.goto(f"{base}/needs/{need.pk}/")
    ledger = public.inner_text(".p-table")
    assert "GY2026112101" in ledger and "收据 No.2026-17" in ledger and "春雨助学志愿者" in ledger
    assert re.search(r"3,000\.00", ledger)
    _fits(public, 375)
    _shot(public, "portal-need-ledger-phone")

    clerk.reload()
    clerk.fill("form[action$='/withdraw/'] input[name=note]", "户主要求撤下")
    _submit(clerk, "form[action$='/withdraw/'] button")
    assert public.goto(f"{base}/needs/{need.pk}/").status == 404
    for path in ("/", "/needs/"):
        public.goto(base + path)
        assert public.locator(f"a[href='/needs/{need.pk}/']").count() == 0, path
    netizen.goto(base + "/welfare/donor/")
    assert f"/needs/{need.pk}/" in netizen.content()  # the donor keeps its pledge in its own list
