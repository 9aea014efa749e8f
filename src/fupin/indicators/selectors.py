"""Reads of the indicator system, always limited to the user's region (X1). A region outside the user's subtree
does not exist for them (404); the nation row (region_code "") is visible only to nationwide users."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.http import Http404

from fupin.core.scoping import scope_of, scoped
from fupin.indicators import definitions
from fupin.indicators.models import IndicatorValue, Period
from fupin.regions.models import LEVEL_BY_LENGTH, Region


def periods(kind: str = "") -> QuerySet[Period]:
    qs = Period.objects.all()
    return qs.filter(kind=kind) if kind else qs


def period_or_404(code: str) -> Period:
    try:
        return Period.objects.get(code=code)
    except Period.DoesNotExist as exc:
        raise Http404 from exc


def level_of(code: str) -> int:
    """0 for the nation (""), 1 province … 5 village."""
    return 0 if code == "" else int(LEVEL_BY_LENGTH[len(code)])


def check_region(user: Any, code: str) -> Region | None:
    """The region ``code`` if the user may see it (None for the nation, which only nationwide users may see)."""
    scope = scope_of(user)
    if code == "":
        if not scope.is_nation:
            raise Http404
        return None
    if not scope.contains(code):
        raise Http404
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist as exc:
        raise Http404 from exc


def home_region(user: Any) -> str:
    """Where a user's dashboard starts: their own region, or the nation."""
    return scope_of(user).prefix or ""


def values(user: Any, period: Period, *, region: str = "", indicators: list[str] | None = None
           ) -> QuerySet[IndicatorValue]:
    check_region(user, region)
    qs = IndicatorValue.objects.filter(period=period, region_code=region)
    if indicators:
        qs = qs.filter(indicator__in=indicators)
    return qs


def values_by_code(user: Any, period: Period, *, region: str = "") -> dict[str, IndicatorValue]:
    return {v.indicator: v for v in values(user, period, region=region)}


def children(user: Any, period: Period, *, region: str, indicator: str) -> QuerySet[IndicatorValue]:
    """The indicator's values for the direct children of ``region`` (provinces under the nation)."""
    check_region(user, region)
    level = level_of(region) + 1
    qs = IndicatorValue.objects.filter(period=period, indicator=indicator, level=level)
    if region:
        qs = qs.filter(region_code__startswith=region)
    return scoped(qs, user).order_by("region_code")


def trend(user: Any, *, region: str, indicator: str, kind: str = Period.Kind.YEAR) -> QuerySet[IndicatorValue]:
    """The indicator's value for ``region`` in every period of ``kind``, oldest first."""
    check_region(user, region)
    return (IndicatorValue.objects.filter(region_code=region, indicator=indicator, period__kind=kind)
            .select_related("period").order_by("period__code"))


def ranking(user: Any, period: Period, *, indicator: str, level: int, within: str = "") -> QuerySet[IndicatorValue]:
    """Regions of ``level`` under ``within`` (default: the user's subtree) ranked best first by the indicator's
    direction; regions without a value come last."""
    check_region(user, within)
    ind = definitions.get(indicator)
    qs = IndicatorValue.objects.filter(period=period, indicator=indicator, level=level)
    if within:
        qs = qs.filter(region_code__startswith=within)
    qs = scoped(qs, user)
    order = F("value").asc(nulls_last=True) if ind.direction < 0 else F("value").desc(nulls_last=True)
    return qs.order_by(order, "region_code")


# --- dashboards, assessment and reports (appended) ------------------------------------------------------


def latest_period(kind: str = Period.Kind.YEAR) -> Period | None:
    """The newest period of ``kind`` (years by default), else the newest period of any kind."""
    return Period.objects.filter(kind=kind).order_by("-code").first() or Period.objects.order_by("-code").first()


def check_scope(user: Any, code: str) -> None:
    """Like ``check_region`` but without reading the region: 404 unless ``code`` lies in the user's subtree."""
    scope = scope_of(user)
    if not (scope.is_nation if code == "" else scope.contains(code)):
        raise Http404


def level_values(user: Any, period: Period, *, within: str, level: int,
                 indicators: list[str] | None = None) -> QuerySet[IndicatorValue]:
    """Values of regions of ``level`` under ``within`` (all of them for the nation), limited to the user's
    subtree. The subtree is a code range, so PostgreSQL reads it from the unique index (period, indicator,
    region_code) rather than filtering every value of the level."""
    from fupin.core.tree import subtree_bounds

    check_scope(user, within)
    qs = IndicatorValue.objects.filter(period=period, level=level)
    if within:
        qs = qs.filter(region_code__range=subtree_bounds(within))
    if indicators is not None:
        qs = qs.filter(indicator__in=indicators)
    return scoped(qs, user)


def trends(user: Any, *, region: str, indicators: list[str], periods: list[Period]) -> QuerySet[IndicatorValue]:
    """The values of ``indicators`` for ``region`` in ``periods`` (one indexed read for all of them)."""
    check_scope(user, region)
    return IndicatorValue.objects.filter(period__in=[p.code for p in periods], indicator__in=indicators,
                                         region_code=region).order_by("period_id")
