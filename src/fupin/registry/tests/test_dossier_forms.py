"""The clerk's forms: register a household, edit it, its members and its income — every write through the
services, every service message next to its field, nothing written when anything is wrong."""

import datetime as dt
import re

import pytest

from fupin.core.models import AuditEvent
from fupin.registry.models import Household, HouseholdVersion, Income, Member

from .dossier_helpers import household_post, login, member_post, register_post, valid_id

HEAD_BIRTH, CHILD_BIRTH = dt.date(1980, 5, 6), dt.date(2012, 9, 1)


def field_errors(html: str, field: str) -> list[str]:
    """The messages shown inside the block of one field (``data-field`` is the input's name)."""
    m = re.search(rf'<div class="field[^"]*" data-field="{re.escape(field)}">(.*?)</div>', html, re.S)
    assert m, f"no field {field} on the page"
    return re.findall(r'<p class="field-error" role="alert">(.*?)</p>', m.group(1), re.S)


def test_clerk_registers_a_household_and_it_appears(users, tree):
    c = login("clerk")
    page = c.get("/households/new/").content.decode()
    # a clerk's region holds few villages: a list, with its only village chosen
    assert re.search(r'<select name="village"[^>]*>\s*<option value="">[^<]*</option>\s*<option value="533301205201" selected>', page)
    data = register_post("53330120520100777", [
        member_post(0, name="王大山", id_number=valid_id(HEAD_BIRTH)),
        member_post(1, name="王小花", id_number=valid_id(CHILD_BIRTH, 2, "2"), relation="04", schooling="04"),
    ], other_causes=["02", "05"])
    r = c.post("/households/new/", data)
    assert r.status_code == 302, r.content.decode()
    h = Household.objects.get(number="53330120520100777")
    assert r["Location"] == f"/households/{h.pk}/"
    assert h.village_id == "533301205201" and h.other_causes == ["02", "05"]
    head = h.members.get(relation="01")
    assert head.name == "王大山" and head.birth_date == HEAD_BIRTH and head.sex == "1"  # derived from the ID
    assert h.members.get(relation="04").sex == "2"
    assert h.versions.get().kind == HouseholdVersion.Kind.CREATE
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(h.pk)).exists()
    assert "53330120520100777" in c.get("/households/", {"q": "53330120520100777"}).content.decode()
    assert "王大山" in c.get(f"/households/{h.pk}/").content.decode()


def _register_rejected(c, data):
    before = (Household.objects.count(), Member.objects.count(), HouseholdVersion.objects.count())
    r = c.post("/households/new/", data)
    assert r.status_code == 200
    assert (Household.objects.count(), Member.objects.count(), HouseholdVersion.objects.count()) == before
    return r.content.decode()


def test_invalid_id_number_is_shown_next_to_the_field_and_nothing_is_written(users, tree):
    bad = valid_id(HEAD_BIRTH)[:17] + ("0" if valid_id(HEAD_BIRTH)[17] != "0" else "1")
    html = _register_rejected(login("clerk"), register_post("53330120520100778", [
        member_post(0, name="王大山", id_number=bad)]))
    assert field_errors(html, "m0-id_number") == ["身份证号码校验位错误"]
    assert field_errors(html, "m0-name") == []


def test_birth_date_disagreeing_with_the_id_is_shown_next_to_the_birth_date(users, tree):
    html = _register_rejected(login("clerk"), register_post("53330120520100779", [
        member_post(0, name="王大山", id_number=valid_id(HEAD_BIRTH)),
        member_post(1, name="王小花", id_number=valid_id(CHILD_BIRTH, 2, "2"), relation="04", birth_date="2012-09-02"),
    ]))
    assert field_errors(html, "m1-birth_date") == [
        "出生日期与身份证号码不符（应为 2012-09-01）"]
    assert field_errors(html, "m0-birth_date") == []
    # what was typed is kept
    assert 'value="王小花"' in html and 'value="2012-09-02"' in html


def test_a_person_active_elsewhere_is_refused_next_to_the_id_number(users, tree):
    c = login("clerk")
    person = valid_id(HEAD_BIRTH)
    assert c.post("/households/new/", register_post("53330120520100780", [
        member_post(0, name="王大山", id_number=person)])).status_code == 302
    html = _register_rejected(c, register_post("53330120520100781", [
        member_post(0, name="李四", id_number=valid_id(dt.date(1975, 1, 2), 3)),
        member_post(1, name="王大山", id_number=person, relation="03"),
    ]))
    assert field_errors(html, "m1-id_number") == [
        "此人已是其他户的在册成员，请联系县级扶贫部门核实"]


def test_household_errors_and_village_outside_scope(users, tree):
    c = login("clerk")
    data = register_post("53330120520100782", [member_post(0, name="王大山", id_number=valid_id(HEAD_BIRTH))],
                         identified_year="2024", exit_year="2019")
    html = _register_rejected(c, data)
    assert field_errors(html, "h-exit_year") == ["脱贫年度不能早于识别年度"]
    # the clerk's select holds only its village: another one is not a choice
    data = register_post("53330120520100783", [member_post(0, name="王大山", id_number=valid_id(HEAD_BIRTH))],
                         village="533301101201")
    html = _register_rejected(c, data)
    assert field_errors(html, "village")


def test_county_types_a_village_code_checked_against_its_scope(users, tree, monkeypatch):
    from fupin.registry import selectors

    monkeypatch.setattr(selectors, "VILLAGE_LIST_LIMIT", 0)  # as for a county of hundreds of villages
    c = login("county")
    page = c.get("/households/new/").content.decode()
    assert 'pattern="[0-9]{12}"' in page
    html = _register_rejected(c, register_post("53332310120100001", [
        member_post(0, name="王大山", id_number=valid_id(HEAD_BIRTH))], village="533323101201"))
    assert field_errors(html, "village") == ["该村不在您的管辖范围内"]
    html = _register_rejected(c, register_post("53330110120100001", [
        member_post(0, name="王大山", id_number=valid_id(HEAD_BIRTH))], village="533301101999"))
    assert field_errors(html, "village") == ["“533301101999”不是已加载的行政村代码"]
    r = c.post("/households/new/", register_post("53330110120100001", [
        member_post(0, name="王大山", id_number=valid_id(HEAD_BIRTH))], village="533301101201"))
    assert r.status_code == 302 and Household.objects.get(number="53330110120100001").village_id == "533301101201"


def test_analyst_sees_no_edit_buttons_and_gets_403(users, households):
    h = households["533301205201"]
    a = login("analyst")
    for url in ("/households/", f"/households/{h.pk}/"):
        html = a.get(url).content.decode()
        assert "/households/new/" not in html and f"/households/{h.pk}/edit/" not in html
        assert "/members/add/" not in html and "/income/" not in html
    clerk_html = login("clerk").get(f"/households/{h.pk}/").content.decode()
    assert f"/households/{h.pk}/edit/" in clerk_html and "/members/add/" in clerk_html
    assert "/households/new/" in login("clerk").get("/households/").content.decode()
    member = h.members.exclude(relation="01").first()
    for url in ("/households/new/", f"/households/{h.pk}/edit/", f"/households/{h.pk}/members/add/",
                f"/households/{h.pk}/members/{member.pk}/edit/", f"/households/{h.pk}/members/{member.pk}/remove/",
                f"/households/{h.pk}/income/"):
        assert a.get(url).status_code == 403, url
        assert a.post(url, {"reason": "x"}).status_code == 403, url
    assert a.post("/households/new/", register_post("53330120520100790", [
        member_post(0, name="王大山", id_number=valid_id(HEAD_BIRTH))])).status_code == 403
    assert not Household.objects.filter(number="53330120520100790").exists()


def test_edit_household_requires_a_reason(users, households):
    h = households["533301205201"]
    c = login("clerk")
    r = c.post(f"/households/{h.pk}/edit/", household_post(h, **{"h-housing_safety": "C", "reason": ""}))
    assert r.status_code == 200 and field_errors(r.content.decode(), "reason")
    h.refresh_from_db()
    assert h.housing_safety == "A" and not h.versions.exists()
    r = c.post(f"/households/{h.pk}/edit/", household_post(h, **{"h-housing_safety": "C", "reason": "鉴定"}))
    assert r.status_code == 302
    h.refresh_from_db()
    assert h.housing_safety == "C" and h.versions.latest("id").reason == "鉴定"
    assert h.versions.count() == 2  # the baseline of a household entered before history, then the change


def test_clerk_outside_its_village_gets_404(users, households):
    other = households["533301101201"]
    assert login("clerk").get(f"/households/{other.pk}/edit/").status_code == 404


def test_add_edit_and_remove_a_member(users, households):
    h = households["533301205201"]
    c = login("clerk")
    child_id = valid_id(CHILD_BIRTH, 5, "2")
    add = {"m0-name": "张小妹", "m0-id_type": "1", "m0-id_number": child_id, "m0-relation": "04",
           "m0-ethnicity": "01", "m0-health": "01", "m0-has_medical_insurance": "True"}
    r = c.post(f"/households/{h.pk}/members/add/", {**add, "reason": ""})
    assert r.status_code == 200 and field_errors(r.content.decode(), "reason")
    assert not h.members.filter(id_number=child_id).exists()
    r = c.post(f"/households/{h.pk}/members/add/", {**add, "reason": "新生儿"})
    assert r.status_code == 302
    child = h.members.get(id_number=child_id)
    assert child.birth_date == CHILD_BIRTH

    r = c.post(f"/households/{h.pk}/members/{child.pk}/edit/", {**add, "m0-schooling": "04", "reason": "入学"})
    assert r.status_code == 302
    child.refresh_from_db()
    assert child.schooling == "04"
    r = c.post(f"/households/{h.pk}/members/{child.pk}/edit/", {**add, "m0-sex": "1", "reason": "x"})
    assert field_errors(r.content.decode(), "m0-sex") == ["性别与身份证号码不符"]

    r = c.post(f"/households/{h.pk}/members/{child.pk}/remove/", {"reason": ""})
    assert r.status_code == 200 and field_errors(r.content.decode(), "reason")
    r = c.post(f"/households/{h.pk}/members/{child.pk}/remove/", {"reason": "迁出"})
    assert r.status_code == 302
    child.refresh_from_db()
    assert not child.is_active
    assert list(h.versions.order_by("id").values_list("kind", flat=True)) == [
        "create", "member_add", "member_update", "member_remove"]  # baseline first
    head = h.members.get(relation="01")
    r = c.post(f"/households/{h.pk}/members/{head.pk}/remove/", {"reason": "x"})
    assert r.status_code == 200 and "请先变更户主" in r.content.decode()
    assert h.members.get(pk=head.pk).is_active


@pytest.mark.parametrize("lang", ["zh-hans"])
def test_record_a_years_income(users, households, lang):
    h = households["533301205201"]
    c = login("clerk")
    r = c.post(f"/households/{h.pk}/income/", {"year": "2021", "wage_other": "9000", "business": "3000",
                                               "business_expense": "1000", "transfer_dibao": "abc"})
    assert r.status_code == 200 and field_errors(r.content.decode(), "transfer_dibao")
    assert not h.incomes.filter(year=2021).exists()
    r = c.post(f"/households/{h.pk}/income/", {"year": "2021", "wage_other": "9000", "business": "3000",
                                               "business_expense": "1000", "household_size": "2"})
    assert r.status_code == 302
    income = Income.objects.get(household=h, year=2021)
    assert income.net_total == 11000 and income.household_size == 2 and income.per_capita == 5500
    # the form for an existing year starts from what is recorded
    assert 'value="9000.00"' in c.get(f"/households/{h.pk}/income/", {"year": "2021"}).content.decode()
    assert 'data-badge="food" data-status="ok"' in c.get(f"/households/{h.pk}/").content.decode()


def test_add_member_row_for_htmx(users):
    html = login("clerk").get("/households/new/member-row/", {"i": "3"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="m3-id_number"' in html and 'value="3"' in html and "i=4" in html and "<html" not in html
