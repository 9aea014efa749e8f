import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.team import selectors, services
from fupin.team.models import Posting

VILLAGE = "533301205201"


def test_history_of_assignments_as_of_any_date(county_admin, cadres):
    first, member, other = cadres
    services.post(actor=county_admin, cadre_id=first.pk, region_code=VILLAGE, role="first_secretary",
                  start_date="2018-03-01")
    services.post(actor=county_admin, cadre_id=member.pk, region_code=VILLAGE, role="team_member",
                  start_date="2018-03-01")
    with pytest.raises(ValidationError):  # one first secretary at a time
        services.post(actor=county_admin, cadre_id=other.pk, region_code=VILLAGE, role="first_secretary",
                      start_date="2019-01-01")
    services.rotate(actor=county_admin, region_code=VILLAGE, on="2020-03-01",
                    incoming=[(other.pk, "first_secretary"), (member.pk, "team_leader")])

    def team(day):
        return {(p.cadre_id, p.role) for p in selectors.team_on(county_admin, VILLAGE, dt.date.fromisoformat(day))}

    assert team("2018-02-28") == set()
    assert team("2018-03-01") == team("2020-02-29") == {(first.pk, "first_secretary"), (member.pk, "team_member")}
    assert team("2020-03-01") == team("2026-01-01") == {(other.pk, "first_secretary"), (member.pk, "team_leader")}
    assert Posting.objects.count() == 4 and Posting.objects.filter(end_date=dt.date(2020, 3, 1)).count() == 2
    other.refresh_from_db()
    assert other.region_id == VILLAGE


def test_posting_is_scoped_and_first_secretaries_serve_villages(users, county_admin, cadres):
    with pytest.raises(PermissionDenied):  # 福贡县 is outside 泸水市
        services.post(actor=county_admin, cadre_id=cadres[0].pk, region_code="533323101201", role="team_member",
                      start_date="2020-01-01")
    with pytest.raises(ValidationError):
        services.post(actor=county_admin, cadre_id=cadres[0].pk, region_code="533301205", role="first_secretary",
                      start_date="2020-01-01")
    with pytest.raises(PermissionDenied):  # a clerk does not manage teams
        services.post(actor=users["clerk"], cadre_id=cadres[0].pk, region_code=VILLAGE, role="team_member",
                      start_date="2020-01-01")


def test_id_number_is_checked(county_admin, tree):
    with pytest.raises(ValidationError) as exc:
        services.save_cadre(actor=county_admin, name="某", id_number="530102199001011234", kind="other", unit="某局",
                            region_code="533301")
    assert "id_number" in exc.value.message_dict


def test_coverage_lists(county_admin, cadres, tree, households):
    for code in ("533301205201", "533301101201", "533301101001"):
        tree[code].is_poor_village = True
        tree[code].save()
    services.post(actor=county_admin, cadre_id=cadres[0].pk, region_code=VILLAGE, role="first_secretary",
                  start_date="2018-03-01")
    missing = {r.code for r in selectors.villages_missing(county_admin, "first_secretary")}
    assert missing == {"533301101201", "533301101001"}
    assert {r.code for r in selectors.villages_missing(county_admin, "leader")} == {
        "533301205201", "533301101201", "533301101001"}
    assert set(selectors.households_without_cadre(county_admin)) == {
        h for code, h in households.items() if code.startswith("533301")}
    services.set_household_cadre(actor=county_admin, household_id=households[VILLAGE].pk, cadre_id=cadres[0].pk)
    assert households[VILLAGE] not in set(selectors.households_without_cadre(county_admin))
    assert list(selectors.overloaded_cadres(county_admin, ceiling=1)) == []
    assert list(selectors.overloaded_cadres(county_admin, ceiling=0)) == [cadres[0]]
