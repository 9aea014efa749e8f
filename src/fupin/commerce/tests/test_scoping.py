"""X1 for the new roles: a shop operator sees its own shop, its linked households (names masked to the surname)
and nothing of any region; the commerce bureau sees its region only."""

import datetime as dt

from fupin import testing
from fupin.commerce import selectors, services
from fupin.commerce.models import ShopModel, Tier
from fupin.core.masking import Masker, mask_to_surname
from fupin.core.roles import Role
from fupin.core.scoping import scope_of, scoped
from fupin.registry.models import Household


def test_shop_operator_has_no_region_scope(operator, households):
    assert scope_of(operator).prefix is None
    assert not scoped(Household.objects.all(), operator).exists()
    operator.full_clean()  # a region-less shop operator is valid


def test_shop_operator_sees_its_own_shop_and_households_masked(shop, operator, bureau, households):
    other = services.register_shop(actor=bureau, name="另一家", model=ShopModel.ENTERPRISE, owner="公司",
                                   platform="京东", region_code="533301")
    assert list(selectors.shops(operator)) == [shop]
    assert other in selectors.shops(bureau)
    links = list(selectors.household_links(operator, shop))
    assert {link.household.village_id for link in links} == {"533301205201", "533301101201"}
    masker = Masker(operator)
    for link in links:
        shown = masker.surname(link.head_name)
        assert shown[0] == link.head_name[0] and "*" in shown and shown != link.head_name
    services.record_purchase(actor=operator, shop_id=shop.pk, household_id=households["533301205201"].pk,
                             product="草果", purchased_on=dt.date(2021, 3, 1), quantity=1, unit="kg", unit_price=10,
                             protective_price=10)
    assert selectors.purchases(operator).count() == 1
    stranger = testing.make_user("stranger_shop", None, Role.SHOP_OPERATOR)
    assert not selectors.shops(stranger).exists() and not selectors.purchases(stranger).exists()


def test_commerce_bureau_sees_its_region_only(bureau, tree, users):
    services.save_station(actor=bureau, region_code="533301205201", tier=Tier.VILLAGE_POINT, name="季加村服务点")
    guizhou = testing.make_user("gz_bureau", tree["52"], Role.COMMERCE_BUREAU)
    assert selectors.stations(bureau).count() == 1
    assert selectors.stations(guizhou).count() == 0
    assert selectors.stations(users["analyst"]).count() == 1


def test_mask_to_surname():
    assert mask_to_surname("张三") == "张*"
    assert mask_to_surname("欧阳娜娜") == "欧阳**"
    assert mask_to_surname("欧阳") == "欧*"
    assert mask_to_surname("") == ""
