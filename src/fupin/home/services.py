"""Writes of the site: the demo users (one per role over the demo county), audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count

from fupin.core import audit
from fupin.core.models import AuditEvent, User
from fupin.core.roles import Role
from fupin.core.services import ensure_role_groups
from fupin.core.tree import subtree_bounds
from fupin.regions.models import Level, Region
from fupin.registry.models import Household

DEMO_PASSWORD = "fupin-demo-2026"
DEMO_COUNTY = "533301"  # 泸水市, 怒江傈僳族自治州, Yunnan


class DemoUsersError(Exception):
    pass


@transaction.atomic
def create_demo_users(*, password: str | None = None, actor: Any = None) -> list[User]:
    """One demo user per role, over 泸水市 (the township and village with the most demo households)."""
    county = Region.objects.filter(code=DEMO_COUNTY).first()
    if county is None:
        raise DemoUsersError(f"region {DEMO_COUNTY} (泸水市) is not loaded; run `fupin load_regions --province 53` first")
    busiest = (
        Household.objects.filter(village__code__range=subtree_bounds(DEMO_COUNTY))
        .values("village_id").annotate(n=Count("id")).order_by("-n", "village_id").first()
    )
    if busiest:
        village = Region.objects.get(code=busiest["village_id"])
    else:
        first = Region.objects.filter(code__range=subtree_bounds(DEMO_COUNTY), level=Level.VILLAGE).order_by("code").first()
        if first is None:
            raise DemoUsersError(f"no villages of {DEMO_COUNTY} are loaded")
        village = first
    if village is None:  # pragma: no cover - both branches above set it
        raise DemoUsersError(f"no villages of {DEMO_COUNTY} are loaded")
    township = village.parent
    if township is None:
        raise DemoUsersError(f"village {village.code} has no township")
    ensure_role_groups()
    specs = [
        ("demo_admin", "系统管理员", None, [Role.SYSADMIN], True),
        ("demo_analyst", "省级分析员", Region.objects.get(code="53"), [Role.ANALYST], False),
        ("demo_exchange", "省教育厅交换账号", Region.objects.get(code="53"), [Role.EXCHANGE], False),
        ("demo_county", "泸水市扶贫办", county, [Role.COUNTY_ADMIN], False),
        ("demo_township", f"{township.name}审核员", township, [Role.TOWNSHIP_REVIEWER], False),
        ("demo_clerk", f"{village.name}录入员", village, [Role.CLERK], False),
        ("demo_commerce", "泸水市商务局", county, [Role.COMMERCE_BUREAU], False),
        ("demo_shop", "电商扶贫示范网店经营者", None, [Role.SHOP_OPERATOR], False),  # sees its own shop only
        ("demo_finance", "云南省财政厅", Region.objects.get(code="53"), [Role.FINANCE], False),
        ("demo_finance_county", "泸水市财政局", county, [Role.FINANCE], False),
        ("demo_lead", "省委网信办", Region.objects.get(code="53"), [Role.LEAD_UNIT], False),
        ("demo_cadre", f"{village.name}帮扶干部", village, [Role.CADRE], False),  # their households, on a phone
        ("demo_donor", "爱心网友小王", None, [Role.DONOR], False),  # sees its own pledges and public pages only
        ("demo_editor", "泸水市融媒体中心", county, [Role.WELFARE_EDITOR], False),
    ]
    users = []
    for username, org, region, roles, superuser in specs:
        user, _created = User.objects.get_or_create(username=username)
        user.organisation = org
        user.region = region
        user.is_superuser = user.is_staff = superuser
        user.is_active = True
        user.set_password(password or DEMO_PASSWORD)
        user.save()
        user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
        users.append(User.objects.select_related("region").get(pk=user.pk))
        audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=user, region_code=user.region_id or "",
                     summary=f"demo user {username}")
    from fupin.commerce.demo import attach_operator

    attach_operator(next(u for u in users if u.username == "demo_shop"), DEMO_COUNTY)
    from fupin.team.demo import attach_cadre

    attach_cadre(next(u for u in users if u.username == "demo_cadre"), village.code)
    from fupin.welfare.demo import attach_donor

    attach_donor(next(u for u in users if u.username == "demo_donor"))
    return users
