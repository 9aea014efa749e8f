"""#15 remainder: shop income fed into the household's business income on the clerk's confirmation; 代购/代缴
service records on the dossier; 电子商务进农村综合示范县 with its year and the indicator of poor demonstration
counties."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fupin.commerce import services
from fupin.commerce.models import DemoCounty, ServiceKind, ShopIncomeConfirmation, Tier
from fupin.core.models import AuditEvent
from fupin.registry import services as registry_services
from fupin.registry.models import HouseholdVersion, Income

JIJIA = "533301205201"


def _buy(operator, shop, household, amount, day):
    return services.record_purchase(actor=operator, shop_id=shop.pk, household_id=household.pk, product="草果",
                                    purchased_on=day, quantity=amount, unit="公斤", unit_price="1.00",
                                    protective_price="1.00")


def test_the_clerk_confirms_shop_purchases_into_business_income(shop, operator, households, users, client):
    h = households[JIJIA]
    _buy(operator, shop, h, "300", dt.date(2020, 5, 1))
    _buy(operator, shop, h, "200", dt.date(2020, 9, 1))
    clerk = users["clerk"]
    Income.objects.filter(household=h, year=2020).delete()
    with pytest.raises(ValidationError, match="income of 2020 first"):  # no income record of the year yet
        services.confirm_shop_income(actor=clerk, household_id=h.pk, year=2020)
    registry_services.set_income(actor=clerk, household=h, year=2020, components={"business": "1000", "wage_other": "50"})
    with pytest.raises(PermissionDenied):  # a shop operator does not write dossiers
        services.confirm_shop_income(actor=operator, household_id=h.pk, year=2020)
    versions = HouseholdVersion.objects.filter(household=h).count()
    c = services.confirm_shop_income(actor=clerk, household_id=h.pk, year=2020)
    income = Income.objects.get(household=h, year=2020)
    assert (c.amount, c.business_before, income.business, income.wage_other) == (500, 1000, 1500, 50)
    assert HouseholdVersion.objects.filter(household=h).count() == versions + 1  # the dossier's history has it
    assert AuditEvent.objects.filter(object_type="commerce.shopincomeconfirmation", object_id=str(c.pk)).count() == 1
    with pytest.raises(ValidationError, match="nothing new"):  # confirmed twice: nothing added twice
        services.confirm_shop_income(actor=clerk, household_id=h.pk, year=2020)
    _buy(operator, shop, h, "70", dt.date(2020, 11, 1))  # a later purchase: only it is added next time
    client.force_login(clerk)
    page = client.get(reverse("household", args=[h.pk])).content.decode()
    assert "70.00" in page and reverse("commerce_confirm_income", args=[h.pk]) in page
    response = client.post(reverse("commerce_confirm_income", args=[h.pk]), {"year": "2020"})
    assert response.status_code == 302
    assert Income.objects.get(household=h, year=2020).business == Decimal("1570")
    assert list(ShopIncomeConfirmation.objects.filter(household=h).values_list("amount", flat=True)
                .order_by("id")) == [500, 70]


def test_other_regions_clerk_cannot_confirm(shop, operator, households, users, tree):
    from fupin import testing
    from fupin.core.roles import Role

    h = households[JIJIA]
    _buy(operator, shop, h, "10", dt.date(2020, 5, 1))
    Income.objects.filter(household=h, year=2020).delete()
    registry_services.set_income(actor=users["clerk"], household=h, year=2020, components={"business": "1"})
    other = testing.make_user("clerk_fg", tree["533323101201"], Role.CLERK)
    with pytest.raises(PermissionDenied):
        services.confirm_shop_income(actor=other, household_id=h.pk, year=2020)
    assert Income.objects.get(household=h, year=2020).business == 1


def test_station_services_are_recorded_for_households_of_its_area(bureau, households, users, client):
    point = services.save_station(actor=bureau, region_code=JIJIA, tier=Tier.VILLAGE_POINT, name="季加村服务点",
                                  services=["purchasing"], opened_on="2018-05-01")
    h = households[JIJIA]
    r = services.record_service(actor=users["clerk"], station_id=point.pk, kind=ServiceKind.PURCHASING,
                                served_on="2020-03-02", item="化肥", amount="120.50", fee="2", number=h.number)
    assert (r.household_id, r.amount, r.fee) == (h.pk, Decimal("120.50"), 2)
    assert AuditEvent.objects.filter(object_type="commerce.servicerecord", object_id=str(r.pk)).count() == 1
    with pytest.raises(ValidationError, match="does not offer"):  # the point does not pay bills
        services.record_service(actor=users["clerk"], station_id=point.pk, kind=ServiceKind.BILL_PAYMENT,
                                served_on="2020-03-02", item="电费", amount="50", number=h.number)
    with pytest.raises(ValidationError, match="station's area"):  # a household of another village
        services.record_service(actor=bureau, station_id=point.pk, kind=ServiceKind.PURCHASING,
                                served_on="2020-03-02", item="x", amount="1",
                                number=households["533301101201"].number)
    with pytest.raises(ValidationError, match="not open"):
        services.record_service(actor=users["clerk"], station_id=point.pk, kind=ServiceKind.PURCHASING,
                                served_on="2017-03-02", item="x", amount="1", number=h.number)
    client.force_login(users["clerk"])
    page = client.get(reverse("household", args=[h.pk])).content.decode()
    assert "化肥" in page and "120.50" in page
    # the form, for a phone
    response = client.post(reverse("commerce_service_new"), {
        "station": point.pk, "kind": "purchasing", "number": h.number, "served_on": "2020-04-01", "item": "种子",
        "amount": "30", "fee": ""})
    assert response.status_code == 302 and h.commerce_services.count() == 2
    # and the API
    response = client.post("/api/v1/commerce/services", {
        "station_id": point.pk, "household_number": h.number, "kind": "purchasing", "served_on": "2020-04-02",
        "item": "农膜", "amount": "12"}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert h.commerce_services.count() == 3


def test_demonstration_counties_and_their_indicator(bureau, tree, users):
    from fupin.commerce import indicators
    from fupin.regions.models import Region

    Region.objects.filter(code__in=["533301", "533323"]).update(is_poor_county=True)
    with pytest.raises(ValidationError):  # a township is not a county
        services.set_demo_county(actor=bureau, county_code="533301205", year=2017)
    with pytest.raises(PermissionDenied):  # 福贡县 is outside the bureau's 泸水市
        services.set_demo_county(actor=bureau, county_code="533323", year=2017)
    with pytest.raises(ValidationError):
        services.set_demo_county(actor=bureau, county_code="533301", year=2009)
    services.set_demo_county(actor=bureau, county_code="533301", year=2017, source="商务部2017年名单")
    assert DemoCounty.objects.get().year == 2017
    from django.db import connection

    def leaf(on):
        with connection.cursor() as cur:
            cur.execute("CREATE TEMP TABLE ind_leaf (indicator VARCHAR(40), code VARCHAR(12), num NUMERIC, "
                        "den NUMERIC)")
            indicators.leaves(cur, on=on, starts_on=dt.date(on.year, 1, 1), ends_on=on)
            cur.execute("SELECT code, num, den FROM ind_leaf WHERE indicator = 'poor_demo_counties' ORDER BY code")
            rows = [(c, int(n), int(d)) for c, n, d in cur.fetchall()]
            cur.execute("DROP TABLE ind_leaf")
        return rows

    poor = sorted(Region.objects.filter(level=3, is_poor_county=True).values_list("code", flat=True))
    assert leaf(dt.date(2016, 12, 31)) == [(c, 0, 1) for c in poor]  # named in 2017: not yet in 2016
    assert leaf(dt.date(2018, 12, 31)) == [(c, int(c == "533301"), 1) for c in poor]
    assert AuditEvent.objects.filter(object_type="commerce.democounty").count() == 1
