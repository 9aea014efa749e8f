import datetime as dt
from decimal import Decimal

import pytest

from fupin import testing
from fupin.core.permissions import SYSTEM
from fupin.core.roles import Role
from fupin.welfare import services
from fupin.welfare.models import Donor

VILLAGE = "533301205201"  # 季加村委会, the clerk's village


@pytest.fixture
def village_households(tree):
    """Six registered households in the clerk's village (heads all surnamed 张, as the factory names them)."""
    return [testing.make_household(tree[VILLAGE]) for _ in range(6)]


@pytest.fixture
def donor_user(db):
    return testing.make_user("donor", None, Role.DONOR)


@pytest.fixture
def donor(donor_user):
    return Donor.objects.create(user=donor_user, display_name="爱心网友小王", kind=Donor.Kind.PERSON)


@pytest.fixture
def need(users, village_households):
    n = services.propose_need(
        actor=users["clerk"], household=village_households[0], kind="school", story="孩子考上高中，需要学费和住宿费。",
        goal=Decimal("3000"), consent_by="户主", consent_on=dt.date(2026, 11, 1), consent_method="signed")
    return services.review_need(actor=users["township"], need=n, publish=True)


def give(need, donor, amount, ref="T1"):
    return services.record_donation(actor=SYSTEM, donor=donor, need=need, amount=Decimal(amount), channel="bank",
                                    reference=ref, received_on=dt.date(2026, 11, 20))
