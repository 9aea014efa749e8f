"""Reads of rural e-commerce, already limited to what the user may see: by region through ``core.scoping`` for the
commerce bureau and everyone with a region, by operation for a shop operator (its shops, their linked households
and purchases, nothing else). The public catalogue and trace pages read published products only and never a
household."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from fupin.commerce.models import (
    Batch,
    PopulousVillage,
    Product,
    Purchase,
    Shop,
    ShopHousehold,
    ShopStatus,
    ShopVillage,
    Station,
)
from fupin.commerce.services import operator_only
from fupin.core.scoping import get_scoped_or_404, narrow_or_404, scope_field, scoped
from fupin.core.tree import child_length, is_code, subtree_bounds
from fupin.regions.models import Level, Region
from fupin.registry.models import Member


def _in_region(qs: QuerySet[Any], user: Any, region: str) -> QuerySet[Any]:
    """``qs`` limited to the user's scope narrowed to ``region`` (a division code typed or picked; 404 outside)."""
    return qs.filter(narrow_or_404(user, (region or "").strip()).q(scope_field(qs.model)))


def _public_region(qs: QuerySet[Any], field: str, region: str) -> QuerySet[Any]:
    region = (region or "").strip()
    if not region:
        return qs
    if not is_code(region):
        raise Http404
    return qs.filter(**{f"{field}__range": subtree_bounds(region)})


def stations(user: Any, *, region: str = "", tier: str = "", open_on: dt.date | None = None) -> QuerySet[Station]:
    qs = _in_region(Station.objects.select_related("region"), user, region)
    if tier:
        qs = qs.filter(tier=tier)
    if open_on:
        qs = qs.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=open_on)).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=open_on))
    return qs.order_by("region_id", "tier", "name")


def station(user: Any, pk: int) -> Station:
    return get_scoped_or_404(Station.objects.select_related("region"), user, pk=pk)


@dataclass
class CoverageRow:
    code: str
    name: str
    populous: int
    covered: int

    @property
    def percent(self) -> float | None:
        return 100.0 * self.covered / self.populous if self.populous else None


def coverage(user: Any, region: str = "", on: dt.date | None = None) -> tuple[CoverageRow, list[CoverageRow]]:
    """Populous villages and those with a station open on ``on`` (today) located in the village, for the region
    (the user's own by default) and per child region: two grouped queries."""
    prefix = narrow_or_404(user, region).prefix or ""
    day = on or timezone.localdate()
    child_len = child_length(len(prefix))
    open_station = Station.objects.filter(region_id=OuterRef("village_id")).filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=day)).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
    from django.db.models import Exists
    from django.db.models.functions import Substr

    qs = PopulousVillage.objects.all()
    if prefix:
        qs = qs.filter(village__code__range=subtree_bounds(prefix))
    rows = (qs.annotate(g=Substr("village_id", 1, child_len), has=Exists(open_station))
            .values("g").annotate(n=Count("village_id"), c=Count("village_id", filter=Q(has=True))).order_by("g"))
    names = dict(Region.objects.filter(code__in=[r["g"] for r in rows]).values_list("code", "name"))
    children = [CoverageRow(r["g"], names.get(r["g"], r["g"]), r["n"], r["c"]) for r in rows]
    name = Region.objects.filter(code=prefix).values_list("name", flat=True).first() or ""
    total = CoverageRow(prefix, name, sum(c.populous for c in children), sum(c.covered for c in children))
    return total, children


def shops(user: Any, *, region: str = "", status: str = "") -> QuerySet[Shop]:
    """A shop operator's own shops; otherwise the shops of the user's region."""
    base = Shop.objects.select_related("region")
    qs = base.filter(operators=user) if operator_only(user) else _in_region(base, user, region)
    if status:
        qs = qs.filter(status=status)
    today = timezone.localdate()
    linked = ShopHousehold.objects.filter(shop=OuterRef("pk"), started_on__lte=today).exclude(ended_on__lte=today)
    return qs.annotate(households=Subquery(linked.values("shop").annotate(n=Count("id")).values("n")[:1])).order_by(
        "status", "region_id", "name")


DECISION_DAYS = 20  # a shop's application is decided within this many days (beyond: overdue on the workbench)


def shops_to_decide(user: Any) -> QuerySet[Shop]:
    """The shops of the user's region waiting for the bureau's approval (the shop list filtered by "awaiting
    approval", same scope), oldest application first."""
    return (_in_region(Shop.objects.select_related("region"), user, "").filter(status=ShopStatus.PENDING)
            .order_by("created_at", "id"))


def decision_counts(user: Any, *, now: dt.datetime | None = None) -> dict[str, int]:
    """One aggregate over ``shops_to_decide``: ``n`` and ``overdue`` (waiting more than ``DECISION_DAYS``)."""
    late = (now or timezone.now()) - dt.timedelta(days=DECISION_DAYS)
    return shops_to_decide(user).order_by().aggregate(n=Count("id"), overdue=Count("id", filter=Q(created_at__lt=late)))


def own_shop_counts(user: Any) -> dict[str, int]:
    """A shop operator's shops (as its shop list shows them), one aggregate: ``n`` and ``pending`` (not yet
    approved: purchases and links wait for the approval)."""
    return Shop.objects.filter(operators=user).aggregate(
        n=Count("id"), pending=Count("id", filter=Q(status=ShopStatus.PENDING)))


def shop(user: Any, pk: int) -> Shop:
    try:
        return shops(user).get(pk=pk)
    except Shop.DoesNotExist:
        raise Http404 from None


def _head_name() -> Subquery:
    head = Member.objects.filter(household=OuterRef("household_id"), relation="01", is_active=True).order_by("id")
    return Subquery(head.values("name")[:1])


def household_links(user: Any, shop: Shop, *, current: bool = True) -> QuerySet[ShopHousehold]:
    """The households linked to ``shop`` (a shop the user may see, from ``shop()``), with the head's name for
    masking. A shop operator sees all of its shop's links; others only those of households in their region."""
    qs = ShopHousehold.objects.filter(shop=shop).select_related("household", "household__village")
    if not operator_only(user):
        qs = scoped(qs, user)
    if current:
        today = timezone.localdate()
        qs = qs.filter(started_on__lte=today).exclude(ended_on__lte=today)
    return qs.annotate(head_name=_head_name()).order_by("household__village_id", "household__number")


def village_links(user: Any, shop: Shop) -> QuerySet[ShopVillage]:
    qs = ShopVillage.objects.filter(shop=shop).select_related("village")
    return qs if operator_only(user) else scoped(qs, user)


def purchases(user: Any, *, shop: Shop | None = None, year: int | None = None) -> QuerySet[Purchase]:
    """Purchases of the user's shops (operator) or of the households of the user's region."""
    base = Purchase.objects.select_related("shop", "household")
    qs = base.filter(shop__operators=user) if operator_only(user) else scoped(base, user)
    if shop is not None:
        qs = qs.filter(shop=shop)
    if year:
        qs = qs.filter(purchased_on__year=year)
    return qs.order_by("-purchased_on", "-id")


def purchase_totals(qs: QuerySet[Purchase]) -> dict[str, Any]:
    agg = qs.aggregate(n=Count("id"), amount=Sum("amount"), households=Count("household", distinct=True))
    return {"n": agg["n"], "amount": agg["amount"] or Decimal(0), "households": agg["households"]}


def household_income_by_year(household_id: int) -> list[dict[str, Any]]:
    """What demonstration shops paid a household, per year (for its dossier, whose reader was already checked),
    with how much of it a clerk confirmed into the year's business income and what is still pending: two grouped
    queries."""
    from django.db.models.functions import ExtractYear

    from fupin.commerce.models import ShopIncomeConfirmation

    rows = (Purchase.objects.filter(household_id=household_id).annotate(year=ExtractYear("purchased_on"))
            .values("year").annotate(amount=Sum("amount"), n=Count("id"), shops=Count("shop", distinct=True))
            .order_by("-year"))
    confirmed = dict(ShopIncomeConfirmation.objects.filter(household_id=household_id).values("year")
                     .annotate(t=Sum("amount")).values_list("year", "t"))
    out = []
    for r in rows:
        done = confirmed.get(r["year"]) or Decimal(0)
        out.append({**r, "confirmed": done, "pending": (r["amount"] or Decimal(0)) - done})
    return out


def household_services(household_id: int, limit: int = 50) -> list[Any]:
    """The 代购/代缴 services stations delivered to a household, latest first (for its dossier)."""
    from fupin.commerce.models import ServiceRecord

    return list(ServiceRecord.objects.filter(household_id=household_id).select_related("station")
                .order_by("-served_on", "-id")[:limit])


def service_stations(user: Any) -> QuerySet[Station]:
    """Open stations of the user's region that offer 代购 or 代缴 (for the service form's picker)."""
    today = timezone.localdate()
    return (scoped(Station.objects.filter(Q(purchasing=True) | Q(bill_payment=True)), user)
            .exclude(closed_on__lte=today).select_related("region").order_by("region_id", "name"))


def demo_counties(user: Any) -> QuerySet[Any]:
    """电子商务进农村综合示范县 of the user's region."""
    from fupin.commerce.models import DemoCounty

    return scoped(DemoCounty.objects.select_related("county"), user).order_by("-year", "county_id")


def products(user: Any, *, region: str = "", category: str = "") -> QuerySet[Product]:
    base = Product.objects.select_related("origin", "shop")
    qs = base.filter(shop__operators=user) if operator_only(user) else _in_region(base, user, region)
    return qs.filter(category=category) if category else qs


# --- public ------------------------------------------------------------------------------------------------------


def catalogue(*, region: str = "", category: str = "", q: str = "") -> QuerySet[Product]:
    """The public online expo (001 九): published products, filtered by region and category. No household."""
    qs = _public_region(Product.objects.filter(published=True), "origin__code", region)
    if category:
        qs = qs.filter(category=category)
    if q.strip():
        qs = qs.filter(name__icontains=q.strip()[:50])
    return (qs.select_related("origin", "origin__parent", "origin__parent__parent", "shop")
            .only("name", "category", "certification", "season", "producer_name", "origin__name", "origin__code",
                  "origin__parent__name", "origin__parent__parent__name", "shop__name", "shop__link",
                  "shop__platform", "shop__status")
            .order_by("origin_id", "name"))


def catalogue_regions() -> list[tuple[str, str]]:
    """The provinces and counties with published products, for the catalogue's filter."""
    codes = set(Product.objects.filter(published=True).values_list("origin_id", flat=True).distinct())
    wanted = {c[:n] for c in codes for n in (2, 4, 6)}
    return list(Region.objects.filter(code__in=wanted, level__in=(Level.PROVINCE, Level.CITY, Level.COUNTY))
                .order_by("code").values_list("code", "name"))


def trace(code: str) -> Batch:
    """A batch by its trace code, for the public page: product, origin (names of village, township, county) and
    events. Raises 404 for an unknown code or an unpublished product."""
    batch = (Batch.objects.select_related("product", "product__origin", "product__origin__parent",
                                          "product__origin__parent__parent")
             .filter(code=code.strip().upper(), product__published=True).first())
    if batch is None:
        raise Http404
    return batch


def courses(user: Any) -> QuerySet[Any]:
    """The e-commerce courses (``team.Training`` of topic e-commerce) of the user's region."""
    from fupin.team.models import Training, TrainingTopic

    return scoped(Training.objects.filter(topic=TrainingTopic.ECOMMERCE).select_related("region"), user).annotate(
        n=Count("attendance")).order_by("-starts_on", "-id")


def course(user: Any, pk: int) -> Any:
    from fupin.team.models import Training, TrainingTopic

    return get_scoped_or_404(Training.objects.filter(topic=TrainingTopic.ECOMMERCE).select_related("region"), user,
                             pk=pk)


def trainees(user: Any, course: Any) -> QuerySet[Any]:
    """The trainees of a course the user may see, limited to the villages of the user's region."""
    from fupin.team.models import Attendance

    return scoped(Attendance.objects.filter(training=course).select_related("village"), user).order_by(
        "village_id", "id")
