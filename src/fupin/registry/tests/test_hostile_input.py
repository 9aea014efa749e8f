"""issue 20 A8–A9: hostile values give a 4xx with a bilingual message, never a 500, and are never stored."""

import datetime as dt

import pytest
from django.test import Client

from fupin.lifecycle import services as lifecycle
from fupin.registry import idnumber
from fupin.registry.models import Household, Income, Member

VILLAGE = "533301205201"
BIG = 10**30


@pytest.fixture
def c(users):
    client = Client(raise_request_exception=False)
    client.force_login(users["county"])
    return client


@pytest.fixture
def h(households):
    return households[VILLAGE]


@pytest.fixture
def case(users, h):
    h.status = "non_poor"
    h.save()
    return lifecycle.open_case(actor=users["clerk"], household=h, kind="identification", year=2019, reason="申请")


def new_member(**extra):
    birth = dt.date(1990, 5, 6)
    return {"name": "王五", "id_number": idnumber.make(idnumber.issuing_code("533301", 1990), birth, 11, "1"),
            "relation": "03", "ethnicity": "01", "health": "01", **extra}


GETS = [
    "/api/v1/households/?page={BIG}", "/api/v1/households/?page_size={BIG}", "/api/v1/households/?page=-{BIG}",
    "/api/v1/households/{BIG}", "/api/v1/households/{BIG}/history", "/api/v1/lifecycle/cases?page={BIG}",
    "/api/v1/lifecycle/cases?household={BIG}", "/api/v1/lifecycle/cases/{BIG}", "/api/v1/lifecycle/cases?page_size={BIG}",
    "/households/new/member-row/?i=²", "/households/{h}/income/?year=²", "/households/{h}/income/?year={BIG}",
    "/lifecycle/households/{h}/?year={BIG}", "/lifecycle/exit/?year={BIG}", "/households/?page={BIG}",
    "/api/v1/monitoring/reports?limit={BIG}",
]


@pytest.mark.parametrize("url", GETS)
def test_gets(c, h, url):
    r = c.get(url.format(BIG=BIG, h=h.pk))
    assert r.status_code < 500, (url, r.status_code)


PATCHES = [
    {"cultivated_land": "1e308"}, {"cultivated_land": "1e999999"}, {"housing_area": "9" * 40},
    {"cultivated_land": "-3"}, {"housing_area": "-1"}, {"exit_year": BIG}, {"identified_year": BIG},
    {"phone": "139\x001234567"}, {"phone": "139\u202e1234567"}, {"valid_from": "1800-01-01"},
    {"valid_from": "9999-12-31"},
]


@pytest.mark.parametrize("data", PATCHES)
def test_household_patch(c, h, data):
    before = Household.objects.filter(pk=h.pk).values().get()
    r = c.patch(f"/api/v1/households/{h.pk}", {"reason": "改", **data}, content_type="application/json")
    assert 400 <= r.status_code < 500, (data, r.status_code, r.content[:300])
    assert Household.objects.filter(pk=h.pk).values().get() == before
    assert "/" in str(r.json())  # bilingual: 中文 / English


MEMBERS = [
    {"work_months": 10**20}, {"work_months": -1}, {"work_months": 13}, {"welfare_job_months": -1},
    {"id_type": "Z"}, {"name": "王" * 10_000}, {"name": "王\u202e五"}, {"name": "王\x00五"},
]


@pytest.mark.parametrize("extra", MEMBERS)
def test_member_add(c, h, extra):
    n = Member.objects.count()
    r = c.post(f"/api/v1/households/{h.pk}/members?reason=x", new_member(**extra), content_type="application/json")
    assert 400 <= r.status_code < 500, (extra, r.status_code, r.content[:300])
    assert Member.objects.count() == n


INCOMES = [{"household_size": BIG, "wage_other": 1}, {"wage_other": "1e308"}, {"business": "9" * 40},
           {"business": "1e999999"}, {"household_size": -1, "wage_other": 1}]


@pytest.mark.parametrize("data", INCOMES)
def test_income(c, h, data):
    n = Income.objects.count()
    r = c.put(f"/api/v1/households/{h.pk}/incomes/2021", data, content_type="application/json")
    assert 400 <= r.status_code < 500, (data, r.status_code, r.content[:300])
    assert Income.objects.count() == n
    r = c.put(f"/api/v1/households/{h.pk}/incomes/{BIG}", {"wage_other": 1}, content_type="application/json")
    assert 400 <= r.status_code < 500


def test_notice_days_and_case_ids(c, users, case):
    clerk = Client(raise_request_exception=False)
    clerk.force_login(users["clerk"])
    r = clerk.post(f"/api/v1/lifecycle/cases/{case.pk}/notice", {"days": 10**9}, content_type="application/json")
    assert 400 <= r.status_code < 500, r.content[:300]
    r = clerk.post("/lifecycle/notices/start/", {"case": ["²", str(BIG)]})
    assert r.status_code < 500


FORM_EDITS = [
    {"h-cultivated_land": "-3"}, {"h-housing_area": "1e308"}, {"h-housing_area": "9" * 40},
    {"h-phone": "139\u202e1234567"}, {"h-bank_account": "6222\x1b0000"}, {"h-identified_year": str(BIG)},
]


@pytest.mark.parametrize("changes", FORM_EDITS)
def test_household_edit_form(users, households, changes):
    from .dossier_helpers import household_post

    h = households[VILLAGE]
    c = Client(raise_request_exception=False)
    c.force_login(users["clerk"])
    before = Household.objects.filter(pk=h.pk).values().get()
    r = c.post(f"/households/{h.pk}/edit/", household_post(h, **changes, reason="改"))
    assert r.status_code in (200, 400), (changes, r.status_code)  # the form again, with the message
    assert Household.objects.filter(pk=h.pk).values().get() == before
    assert 'class="field-error"' in r.content.decode() or r.status_code == 400


@pytest.mark.parametrize("extra", [{"name": "王" * 10_000}, {"name": "王\u202e五"}, {"work_months": "-1"},
                                   {"work_months": str(10**20)}])
def test_member_add_form(users, households, extra):
    h = households[VILLAGE]
    c = Client(raise_request_exception=False)
    c.force_login(users["clerk"])
    data = {f"m-{k}": v for k, v in new_member(**extra).items()}
    n = Member.objects.count()
    r = c.post(f"/households/{h.pk}/members/add/", {**data, "reason": "新增"})
    assert r.status_code in (200, 400), (extra, r.status_code)
    assert Member.objects.count() == n
