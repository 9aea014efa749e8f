"""The synthetic registry: real villages, consistent people, reproducible, all-or-nothing."""

from collections import Counter

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from stdnum.cn import ric

from fupin.regions.services import load_regions
from fupin.registry.demo import DemoError, generate
from fupin.registry.models import Household, Income, Member


@pytest.fixture
def yunnan(db):
    load_regions(directory=settings.DIVISIONS_DIR, provinces=["53"])


def test_people_are_consistent_and_ids_valid(yunnan):
    r = generate(households=400, seed=7)
    assert r.households == Household.objects.count() == 400
    members = list(Member.objects.select_related("household"))
    assert len(members) == r.members
    for m in members:
        assert ric.is_valid(m.id_number), m.id_number
        assert ric.get_birth_date(m.id_number) == m.birth_date
        assert m.sex == ("1" if int(m.id_number[16]) % 2 else "2")
        assert m.id_number[:2] == "53"
    heads = Counter(m.household_id for m in members if m.relation == "01")
    assert set(heads.values()) == {1} and len(heads) == 400
    assert len({m.id_number for m in members}) == len(members)
    assert all(h.village.level == 5 and h.number.startswith(h.village_id) for h in Household.objects.select_related("village"))
    assert Household.objects.filter(village__code__startswith="5333").exists()  # 怒江州 is always there
    sizes = [Member.objects.filter(household=h).count() for h in Household.objects.all()[:200]]
    assert 2.4 < sum(sizes) / len(sizes) < 3.8  # about 3 persons per household, as in the registry
    for inc in Income.objects.all()[:200]:
        assert inc.household_size > 0
        assert inc.per_capita > 0


def test_causes_are_reflected_in_members(yunnan):
    generate(households=300, seed=3)
    for h in Household.objects.filter(main_cause="01")[:50]:
        assert h.members.filter(health__in=["02", "03"]).exists()
    for h in Household.objects.filter(main_cause="02")[:50]:
        assert h.members.filter(health="04").exists()


def test_same_seed_same_data(yunnan):
    generate(households=50, seed=11)
    first = list(Member.objects.order_by("id").values_list("name", "id_number"))
    generate(households=50, seed=11, replace=True)
    again = list(Member.objects.order_by("id").values_list("name", "id_number"))
    assert first == again and Household.objects.count() == 50


def test_existing_demo_data_needs_replace(yunnan):
    generate(households=10)
    with pytest.raises(DemoError, match="--replace"):
        generate(households=10)
    assert Household.objects.count() == 10


@pytest.mark.parametrize(("args", "message"), [
    (["--households", "0"], "positive"),
    (["--households", "-5"], "positive"),
    (["--households", "10", "--province", "99"], "not loaded"),
    (["--households", "10", "--province", "5x"], "not a province"),
])
def test_bad_arguments_fail_and_write_nothing(yunnan, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("demo", *args)
    assert Household.objects.count() == 0


def test_without_regions(db):
    with pytest.raises(CommandError, match="load_regions"):
        call_command("demo", "--households", "5")


def test_demo_users(yunnan):
    from fupin.core.models import User

    generate(households=200, seed=1)
    call_command("demo_users")
    clerk = User.objects.get(username="demo_clerk")
    assert clerk.region.level == 5 and clerk.region_id.startswith("533301")
    assert Household.objects.filter(village=clerk.region).exists()
    assert User.objects.get(username="demo_county").region_id == "533301"
    assert User.objects.get(username="demo_admin").region is None
    call_command("demo_users")  # idempotent
    assert User.objects.filter(username__startswith="demo_").count() == 14  # demo_cadre (team, issue 16), demo_donor and demo_editor (welfare, issue 17) too


def test_demo_versions_match_the_dossier(yunnan):
    from fupin.registry import history
    from fupin.registry.models import HouseholdVersion

    generate(households=60, seed=5)
    assert HouseholdVersion.objects.count() == 60
    for h in Household.objects.all():
        version = history.timeline(h)[0]
        assert version.snapshot == history.snapshot(h), h.number
        assert history.as_of(h, version.valid_from) == version


def test_latest_income_is_what_the_database_computes(yunnan):
    from fupin.registry.services import refresh_latest_income

    generate(households=80, seed=9)
    generated = dict(Household.objects.values_list("id", "latest_per_capita"))
    assert all(v is not None for v in generated.values())
    Household.objects.update(latest_per_capita=None, latest_income_year=None)
    refresh_latest_income(Household.objects.all())
    for hid, value in Household.objects.values_list("id", "latest_per_capita"):
        latest = Income.objects.filter(household_id=hid).order_by("-year").first()
        assert value == generated[hid] == latest.per_capita, hid


def test_demo_villages_get_a_synthetic_rural_population(yunnan):
    from fupin.lifecycle.models import RuralPopulation

    r = generate(households=300, seed=5)
    persons = Counter(Member.objects.filter(is_active=True).values_list("household__village_id", flat=True))
    figures = dict(RuralPopulation.objects.values_list("region_id", "persons"))
    assert r.rural_population == len(persons) == len(figures) > 0
    for village, n in persons.items():
        factor = figures[village] / n
        assert factor == int(factor) and 4 <= factor <= 12, village  # more people live there than are registered
    # regenerating keeps the figures already there (they are not the registry's to rewrite)
    r2 = generate(households=300, seed=5, replace=True)
    assert r2.rural_population == 0 and dict(RuralPopulation.objects.values_list("region_id", "persons")) == figures


def test_registered_demo_households_have_measures_that_answer_their_cause(yunnan):
    from fupin.lifecycle.demo import MEASURES_FOR_CAUSE
    from fupin.lifecycle.models import Measure
    from fupin.registry.statuses import REGISTERED_STATUSES

    r = generate(households=300, seed=9)
    registered = Household.objects.filter(status__in=REGISTERED_STATUSES)
    assert r.measures == Measure.objects.count() > 0
    assert set(Measure.objects.values_list("household_id", flat=True)) == set(registered.values_list("id", flat=True))
    for m in Measure.objects.select_related("household"):
        h = m.household
        assert m.type in (*MEASURES_FOR_CAUSE.get(h.main_cause, ("11",)), "12", "13", "14")
        assert m.start_date.year >= h.identified_year
        assert m.end_date is None or (m.end_date > m.start_date and m.result)
