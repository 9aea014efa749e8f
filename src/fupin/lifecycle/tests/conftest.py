import datetime as dt

import pytest

from fupin.core.roles import Role
from fupin.lifecycle import services
from fupin.registry import idnumber
from fupin.testing import make_user

VILLAGE = "533301205201"  # 季加村, the clerk's village


def person(birth=dt.date(1975, 3, 4), sex="1", relation="01", seq=7, region="533301", **extra):
    return {"name": "王五", "id_number": idnumber.make(idnumber.issuing_code(region, birth.year), birth, seq, sex),
            "relation": relation, "ethnicity": "20", "health": "01", "has_medical_insurance": True, **extra}


# living conditions as collected (an absent answer is "not collected", never met: issue 14 item 6)
APPLICANT = {"standard": "01", "attribute": "01", "main_cause": "01", "housing_safety": "C", "water_safe": True,
             "water_difficult": False, "has_living_power": True}


class Clock:
    """Lets days pass for the services (notice periods) without touching the system clock."""

    def __init__(self, monkeypatch):
        self.date = dt.date.today()
        monkeypatch.setattr(services.common, "today", lambda: self.date)

    def advance(self, days):
        self.date += dt.timedelta(days=days)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def township_clerk(tree):
    """A township poverty-alleviation officer who both enters (clerk) and reviews (township reviewer)."""
    return make_user("both", tree["533301205"], Role.CLERK, Role.TOWNSHIP_REVIEWER)


def walk(case, users, clock, *, approve=True):
    """Take an opened case through review, notice, audit and approval, each by its role."""
    services.review(actor=users["clerk"], case=case, approve=True, reason="村民代表大会通过",
                    evidence="评议会议纪要：到会 32 人，同意 30 人")
    services.start_notice(actor=users["clerk"], cases=[case])
    clock.advance(7)
    services.township_audit(actor=users["township"], case=case, approve=True, reason="入户核实无误")
    return services.county_approval(actor=users["county"], case=case, approve=approve, reason="县扶贫办审批")
