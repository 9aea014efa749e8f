"""Fund lines of one year down the test tree (fupin.testing): central → 云南 → 怒江 → 泸水市, and a project of 泸水市."""

import datetime as dt

import pytest

from fupin import testing
from fupin.core.roles import Role
from fupin.projects import services
from fupin.projects.models import FundLevel, FundSource

YEAR = 2019


@pytest.fixture
def finance(tree):
    return {
        "nation": testing.make_user("fin_nation", None, Role.SYSADMIN, organisation="财政部"),
        "province": testing.make_user("fin_province", tree["53"], Role.FINANCE, organisation="云南省财政厅"),
        "county": testing.make_user("fin_county", tree["533301"], Role.FINANCE, organisation="泸水市财政局"),
        "other": testing.make_user("fin_other", tree["533323"], Role.FINANCE, organisation="福贡县财政局"),
    }


@pytest.fixture
def lines(finance):
    f = finance
    central = services.create_fund_line(actor=f["nation"], code="2019-c-special", year=YEAR, level=FundLevel.CENTRAL,
                                        source=FundSource.SPECIAL, name="中央财政专项扶贫资金", own_amount=1_000_000)
    province = services.create_fund_line(actor=f["province"], code="2019-53-special", year=YEAR,
                                         level=FundLevel.PROVINCIAL, source=FundSource.SPECIAL, name="云南省财政专项扶贫资金",
                                         region_code="53", own_amount=200_000)
    city = services.create_fund_line(actor=f["province"], code="2019-5333-special", year=YEAR, level=FundLevel.CITY,
                                     source=FundSource.SPECIAL, name="怒江州财政专项扶贫资金", region_code="5333")
    county = services.create_fund_line(actor=f["county"], code="2019-533301-special", year=YEAR,
                                       level=FundLevel.COUNTY, source=FundSource.SPECIAL, name="泸水市财政专项扶贫资金",
                                       region_code="533301", own_amount=50_000)
    return {"central": central, "province": province, "city": city, "county": county}


@pytest.fixture
def project(users):
    return services.register_project(
        actor=users["county"], code="LS-2019-001", name="季加村光纤入户工程", year=YEAR, type="network",
        lead_unit="泸水市工信局", region_code="533301205201", budget=300_000, planned_start=dt.date(2019, 3, 1),
        planned_end=dt.date(2019, 10, 31), description="光纤到户")
