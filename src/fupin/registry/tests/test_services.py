"""Registry write services: validation with precise messages, nothing written on error, history kept."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.core.models import AuditEvent
from fupin.registry import history, idnumber, services
from fupin.registry.models import Household, HouseholdVersion, Member

HOUSEHOLD = {"status": "poor", "standard": "01", "attribute": "01", "main_cause": "01", "identified_year": 2016,
             "housing_safety": "B"}


def person(birth=dt.date(1975, 3, 4), sex="1", relation="01", seq=7, region="533301", **extra):
    return {"name": "王五", "id_number": idnumber.make(idnumber.issuing_code(region, birth.year), birth, seq, sex),
            "relation": relation,
            "ethnicity": "20", "health": "01", **extra}


def test_clerk_registers_a_household_with_history_and_audit(users, tree):
    h = services.register_household(actor=users["clerk"], village_code="533301205201", number="H1", data=HOUSEHOLD,
                                    members=[person(), person(sex="2", relation="02", seq=8)], reason="申请")
    m = h.members.get(relation="01")
    assert m.sex == "1" and m.birth_date == dt.date(1975, 3, 4)  # derived from the ID number
    v = HouseholdVersion.objects.get(household=h)
    assert v.kind == "create" and v.username == "clerk" and len(v.snapshot["members"]) == 2
    assert AuditEvent.objects.filter(action="create", object_id=str(h.pk), username="clerk").exists()


@pytest.mark.parametrize(("member", "field", "message"), [
    ({"id_number": "533301197503040071"}, "members.0.id_number", "check digit"),
    ({"sex": "2"}, "members.0.sex", "sex disagrees"),
    ({"birth_date": "1975-03-05"}, "members.0.birth_date", "1975-03-04"),
    ({"ethnicity": "99"}, "members.0.ethnicity", "not a valid code"),
    ({"relation": "03"}, "members", "head"),
])
def test_invalid_members_are_refused_with_the_field_and_nothing_is_written(users, tree, member, field, message):
    with pytest.raises(ValidationError) as exc:
        services.register_household(actor=users["clerk"], village_code="533301205201", number="H1", data=HOUSEHOLD,
                                    members=[{**person(), **member}])
    assert message in " ".join(exc.value.message_dict[field])
    assert not Household.objects.exists() and not Member.objects.exists()


def test_a_person_active_elsewhere_is_refused_without_naming_the_household(users, tree, households):
    holder = households["533301205201"]
    other = holder.members.first()
    with pytest.raises(ValidationError) as exc:
        services.register_household(
            actor=users["county"], village_code="533301101001", number="H2", data=HOUSEHOLD,
            members=[{**person(region="533301"), "id_number": other.id_number, "birth_date": other.birth_date,
                      "sex": other.sex}],
        )
    message = exc.value.message_dict["members.0.id_number"][0]
    assert holder.number not in message and "another household" in message  # never where (issue 20 A3)


def test_scope_and_role_are_enforced(users, tree):
    with pytest.raises(PermissionDenied):
        services.register_household(actor=users["clerk"], village_code="533301101001", number="H3", data=HOUSEHOLD,
                                    members=[person()])
    with pytest.raises(PermissionDenied):
        services.register_household(actor=users["analyst"], village_code="533301205201", number="H3", data=HOUSEHOLD,
                                    members=[person()])


def test_update_needs_a_reason_and_keeps_history(users, tree):
    h = services.register_household(actor=users["clerk"], village_code="533301205201", number="H1", data=HOUSEHOLD,
                                    members=[person()], valid_from=dt.date(2016, 3, 1))
    with pytest.raises(ValidationError):
        services.update_household(actor=users["clerk"], household=h, data={"housing_safety": "A"}, reason=" ")
    services.update_household(actor=users["clerk"], household=h, data={"housing_safety": "D"},
                              reason="房屋鉴定为D级", valid_from=dt.date(2017, 6, 1))
    services.update_household(actor=users["clerk"], household=h, data={"housing_safety": "C"},
                              reason="录入错误更正", valid_from=dt.date(2017, 6, 1), correction=True)
    assert history.as_of(h, dt.date(2016, 12, 31)).snapshot["household"]["housing_safety"] == "B"
    assert history.as_of(h, dt.date(2017, 6, 1)).snapshot["household"]["housing_safety"] == "C"
    assert history.as_of(h, dt.date(2015, 1, 1)) is None
    kinds = [v.kind for v in history.timeline(h)]
    assert kinds == ["correction", "update", "create"]  # the correction did not erase the earlier version
    change = history.timeline(h)[1].changes
    assert {"path": "household.housing_safety", "old": "B", "new": "D"} in change


def test_members_leave_but_stay_in_history(users, tree):
    h = services.register_household(actor=users["clerk"], village_code="533301205201", number="H1", data=HOUSEHOLD,
                                    members=[person()])
    child = services.add_member(actor=users["clerk"], household=h,
                                data=person(birth=dt.date(2010, 1, 1), relation="03", seq=9), reason="出生")
    services.remove_member(actor=users["clerk"], member=child, reason="外出落户")
    assert not Member.objects.get(pk=child.pk).is_active
    versions = history.timeline(h)
    assert [v.kind for v in versions] == ["member_remove", "member_add", "create"]
    assert any(c["path"] == f"members.{child.id_number}" for c in versions[0].changes)
    # the person may now join another household
    services.add_member(actor=users["county"], household=Household.objects.create(
        number="H9", village=tree["533301101001"], status="poor", standard="01", attribute="01", main_cause="01",
        identified_year=2016), data={**person(birth=dt.date(2010, 1, 1), relation="03", seq=9)}, reason="迁入")


def test_income_is_computed_not_typed(users, tree):
    h = services.register_household(actor=users["clerk"], village_code="533301205201", number="H1", data=HOUSEHOLD,
                                    members=[person(), person(sex="2", relation="02", seq=8)])
    inc = services.set_income(actor=users["clerk"], household=h, year=2019,
                              components={"wage_other": "6000", "business": "3000", "business_expense": "1000"})
    inc.refresh_from_db()
    assert inc.household_size == 2 and inc.net_total == 8000 and inc.per_capita == 4000
    with pytest.raises(ValidationError) as exc:
        services.set_income(actor=users["clerk"], household=h, year=2019, components={"wage_other": "-1"})
    assert "wage_other" in exc.value.message_dict


def test_snapshot_round_trips_through_json(users, households):
    import json

    h = households["533301205201"]
    snap = history.snapshot(h)
    assert json.loads(json.dumps(snap)) == snap
    assert snap["household"]["village_id"] == "533301205201"
    assert "id" not in snap["members"][0]


@pytest.mark.parametrize("utc_clock", [
    "2026-12-02T02:00:00+00:00",  # 10:00 in Beijing: the same day in UTC and in Beijing
    "2026-12-02T20:00:00+00:00",  # 04:00 the next day in Beijing: the case that failed between 16:00 and 24:00 UTC
])
def test_first_change_of_a_household_without_history_records_a_baseline(users, households, monkeypatch, utc_clock):
    """With a frozen clock on both sides of Beijing's midnight: the baseline and the change are dated by the same
    (Beijing) day, so the change wins on that day."""
    from django.utils import timezone

    frozen = dt.datetime.fromisoformat(utc_clock)
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    h = households["533301205201"]
    Household.objects.filter(pk=h.pk).update(created_at=frozen)
    h.refresh_from_db()
    assert not HouseholdVersion.objects.filter(household=h).exists()
    services.update_household(actor=users["clerk"], household=h, data={"housing_safety": "C"}, reason="鉴定")
    baseline, change = sorted(history.timeline(h), key=lambda v: v.id)
    assert baseline.snapshot["household"]["housing_safety"] == "A"
    assert {"path": "household.housing_safety", "old": "A", "new": "C"} in change.changes
    assert history.as_of(h, baseline.valid_from) == change  # same day: the later version wins
    assert baseline.valid_from == change.valid_from == timezone.localtime(frozen).date()
