"""Reads of the registry, always scoped to the user's subtree (fupin.core.scoping)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Substr

from fupin.core.masking import Masker
from fupin.core.scoping import get_scoped_or_404, scope_of, scoped
from fupin.core.tree import is_code, length_of, subtree_bounds
from fupin.regions.models import Level, Region
from fupin.registry.models import Household, Income, Member, Source
from fupin.registry.portrait import national_lines, poverty_line

# The list's orders. "By household number" is by village, then number: a register's order, which the (village,
# number) index gives a page of at once at any scope. Ordered by the number alone, PostgreSQL walked the number index
# of the whole table until it met 20 households of the scope: 0.7 s for a county at 3 million households, more for a
# province; households keep their number when they move, so the two orders differ only for those.
SORTS: dict[str, tuple[str, ...]] = {
    "number": ("village_id", "number"),
    "-number": ("-village_id", "-number"),
    "size": ("size",),
    "-size": ("-size",),
    "income": ("per_capita",),
    "-income": ("-per_capita",),
    "year": ("identified_year",),
    "-year": ("-identified_year",),
}


# Bands of the latest year's 人均纯收入 against that year's poverty line (fupin.registry.portrait).
INCOME_BANDS = ("below", "near", "above", "none")
NEAR_FACTOR = Decimal("1.5")  # the monitoring line is often about 1.5 × the poverty line


@dataclass
class HouseholdFilter:
    region: str = ""
    q: str = ""
    status: str = ""
    cause: str = ""
    band: str = ""
    sort: str = "number"

    @classmethod
    def from_params(cls, params: Any) -> HouseholdFilter:
        sort = params.get("sort", "number")
        return cls(
            region=(params.get("region") or "").strip(),
            q=(params.get("q") or "").strip(),
            status=(params.get("status") or "").strip(),
            cause=(params.get("cause") or "").strip(),
            band=band if (band := (params.get("band") or "").strip()) in INCOME_BANDS else "",
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
        qs = qs.filter(village__code__range=subtree_bounds(f.region))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.cause:
        qs = qs.filter(main_cause=f.cause)
    if f.q:
        text = f.q.upper()
        by_person = not text.isdigit() or (len(text) == 18 and text[:17].isdigit())
        if by_person and not Masker(user).clear:
            # Roles that see names and ID numbers masked may not find a person by them either: the result would
            # tell them which household that person belongs to.
            return qs.none()
        if len(text) == 18 and text[:17].isdigit():
            qs = qs.filter(Exists(Member.objects.filter(household=OuterRef("pk"), id_number=text, is_active=True)))
        elif text.isdigit():
            qs = qs.filter(number__startswith=text)
        else:
            qs = qs.filter(Exists(Member.objects.filter(household=OuterRef("pk"), name=f.q, is_active=True)))
    qs = annotate_list(qs)
    if f.band:
        qs = filter_income_band(qs, f.band)
    return qs.order_by(*SORTS[f.sort], "id")


def _line_of_income_year() -> Case:
    """The poverty line of each row's ``income_year``, as SQL (years outside the table: the nearest)."""
    lines = national_lines()
    years = sorted(lines)
    whens = [When(income_year=y, then=Value(lines[y])) for y in years]
    whens.append(When(income_year__lt=years[0], then=Value(poverty_line(years[0], lines))))
    return Case(*whens, default=Value(poverty_line(years[-1], lines)), output_field=DecimalField(max_digits=14, decimal_places=2))


def filter_income_band(qs: QuerySet[Household], band: str) -> QuerySet[Household]:
    """``qs`` (annotated by ``annotate_list``) limited to one band of the latest year's income per person:
    below the line, from the line to 1.5 × the line, above 1.5 × the line, or no income recorded."""
    rows: Any = qs  # the annotations of annotate_list are unknown to the type checker
    if band == "none":
        return rows.filter(income_year__isnull=True)
    rows = rows.annotate(poverty_line=_line_of_income_year())
    near = ExpressionWrapper(F("poverty_line") * NEAR_FACTOR, output_field=DecimalField(max_digits=14, decimal_places=2))
    if band == "below":
        return rows.filter(per_capita__lt=F("poverty_line"))
    if band == "near":
        return rows.filter(per_capita__gte=F("poverty_line"), per_capita__lte=near)
    if band == "above":
        return rows.filter(per_capita__gt=near)
    return qs


def annotate_list(qs: QuerySet[Household]) -> QuerySet[Household]:
    head = Member.objects.filter(household=OuterRef("pk"), relation="01", is_active=True)
    size = Member.objects.filter(household=OuterRef("pk"), is_active=True).values("household").annotate(n=Count("id"))
    return qs.select_related("village").annotate(
        head_name=Subquery(head.values("name")[:1]),
        size=Subquery(size.values("n")[:1]),
        # kept on the household by services.refresh_latest_income: indexed, no subquery per row
        per_capita=F("latest_per_capita"),
        income_year=F("latest_income_year"),
    )


def household_for(user: Any, pk: int) -> Household:
    return get_scoped_or_404(Household.objects.select_related("village", "cadre"), user, pk=pk)


def member_for(user: Any, household: Household, pk: int) -> Member:
    return get_scoped_or_404(Member.objects.select_related("household"), user, pk=pk, household=household,
                             is_active=True)


def active_member_pks(household: Household) -> dict[str, int]:
    """The active members' ids by ID number."""
    return dict(Member.objects.filter(household=household, is_active=True).values_list("id_number", "pk"))


VILLAGE_LIST_LIMIT = 60


def villages_for(user: Any, limit: int | None = None) -> list[tuple[str, str]] | None:
    """The villages of the user's region as (code, name) choices, or None when there are more than
    ``limit`` of them (the form then asks for a code)."""
    limit = VILLAGE_LIST_LIMIT if limit is None else limit
    scope = scope_of(user)
    if scope.prefix is None:
        return []
    qs = Region.objects.filter(level=Level.VILLAGE)
    if scope.prefix:
        qs = qs.filter(code__range=subtree_bounds(scope.prefix))
    rows = list(qs.select_related("parent").order_by("code")[: limit + 1])
    if len(rows) > limit:
        return None
    return [(r.code, f"{r.parent.name if r.parent else ''} {r.name}（{r.code}）".strip()) for r in rows]


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
    n = length_of(level)
    if scope.prefix is None:
        return {}
    qs = visible_households(user)
    members = scoped(Member.objects.filter(is_active=True), user)
    if region is not None:
        qs = qs.filter(village__code__range=subtree_bounds(region.code))
        members = members.filter(household__village__code__range=subtree_bounds(region.code))
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
        qs = qs.filter(village__code__range=subtree_bounds(region.code))
    persons = Member.objects.filter(household=OuterRef("pk"), is_active=True).values("household").annotate(n=Count("id"))
    rows = (
        qs.annotate(n=Subquery(persons.values("n")[:1]))
        .values("status")
        .annotate(households=Count("id"), persons=Sum("n"))
        .order_by("status")
    )
    return [dict(r) for r in rows]
