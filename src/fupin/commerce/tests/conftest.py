import datetime as dt

import pytest

from fupin import testing
from fupin.commerce import services
from fupin.commerce.models import ShopModel
from fupin.core.roles import Role


@pytest.fixture
def bureau(tree):
    return testing.make_user("bureau", tree["533301"], Role.COMMERCE_BUREAU)


@pytest.fixture
def operator(db):
    return testing.make_user("shopkeeper", None, Role.SHOP_OPERATOR)


@pytest.fixture
def shop(bureau, operator, households):
    """An approved shop of 泸水市 run by ``operator``, linked to the households of 季加 and 赖茂."""
    s = services.register_shop(actor=operator, name="怒江草果小店", model=ShopModel.ABLE_PERSON, owner="李四",
                               platform="淘宝", region_code="533301205", link="https://shop.example.com/1")
    services.decide_shop(actor=bureau, shop_id=s.pk, approve=True)
    for code in ("533301205201", "533301101201"):
        services.link_household(actor=operator, shop_id=s.pk, household_id=households[code].pk,
                                started_on=dt.date(2020, 1, 1))
    s.refresh_from_db()
    return s
