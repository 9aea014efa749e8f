"""Reads of the registry, always scoped to the user's subtree (fupin.core.scoping)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Substr

from fupin.core.scoping import get_scoped_or_404, is_code, scope_of, scoped, subtree_range
from fupin.regions.models import CODE_LENGTHS, Level, Region
from fupin.registry.models import Household, Income, Member, Source

SORTS = {
    "number": "number",
    "-number": "-number",
    "size": "size",
    "-size": "-size",
    "income": "per_capita",
    "-income": "-per_capita",
    "year": "identified_year",
    "-year": "-identified_year",
}


@dataclass
class HouseholdFilter:
    region: str = ""
    q: str = ""
    status: str = ""
    cause: str = ""
    sort: str = "number"

    @classmethod
    def from_params(cls, params: Any) -> HouseholdFilter:
        sort = params.get("sort", "number")
        return cls(
            region=(params.get("region") or "").strip(),
            q=(params.get("q") or "").strip(),
            status=(params.get("status") or "").strip(),
            cause=(params.get("cause") or "").strip(),
            sort=sort if sort in SORTS else "number",
        )


def has_synthetic_data() -> bool:
    value = cache.get("fupin:synthetic")
    if value is None:
        value = Household.objects.filter(source=Source.DEMO).exists()
        cache.set("fupin:synthetic", value, 60)
    return bool(value)


def visible_households(user: Any) -> QuerySet[Household]:
    return scoped(Household.objects.all(), user)


def households(user: Any, f: HouseholdFilter) -> QuerySet[Household]:
    """The household list of a user: scoped, filtered, annotated with head, size and latest income."""
    qs = visible_households(user)
    if f.region:
        if not is_code(f.region):
            return qs.none()
        qs = qs.filter(village__code__range=subtree_range(f.region))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.cause:
        qs = qs.filter(main_cause=f.cause)
    if f.q:
        text = f.q.upper()
        if len(text) == 18 and text[:17].isdigit():
            qs = qs.filter(Exists(Member.objects.filter(household=OuterRef("pk"), id_number=text, is_active=True)))
        elif text.isdigit():
            qs = qs.filter(number__startswith=text)
        else:
            qs = qs.filter(Exists(Member.objects.filter(household=OuterRef("pk"), name=f.q, is_active=True)))
    return annotate_list(qs).order_by(SORTS[f.sort], "id")


def annotate_list(qs: QuerySet[Household]) -> QuerySet[Household]:
    head = Member.objects.filter(household=OuterRef("pk"), relation="01", is_active=True)
    latest = Income.objects.filter(household=OuterRef("pk")).order_by("-year")
    size = Member.objects.filter(household=OuterRef("pk"), is_active=True).values("household").annotate(n=Count("id"))
    return qs.select_related("village").annotate(
        head_name=Subquery(head.values("name")[:1]),
        size=Subquery(size.values("n")[:1]),
        per_capita=Subquery(
            latest.annotate(
                pc=ExpressionWrapper(F("net_total") / F("household_size"), output_field=DecimalField(max_digits=14, decimal_places=2))
            ).values("pc")[:1]
        ),
        income_year=Subquery(latest.values("year")[:1]),
    )


def household_for(user: Any, pk: int) -> Household:
    return get_scoped_or_404(Household.objects.select_related("village", "cadre"), user, pk=pk)


def members_of(household: Household) -> QuerySet[Member]:
    return household.members.filter(is_active=True).order_by("relation", "birth_date", "id")


def incomes_of(household: Household) -> QuerySet[Income]:
    return household.incomes.order_by("year")


def counts_by_child(user: Any, region: Region | None) -> dict[str, dict[str, int]]:
    """Households and persons per child of ``region`` (provinces when None), within the user's scope:
    one grouped query over the code prefix."""
    scope = scope_of(user)
    level = Level.PROVINCE if region is None else region.level + 1
    if level > Level.VILLAGE:
        return {}
    n = CODE_LENGTHS[Level(level)]
    if scope.prefix is None:
        return {}
    qs = visible_households(user)
    members = scoped(Member.objects.filter(is_active=True), user)
    if region is not None:
        qs = qs.filter(village__code__range=subtree_range(region.code))
        members = members.filter(household__village__code__range=subtree_range(region.code))
    rows = qs.annotate(child=Substr("village_id", 1, n)).values("child").annotate(households=Count("id"))
    persons = (
        members
        .annotate(child=Substr("household__village_id", 1, n))
        .values("child")
        .annotate(persons=Count("id"))
    )
    out: dict[str, dict[str, int]] = {r["child"]: {"households": r["households"], "persons": 0} for r in rows}
    for r in persons:
        out.setdefault(r["child"], {"households": 0, "persons": 0})["persons"] = r["persons"]
    return out


def status_summary(user: Any, region: Region | None = None) -> list[dict[str, Any]]:
    qs = visible_households(user)
    if region is not None:
        qs = qs.filter(village__code__range=subtree_range(region.code))
    persons = Member.objects.filter(household=OuterRef("pk"), is_active=True).values("household").annotate(n=Count("id"))
    rows = (
        qs.annotate(n=Subquery(persons.values("n")[:1]))
        .values("status")
        .annotate(households=Count("id"), persons=Sum("n"))
        .order_by("status")
    )
    return [dict(r) for r in rows]
