import datetime as dt

import pytest

from fupin import testing
from fupin.core.roles import Role
from fupin.registry import idnumber
from fupin.team import services


def id_for(county: str, n: int) -> str:
    return idnumber.make(idnumber.issuing_code(county, 1985), dt.date(1985, 3, 1 + n), n, "1")


@pytest.fixture
def county_admin(users):
    return users["county"]


@pytest.fixture
def cadres(county_admin, tree):
    """Three team members of 泸水市: two serving 季加村, one 赖茂村."""
    specs = [("王书记", "first_secretary", "533301205201"), ("李队员", "work_team", "533301205201"),
             ("赵干部", "other", "533301101201")]
    return [services.save_cadre(actor=county_admin, name=name, id_number=id_for("533301", i), kind=kind,
                                unit="泸水市委组织部", region_code=region, phone="13800000000")
            for i, (name, kind, region) in enumerate(specs)]


@pytest.fixture
def cadre_user(cadres, tree):
    user = testing.make_user("cadre1", tree["533301205201"], Role.CADRE)
    cadres[0].user = user
    cadres[0].save(update_fields=["user"])
    return user
