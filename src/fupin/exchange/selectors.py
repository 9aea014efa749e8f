"""Reads of the exchange app, every one scoped to the user's region through ``core.scoping``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Substr

from fupin.core.roles import Role
from fupin.core.scoping import get_scoped_or_404, narrow_or_404, scoped
from fupin.core.sql import years_before
from fupin.core.tree import child_length
from fupin.exchange.models import Batch, Doubt
from fupin.regions.models import Region
from fupin.registry.models import Member
from fupin.registry.statuses import REGISTERED_STATUSES

SEVERITY_RANK = Case(When(severity="high", then=Value(0)), When(severity="medium", then=Value(1)),
                     default=Value(2), output_field=IntegerField())
SORTS = {"deadline": ("deadline", "severity_rank", "id"), "severity": ("severity_rank", "deadline", "id")}


def doubts(user: Any, *, state: str = "open", rule: str = "", region: str = "", sort: str = "deadline",
           active_only: bool = False) -> QuerySet[Doubt]:
    qs = scoped(Doubt.objects.select_related("household", "household__village"), user)
    if state:
        qs = qs.filter(state=state)
    if rule:
        qs = qs.filter(rule_id=rule)
    if region:
        qs = qs.filter(narrow_or_404(user, region).q("region_code"))
    if active_only:
        qs = qs.filter(active=True)
    return qs.annotate(severity_rank=SEVERITY_RANK).order_by(*SORTS.get(sort, SORTS["deadline"]))


def doubt(user: Any, pk: int) -> Doubt:
    return get_scoped_or_404(Doubt.objects.select_related("household", "household__village", "verifier", "case"), user, pk=pk)


def doubts_of_household(user: Any, household_id: int) -> QuerySet[Doubt]:
    return scoped(Doubt.objects.filter(household_id=household_id), user).order_by("-created_at")


def batches(user: Any) -> QuerySet[Batch]:
    return scoped(Batch.objects.select_related("uploaded_by"), user)


def batch(user: Any, pk: int) -> Batch:
    return get_scoped_or_404(Batch.objects.all(), user, pk=pk)


@dataclass
class Stats:
    by_rule: list[dict[str, Any]]
    by_region: list[dict[str, Any]]
    total: dict[str, int]


def _counts() -> dict[str, Any]:
    return {
        "total": Count("id"), "open": Count("id", filter=Q(state=Doubt.State.OPEN)),
        "confirmed": Count("id", filter=Q(state=Doubt.State.CONFIRMED)),
        "dismissed": Count("id", filter=Q(state=Doubt.State.DISMISSED)),
        "overdue": Count("id", filter=Q(state=Doubt.State.OPEN, deadline__lt=dt.date.today())),
    }


def statistics(user: Any, *, region: str = "") -> Stats:
    """Doubts by rule and by the next level of regions below the user's (or the chosen) node, by outcome."""
    scope = narrow_or_404(user, region)
    qs = Doubt.objects.filter(scope.q("region_code"))
    prefix = scope.prefix
    by_rule: list[dict[str, Any]] = [dict(r) for r in qs.values("rule_id").annotate(**_counts()).order_by("rule_id")]
    cut = child_length(len(prefix or ""))
    by_region: list[dict[str, Any]] = [dict(r) for r in qs.annotate(area=Substr("region_code", 1, cut)).values("area")
                 .annotate(**_counts()).order_by("area")]
    names = dict(Region.objects.filter(code__in=[r["area"] for r in by_region]).values_list("code", "name"))
    for r in by_region:
        r["name"] = names.get(str(r["area"]), "")
    total = qs.aggregate(**_counts())
    return Stats(by_rule=by_rule, by_region=by_region, total=total)


# --- sharing back (R4.3): groups of registered persons a department serves ---------------------------------

@dataclass(frozen=True)
class ShareGroup:
    code: str
    label: str
    min_age: int | None = None
    max_age: int | None = None
    health: str = ""
    # Data minimisation: an exchange account receives a group only when its organisation is one of the
    # departments that serve it (keywords of ``User.organisation``).
    departments: tuple[str, ...] = ()


SHARE_GROUPS = {g.code: g for g in (
    ShareGroup("school_age", "义务教育及高中阶段学龄人员（教育部门）", 6, 18, departments=("教育",)),
    ShareGroup("disabled", "残疾人员（残联）", health="04", departments=("残联", "残疾人联合会")),
    ShareGroup("elderly", "60岁及以上老年人（民政、人社）", 60, None, departments=("民政", "人社", "人力资源")),
    ShareGroup("all", "全部建档立卡人员（医保、住建等）", departments=("医保", "医疗保障", "住建", "住房和城乡建设")),
)}


def shared_persons(user: Any, group: str, *, today: dt.date | None = None, region: str = "") -> QuerySet[Member]:
    """The registered persons of ``group`` in the exchange account's region, in clear, for a department."""
    if not (getattr(user, "is_authenticated", False) and user.has_role(Role.EXCHANGE)):
        raise PermissionDenied("仅限部门交换账号 / only for department exchange accounts")
    g = SHARE_GROUPS.get(group)
    if g is None:
        raise KeyError(group)
    if not may_receive(user, g):
        raise PermissionDenied("本部门账号不能获取这类人员 / this department account may not receive this group")
    today = today or dt.date.today()
    qs = scoped(Member.objects.filter(is_active=True, household__status__in=REGISTERED_STATUSES), user)
    if region:
        qs = qs.filter(narrow_or_404(user, region).q("household__village__code"))
    if g.min_age is not None:  # at least min_age: born on or before today minus min_age years
        qs = qs.filter(birth_date__lte=years_before(today, g.min_age))
    if g.max_age is not None:  # at most max_age: born after today minus (max_age + 1) years
        qs = qs.filter(birth_date__gt=years_before(today, g.max_age + 1))
    if g.health:
        qs = qs.filter(health=g.health)
    return qs.order_by("id")


def may_receive(user: Any, g: ShareGroup) -> bool:
    organisation = getattr(user, "organisation", "") or ""
    return any(d in organisation for d in g.departments)


# What a department receives: the ID number to match its own records, sex, birth date (both in the ID number)
# and the village. No names, no household numbers (data minimisation).
SHARE_COLUMNS = ("id_number", "sex", "birth_date", "household__village_id")
