"""The team indicators, computed set-based by indicators.compute, against a recount in Python over the rows."""

import datetime as dt
from decimal import Decimal

from fupin.connectivity.models import Facility
from fupin.indicators import services as indicator_services
from fupin.indicators.models import IndicatorValue
from fupin.registry.models import Cadre, Household
from fupin.registry.statuses import REGISTERED_STATUSES
from fupin.team import services
from fupin.team.models import Attendance, Posting, Training, Visit

VILLAGE, OTHER = "533301205201", "533301101201"


def test_team_indicators_equal_a_recount(county_admin, cadres, cadre_user, tree, households):
    for code in (VILLAGE, OTHER):
        tree[code].is_poor_village = True
        tree[code].save()
    first, member, other = cadres
    services.post(actor=county_admin, cadre_id=first.pk, region_code=VILLAGE, role="village_leader",
                  start_date="2020-01-01")
    services.post(actor=county_admin, cadre_id=member.pk, region_code=VILLAGE, role="team_leader",
                  start_date="2020-01-01")
    services.post(actor=county_admin, cadre_id=other.pk, region_code=OTHER, role="team_member",
                  start_date="2020-01-01")
    services.set_household_cadre(actor=county_admin, household_id=households[VILLAGE].pk, cadre_id=first.pk)
    services.log_visit(actor=cadre_user, household_id=households[VILLAGE].pk, visited_on="2021-05-01", findings="a")
    services.log_visit(actor=cadre_user, household_id=households[VILLAGE].pk, visited_on="2021-08-01", findings="b")
    t = services.create_training(actor=county_admin, title="电商", organiser="组织部", region_code="533301",
                                 starts_on="2021-04-01", hours="8", topic="ecommerce")
    m = households[VILLAGE].members.first()
    Attendance.objects.create(training=t, village=tree[VILLAGE], name=m.name, id_number=m.id_number, member=m,
                              level="senior")
    Attendance.objects.create(training=t, village=tree[VILLAGE], name=first.name, id_number=first.id_number,
                              cadre=first)
    for i in range(4):
        Attendance.objects.create(training=t, village=tree[VILLAGE], name=f"学员{i}", level="practitioner")
    Facility.objects.create(type="school", region=tree[VILLAGE], bandwidth=100, connected_on=dt.date(2020, 1, 1),
                            remote_classroom_on=dt.date(2020, 9, 1))
    Facility.objects.create(type="school", region=tree[OTHER], bandwidth=50, connected_on=dt.date(2020, 1, 1))
    Facility.objects.create(type="village_clinic", region=tree[VILLAGE], telemedicine_on=dt.date(2021, 1, 1))
    period = indicator_services.ensure_period("2021")
    indicator_services.refresh(period)
    on, start, end = dt.date(2021, 12, 31), dt.date(2021, 1, 1), dt.date(2021, 12, 31)

    def value(indicator, code="533301"):
        v = IndicatorValue.objects.get(period=period, indicator=indicator, region_code=code)
        return v.numerator, v.denominator

    def in_force(region, roles):
        return Posting.objects.filter(region=region, role__in=roles, start_date__lte=on).exclude(
            end_date__lte=on).exists()

    poor = [r for r in (tree[VILLAGE], tree[OTHER], tree["533301101001"]) if r.is_poor_village]
    with_team = [r for r in poor if in_force(r, ("team_leader", "team_member")) and in_force(r, ("village_leader",))]
    assert value("poor_village_team_leader") == (len(with_team), len(poor)) == (1, 2)
    registered = Household.objects.filter(village__code__startswith="533301", status__in=REGISTERED_STATUSES)
    assert value("household_with_cadre") == (registered.exclude(cadre=None).count(), registered.count())
    visits = Visit.objects.filter(visited_on__range=(start, end), household__in=registered.exclude(cadre=None))
    assert value("visits_per_household") == (visits.count(), registered.exclude(cadre=None).count()) == (2, 1)
    trained = [c for c in Cadre.objects.all() if Attendance.objects.filter(cadre=c, training__starts_on__lte=end)]
    assert value("cadres_trained") == (len(trained), Cadre.objects.count()) == (1, 3)
    assert value("persons_trained")[0] == Attendance.objects.exclude(member=None).values("member").distinct().count()
    assert value("school_100m") == (1, 2) and value("school_remote_classroom") == (1, 2)
    assert value("clinic_telemedicine") == (1, 1)
    # 季加村: 6 people at e-commerce trainings, 5 practitioners or senior, 1 senior; 赖茂村 none.
    assert value("ecommerce_trained_5") == (1, 2)
    assert value("ecommerce_practitioners_10") == (0, 2)
    assert value("ecommerce_senior_1", VILLAGE) == (1, 1)
    assert IndicatorValue.objects.get(period=period, indicator="visits_per_household",
                                      region_code=VILLAGE).value == Decimal("2.0000")
    assert Training.objects.count() == 1
