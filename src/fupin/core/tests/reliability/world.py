"""A small world for the reliability tests (access matrix, fuzzing): one user of every role, and each kind of object
twice — once in 季加村 (云南, inside the Yunnan roles' regions) and once in 富水南路社区 (贵州, inside the department
account's region only). Members carry distinct full names so that a clear name can be found in a response body."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from fupin import testing
from fupin.core.models import User
from fupin.core.roles import PERSONAL_DATA_ROLES, Role
from fupin.registry import idnumber

YUNNAN = "533301205201"  # 季加村委会, the clerk's village
GUIZHOU = "520102001001"  # 富水南路社区
ABSENT = 987654  # a primary key no object has

# Every role of core.roles, as the demo logins hold them (home.services.create_demo_users); ``anon`` is signed out.
ROLE_USERS: dict[str, tuple[str | None, tuple[Role, ...]]] = {
    "clerk": (YUNNAN, (Role.CLERK,)),
    "township": ("533301205", (Role.TOWNSHIP_REVIEWER,)),
    "county": ("533301", (Role.COUNTY_ADMIN,)),
    "analyst": ("53", (Role.ANALYST,)),
    "exchange": ("52", (Role.EXCHANGE,)),
    "sysadmin": (None, (Role.SYSADMIN,)),
    "commerce": ("533301", (Role.COMMERCE_BUREAU,)),
    "shop": (None, (Role.SHOP_OPERATOR,)),
    "finance": ("53", (Role.FINANCE,)),
    "finance_county": ("533301", (Role.FINANCE,)),
    "lead": ("53", (Role.LEAD_UNIT,)),
    "cadre": (YUNNAN, (Role.CADRE,)),  # the responsible cadre (帮扶干部) of the household of 季加村
    "donor": (None, (Role.DONOR,)),  # a netizen donor: public projections and its own pledges only
    "welfare_editor": ("533301", (Role.WELFARE_EDITOR,)),  # the county's portal editor
}
ROLES = ["anon", *ROLE_USERS]

# Full names no masked form contains (a masked name keeps only the first character).
NAMES = ["欧阳秀英", "司马建国", "诸葛红梅", "上官志强", "东方玉兰", "皇甫德胜"]


def clear_role(role: str) -> bool:
    """May this role see names and ID numbers in clear?"""
    return role != "anon" and any(r in PERSONAL_DATA_ROLES for r in ROLE_USERS[role][1])


def sides(role: str) -> tuple[str, str | None]:
    """(inside, outside) village of the role: the object inside its region and the one outside (None when the role
    sees the whole nation). The shop operator and the donor have no region: their own records (the shop; the
    pledge) are in 云南."""
    region = ROLE_USERS[role][0] if role != "anon" else "x"
    if region is None:
        return (YUNNAN, None) if role == "sysadmin" else (YUNNAN, GUIZHOU)
    if GUIZHOU.startswith(region):
        return GUIZHOU, YUNNAN
    return YUNNAN, GUIZHOU


@dataclass
class Side:
    village: str
    params: dict[str, Any] = field(default_factory=dict)  # URL parameter name → value for this side's objects
    names: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)
    household_numbers: list[str] = field(default_factory=list)


@dataclass
class World:
    users: dict[str, User]
    side: dict[str, Side]  # village code → Side


def build() -> World:
    from fupin.commerce.models import Shop, ShopModel, ShopStatus
    from fupin.lifecycle.models import Case, Kind, Measure, Notice, Stage
    from fupin.monitoring.models import Alert
    from fupin.registry.models import Cadre, Member
    from fupin.welfare.models import Donor, Need, Pledge

    tree = testing.make_tree()
    users = {}
    for name, (region, roles) in ROLE_USERS.items():
        users[name] = testing.make_user(f"m_{name}", tree[region] if region else None, *roles,
                                        is_staff=name == "sysadmin", organisation="贵州省医疗保障局、民政厅"
                                        if name == "exchange" else "")
    admin = users["sysadmin"]
    donor = Donor.objects.create(user=users["donor"], display_name="爱心网友", contact="donor@example.org")
    names = iter(NAMES)
    side: dict[str, Side] = {}
    for code in (YUNNAN, GUIZHOU):
        village = tree[code]
        h = testing.make_household(village, size=3)
        s = Side(code, household_numbers=[h.number])
        for m in Member.objects.filter(household=h).order_by("id"):
            m.name = next(names)
            m.save(update_fields=["name"])
            s.names.append(m.name)
            s.id_numbers.append(m.id_number)
        # the household's responsible cadre: the cadre account's person record in 云南, another (no account) in 贵州
        cadre = Cadre.objects.create(name=f"干部{code}", unit="帮扶单位", region=village, phone="13900000000",
                                     id_number=idnumber.make(idnumber.issuing_code(code[:6], 1985),
                                                             dt.date(1985, 5, 5), 77, "1"),
                                     user=users["cadre"] if code == YUNNAN else None)
        s.id_numbers.append(cadre.id_number)  # a team member's ID number is personal data too
        h.cadre = cadre
        h.save(update_fields=["cadre"])
        member = Member.objects.filter(household=h).order_by("id").first()
        assert member is not None
        today = dt.date.today()
        notice = Notice.objects.create(village=village, kind=Kind.IDENTIFICATION, year=today.year, starts_on=today,
                                       ends_on=today + dt.timedelta(days=7), created_by=admin)
        case = Case.objects.create(household=h, kind=Kind.IDENTIFICATION, stage=Stage.APPLIED, year=today.year,
                                   reason="申请", opened_by=admin)
        measure = Measure.objects.create(household=h, type="01", description="产业帮扶", start_date=today,
                                         responsible="帮扶责任人")
        alert = Alert.objects.create(rule="INCOME_DROP", household=h, region_code=code, township_code=code[:9],
                                     severity="high", points=60, evidence={}, fingerprint=f"fp{code}",
                                     deadline=today + dt.timedelta(days=15), created_at=timezone.now(),
                                     updated_at=timezone.now())
        shop = Shop.objects.create(name=f"小店{code}", model=ShopModel.ABLE_PERSON, owner="店主", platform="淘宝",
                                   region=tree[code[:9]], status=ShopStatus.APPROVED)
        # a published need (public through its projection only), pledged to by the donor in 云南; four more
        # households in the village so that the need's household hides among five (welfare.identity.K) and is shown
        for _ in range(4):
            testing.make_household(village, size=1)
        need = Need.objects.create(household=h, village=village, kind="education", story="孩子上学需要资助",
                                   goal=3000, status=Need.Status.PUBLISHED, consent_by=s.names[0],
                                   consent_on=today, consent_method="signed", public_surname=s.names[0][:1],
                                   published_at=timezone.now())
        if code == YUNNAN:
            shop.operators.add(users["shop"])
            Pledge.objects.create(donor=donor, need=need, amount=100)
        s.params = {"pk": h.pk, "household_id": h.pk, "member_pk": member.pk, "member_id": member.pk,
                    "code": code, "year": 2020, "case": case.pk, "notice": notice.pk, "measure": measure.pk,
                    "alert": alert.pk, "shop": shop.pk, "need": need.pk, "cadre": cadre.pk,
                    "household": h.pk}
        side[code] = s
    return World(users, side)
