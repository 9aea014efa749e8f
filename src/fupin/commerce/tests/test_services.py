from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from fupin import testing
from fupin.commerce import services
from fupin.commerce.models import PopulousVillage, Purchase, ShopModel, ShopStatus, Tier, TraceEventKind
from fupin.core.models import AuditEvent
from fupin.core.roles import Role


def test_station_tier_must_match_the_region_level(bureau, tree):
    s = services.save_station(actor=bureau, region_code="533301205201", tier=Tier.VILLAGE_POINT, name="季加村服务点",
                              services=["purchasing", "parcels"], opened_on="2018-05-01")
    assert s.services and s.purchasing and not s.bill_payment
    with pytest.raises(ValidationError):
        services.save_station(actor=bureau, region_code="533301205", tier=Tier.VILLAGE_POINT, name="x")
    with pytest.raises(PermissionDenied):  # 福贡县 is outside 泸水市
        services.save_station(actor=bureau, region_code="533323101201", tier=Tier.VILLAGE_POINT, name="x")
    with pytest.raises(ValidationError):
        services.save_station(actor=bureau, region_code="533301205201", tier=Tier.VILLAGE_POINT, name="x",
                              opened_on="2020-01-01", closed_on="2019-01-01")
    assert AuditEvent.objects.filter(object_type="commerce.station", action="create").count() == 1


def test_populous_villages_are_set_in_bulk_all_or_nothing(bureau, tree):
    assert services.set_populous_villages(actor=bureau, codes=["533301205201", "533301101201"]) == 2
    assert services.set_populous_villages(actor=bureau, codes=["533301205201"]) == 0  # idempotent
    with pytest.raises(ValidationError):
        services.set_populous_villages(actor=bureau, codes=["533301101001", "533301205"])  # a township code
    with pytest.raises(PermissionDenied):
        services.set_populous_villages(actor=bureau, codes=["533301101001", "533323101201"])
    assert set(PopulousVillage.objects.values_list("village_id", flat=True)) == {"533301205201", "533301101201"}
    assert services.set_populous_villages(actor=bureau, codes=["533301101201"], populous=False) == 1


def test_shop_needs_approval_before_links(bureau, operator, households):
    s = services.register_shop(actor=operator, name="店", model=ShopModel.CADRE, owner="王五", platform="拼多多",
                               region_code="533301205201")
    assert s.status == ShopStatus.PENDING and list(s.operators.all()) == [operator]
    with pytest.raises(ValidationError):
        services.link_household(actor=operator, shop_id=s.pk, household_id=households["533301205201"].pk,
                                started_on="2020-01-01")
    with pytest.raises(PermissionDenied):
        services.decide_shop(actor=operator, shop_id=s.pk, approve=True)
    with pytest.raises(ValidationError):  # a rejection needs its reason
        services.decide_shop(actor=bureau, shop_id=s.pk, approve=False)
    services.decide_shop(actor=bureau, shop_id=s.pk, approve=True)
    link = services.link_household(actor=operator, shop_id=s.pk, number=households["533301205201"].number,
                                   started_on="2020-01-01")
    with pytest.raises(ValidationError):  # twice
        services.link_household(actor=operator, shop_id=s.pk, household_id=households["533301205201"].pk,
                                started_on="2020-02-01")
    with pytest.raises(ValidationError):  # a household of another county
        services.link_household(actor=operator, shop_id=s.pk, household_id=households["533323101201"].pk,
                                started_on="2020-01-01")
    services.unlink_household(actor=operator, link_id=link.pk, ended_on="2021-01-01")
    village = services.link_village(actor=operator, shop_id=s.pk, village_code="533301205201", started_on="2020-01-01")
    assert village.village_id == "533301205201"


def test_an_operator_cannot_act_for_another_shop(shop, households):
    other = testing.make_user("other_shop", None, Role.SHOP_OPERATOR)
    with pytest.raises(Http404):
        services.record_purchase(actor=other, shop_id=shop.pk, household_id=households["533301205201"].pk,
                                 product="草果", purchased_on="2021-03-01", quantity=10, unit="kg", unit_price="12.00",
                                 protective_price="10.00")


def test_purchase_amount_is_computed_and_checked(shop, operator, households):
    h = households["533301205201"]
    p = services.record_purchase(actor=operator, shop_id=shop.pk, household_id=h.pk, product="草果",
                                 purchased_on="2021-03-01", quantity="12.5", unit="kg", unit_price="10.05",
                                 protective_price="10.00")
    assert p.amount == Decimal("125.63")  # 125.625 half up
    with pytest.raises(ValidationError) as e:
        services.record_purchase(actor=operator, shop_id=shop.pk, household_id=h.pk, product="草果",
                                 purchased_on="2021-03-01", quantity="2", unit="kg", unit_price="10",
                                 protective_price="10", amount="25")
    assert "amount" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.record_purchase(actor=operator, shop_id=shop.pk, household_id=h.pk, product="草果",
                                 purchased_on="2021-03-01", quantity="2", unit="kg", unit_price="9.99",
                                 protective_price="10")
    assert "unit_price" in e.value.message_dict
    with pytest.raises(ValidationError) as e:  # before the link started
        services.record_purchase(actor=operator, shop_id=shop.pk, household_id=h.pk, product="草果",
                                 purchased_on="2019-03-01", quantity="2", unit="kg", unit_price="10",
                                 protective_price="10")
    assert "household" in e.value.message_dict
    assert Purchase.objects.count() == 1


def test_trace_events_refuse_personal_data(shop, operator):
    product = services.save_product(actor=operator, name="泸水草果", category="herbs", origin_code="533301205201",
                                    producer_name="季加草果合作社", shop_id=shop.pk)
    batch = services.add_batch(actor=operator, product_id=product.pk, quantity="500", unit="kg")
    assert len(batch.code) == 16
    services.add_trace_event(actor=operator, batch_code=batch.code.lower(), kind=TraceEventKind.HARVEST,
                             date="2021-10-01", place="季加村", note="人工采收")
    with pytest.raises(ValidationError):
        services.add_trace_event(actor=operator, batch_code=batch.code, kind=TraceEventKind.PACKING, date="2021-10-02",
                                 note="联系 13912345678")
    with pytest.raises(ValidationError):
        services.save_product(actor=operator, name="草果", category="herbs", origin_code="533323101201",
                              shop_id=shop.pk)  # origin outside the shop's county
