"""A helping cadre on a phone (375 px), in headless Chromium: their households, a visit logged with a photo."""

import datetime as dt

import pytest

from fupin.testing import log_in

pytestmark = pytest.mark.browser


def test_cadre_logs_a_visit_with_a_photo_on_a_phone(browser, live_server, transactional_db, tmp_path, settings):
    from fupin import testing
    from fupin.core.roles import Role
    from fupin.team import services
    from fupin.team.models import Visit, VisitPhoto
    from fupin.team.tests.conftest import id_for
    from fupin.team.tests.test_visits import png

    settings.VAR_DIR = tmp_path
    testing.ensure_code_lists()  # an earlier browser test's live server flushed what the migration loaded
    tree = testing.make_tree()
    county = testing.make_user("county", tree["533301"], Role.COUNTY_ADMIN)
    user = testing.make_user("cadre1", tree["533301205201"], Role.CADRE)
    cadre = services.save_cadre(actor=county, name="王书记", id_number=id_for("533301", 1), kind="first_secretary",
                                unit="泸水市委组织部", region_code="533301205201")
    cadre.user = user
    cadre.save(update_fields=["user"])
    h = testing.make_household(tree["533301205201"])
    testing.make_household(tree["533301205201"])  # another household, not theirs
    services.set_household_cadre(actor=county, household_id=h.pk, cadre_id=cadre.pk)
    photo = tmp_path / "visit.png"
    photo.write_bytes(png())

    page = browser.new_page(viewport={"width": 375, "height": 800})
    log_in(page, live_server.url, "cadre1")
    page.goto(f"{live_server.url}/team/mine/")
    body = page.inner_text("main")
    assert "待走访" in body and body.count("记录走访") == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.click("text=记录走访")
    page.fill("textarea[name=findings]", "住房安全，务工稳定")
    page.set_input_files("input[name=photos]", str(photo))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.click("main button[type=submit]")  # not the header's search button
    page.wait_for_url("**/team/mine/")
    assert "本月已走访" in page.inner_text("main")
    visit = Visit.objects.get()
    assert visit.household_id == h.pk and visit.visited_on == dt.date.today() and VisitPhoto.objects.count() == 1
