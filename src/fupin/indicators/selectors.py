"""Reads of the indicator system, always limited to the user's region (X1). A region outside the user's subtree
does not exist for them (404); the nation row (region_code "") is visible only to nationwide users."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.http import Http404

from fupin.core.scoping import narrow_or_404, scope_of, scoped
from fupin.core.tree import level_of
from fupin.indicators import definitions
from fupin.indicators.models import IndicatorValue, Period
from fupin.regions.models import Region


def periods(kind: str = "") -> QuerySet[Period]:
    qs = Period.objects.all()
    return qs.filter(kind=kind) if kind else qs


def period_or_404(code: str) -> Period:
    try:
        return Period.objects.get(code=code)
    except Period.DoesNotExist as exc:
        raise Http404 from exc


def region_or_404(user: Any, code: str) -> Region | None:
    """The region ``code`` if the user may see all of it (None for the nation, which only nationwide users may
    see); 404 otherwise."""
    narrow_or_404(user, code, node=True)
    if code == "":
        return None
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist as exc:
        raise Http404 from exc


def home_region(user: Any) -> str:
    """Where a user's dashboard starts: their own region, or the nation."""
    return scope_of(user).prefix or ""


def values(user: Any, period: Period, *, region: str = "", indicators: list[str] | None = None
           ) -> QuerySet[IndicatorValue]:
    narrow_or_404(user, region, node=True)
    qs = IndicatorValue.objects.filter(period=period, region_code=region)
    if indicators:
        qs = qs.filter(indicator__in=indicators)
    return qs


def values_by_code(user: Any, period: Period, *, region: str = "") -> dict[str, IndicatorValue]:
    return {v.indicator: v for v in values(user, period, region=region)}


def children(user: Any, period: Period, *, region: str, indicator: str) -> QuerySet[IndicatorValue]:
    """The indicator's values for the direct children of ``region`` (provinces under the nation)."""
    node = narrow_or_404(user, region, node=True)
    qs = IndicatorValue.objects.filter(node.q("region_code"), period=period, indicator=indicator,
                                       level=level_of(region) + 1)
    return scoped(qs, user).order_by("region_code")


def trend(user: Any, *, region: str, indicator: str, kind: str = Period.Kind.YEAR) -> QuerySet[IndicatorValue]:
    """The indicator's value for ``region`` in every period of ``kind``, oldest first."""
    narrow_or_404(user, region, node=True)
    return (IndicatorValue.objects.filter(region_code=region, indicator=indicator, period__kind=kind)
            .select_related("period").order_by("period__code"))


def ranking(user: Any, period: Period, *, indicator: str, level: int, within: str = "") -> QuerySet[IndicatorValue]:
    """Regions of ``level`` under ``within`` (default: the user's subtree) ranked best first by the indicator's
    direction; regions without a value come last."""
    node = narrow_or_404(user, within, node=True)
    ind = definitions.get(indicator)
    qs = scoped(IndicatorValue.objects.filter(node.q("region_code"), period=period, indicator=indicator, level=level),
                user)
    order = F("value").asc(nulls_last=True) if ind.direction < 0 else F("value").desc(nulls_last=True)
    return qs.order_by(order, "region_code")


# --- dashboards, assessment and reports (appended) ------------------------------------------------------


def latest_period(kind: str = Period.Kind.YEAR) -> Period | None:
    """The newest period of ``kind`` (years by default), else the newest period of any kind."""
    return Period.objects.filter(kind=kind).order_by("-code").first() or Period.objects.order_by("-code").first()


def level_values(user: Any, period: Period, *, within: str, level: int,
                 indicators: list[str] | None = None) -> QuerySet[IndicatorValue]:
    """Values of regions of ``level`` under ``within`` (all of them for the nation), limited to the user's
    subtree. The subtree is a code range, so PostgreSQL reads it from the unique index (period, indicator,
    region_code) rather than filtering every value of the level."""
    node = narrow_or_404(user, within, node=True)
    qs = IndicatorValue.objects.filter(node.q("region_code"), period=period, level=level)
    if indicators is not None:
        qs = qs.filter(indicator__in=indicators)
    return scoped(qs, user)


def trends(user: Any, *, region: str, indicators: list[str], periods: list[Period]) -> QuerySet[IndicatorValue]:
    """The values of ``indicators`` for ``region`` in ``periods`` (one indexed read for all of them)."""
    narrow_or_404(user, region, node=True)
    return IndicatorValue.objects.filter(period__in=[p.code for p in periods], indicator__in=indicators,
                                         region_code=region).order_by("period_id")
