"""The portrait's 两不愁三保障 + 饮水安全 badges: each criterion met and unmet, on hand-made dossiers."""

import datetime as dt
from decimal import Decimal

import pytest

from fupin.registry import history, portrait
from fupin.registry.models import Income, Member
from fupin.testing import make_household

# the poverty lines are read from the table administrators edit (lifecycle.PovertyLine)
pytestmark = pytest.mark.django_db

DAY = dt.date(2021, 6, 30)


def dossier(**over):
    """A dossier snapshot that meets every criterion; ``over`` replaces parts of it."""
    snap = {
        "household": {"housing_safety": "A", "water_safe": True},
        "members": [
            {"id_number": "1", "birth_date": "1980-01-01", "schooling": "01", "has_medical_insurance": True},
            {"id_number": "2", "birth_date": "2010-03-01", "schooling": "05", "has_medical_insurance": True},
        ],
        "incomes": [
            {"year": 2019, "household_size": 2, "wage_other": "3000.00"},
            {"year": 2020, "household_size": 2, "wage_other": "9000.00", "business_expense": "500.00"},
        ],
    }
    snap.update(over)
    return snap


def by_key(snapshot, day=DAY):
    return {b.key: b for b in portrait.badges(snapshot, day)}


def test_a_dossier_meeting_everything_has_every_badge_ok():
    badges = by_key(dossier())
    assert {k: b.status for k, b in badges.items()} == {
        "food": "ok", "clothing": "ok", "education": "ok", "medical": "ok", "housing": "ok", "water": "ok",
    }
    # the reason says which year, how much and against which line
    assert "2020" in badges["food"].reason and "4,250" in badges["food"].reason and "4,000" in badges["food"].reason


def test_income_judged_on_the_latest_year_against_that_years_line():
    # 2019 (latest): 3,700 per person is below the 2019 line of 3,747 though above the 2014 line
    snap = dossier(incomes=[{"year": 2016, "household_size": 1, "wage_other": "10000"},
                            {"year": 2019, "household_size": 2, "wage_other": "7400"}])
    badges = by_key(snap)
    assert badges["food"].status == badges["clothing"].status == "unmet"
    assert "3,747" in badges["food"].reason and "3,700" in badges["food"].reason


def test_income_exactly_on_the_line_is_not_above_it():
    snap = dossier(incomes=[{"year": 2020, "household_size": 1, "wage_other": "4000"}])
    assert by_key(snap)["food"].status == "unmet"
    snap = dossier(incomes=[{"year": 2020, "household_size": 1, "wage_other": "4000.01"}])
    assert by_key(snap)["food"].status == "ok"


def test_business_expense_is_deducted():
    snap = dossier(incomes=[{"year": 2020, "household_size": 1, "business": "5000", "business_expense": "1500"}])
    assert portrait.per_capita(snap["incomes"][0]) == Decimal("3500.00")
    assert by_key(snap)["food"].status == "unmet"


def test_no_income_recorded_is_unknown_not_ok():
    assert by_key(dossier(incomes=[]))["food"].status == "unknown"


@pytest.mark.parametrize(("birth", "schooling", "status"), [
    ("2012-01-01", "01", "unmet"),   # 9 years old, not in school
    ("2006-01-01", "01", "unmet"),   # 15 on DAY: still compulsory-school age
    ("2005-06-29", "01", "ok"),      # turned 16 the day before
    ("2015-07-01", "01", "ok"),      # 5 until tomorrow
    ("2012-01-01", "04", "ok"),      # 9 years old, in primary school
])
def test_compulsory_education(birth, schooling, status):
    members = [{"id_number": "1", "birth_date": "1980-01-01", "has_medical_insurance": True},
               {"id_number": "2", "birth_date": birth, "schooling": schooling, "has_medical_insurance": True}]
    badge = by_key(dossier(members=members))["education"]
    assert badge.status == status
    if status == "unmet":
        assert str(portrait.age_on(birth, DAY)) in badge.reason


def test_medical_insurance_of_every_member():
    snap = dossier()
    snap["members"][1]["has_medical_insurance"] = False
    badge = by_key(snap)["medical"]
    assert badge.status == "unmet" and "1" in badge.reason and "2" in badge.reason


@pytest.mark.parametrize(("grade", "status"), [("A", "ok"), ("B", "ok"), ("C", "unmet"), ("D", "unmet"), ("", "unknown")])
def test_housing(grade, status):
    assert by_key(dossier(household={"housing_safety": grade, "water_safe": True}))["housing"].status == status


def test_water():
    assert by_key(dossier(household={"housing_safety": "A", "water_safe": False}))["water"].status == "unmet"


def test_poverty_lines_are_the_published_ones_and_clamp_outside_the_table():
    assert portrait.poverty_line(2014) == 2736 and portrait.poverty_line(2020) == 4000
    assert portrait.poverty_line(2013) == 2736 and portrait.poverty_line(2023) == 4000


def test_badges_of_a_household_in_the_database(tree):
    h = make_household(tree["533301205201"], size=2)  # 2020 income: (6,000 + 1,000) / 2 = 3,500 < 4,000
    child = h.members.exclude(relation="01").get()
    child.birth_date, child.schooling, child.has_medical_insurance = dt.date(2012, 1, 1), "01", False
    child.save()
    h.housing_safety, h.water_safe = "C", False
    h.save()
    badges = by_key(history.snapshot(h))
    assert {k: b.status for k, b in badges.items()} == {
        "food": "unmet", "clothing": "unmet", "education": "unmet", "medical": "unmet", "housing": "unmet",
        "water": "unmet",
    }
    Income.objects.filter(household=h).update(wage_other=8000)
    Member.objects.filter(pk=child.pk).update(schooling="04", has_medical_insurance=True)
    h.housing_safety, h.water_safe = "B", True
    h.save()
    assert all(b.ok for b in portrait.badges(history.snapshot(h), DAY))
