"""What the portal reads: progress from *frozen* indicator periods only (values that never change again),
rankings, published articles and reports. Nothing of that is scoped to a user: it is what anyone may see, so household
counts below ``K`` are suppressed. The staff's reads (articles to manage, feedback to answer) are at the end, scoped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fupin.connectivity import maps
from fupin.core.scoping import scope_of, scoped
from fupin.core.tree import is_node_code, level_of
from fupin.indicators import definitions
from fupin.indicators.definitions import Unit
from fupin.indicators.models import IndicatorValue, Period
from fupin.portal.models import Article, Feedback, ReportPublication
from fupin.regions.models import Level, Region
from fupin.welfare.identity import K

# The figures of the portal, in this order (those with a value in the period are shown).
KEY_FIGURES = ("registered_households", "poor_households", "incidence", "exited_total_households", "income_median",
               "poor_village_broadband", "welfare_needs_published", "welfare_money_raised", "welfare_pairings")
# The indicator on the map and in the rankings.
MAP_INDICATOR = "incidence"
RANKED = ("incidence", "exited_total_households", "income_median")
COUNT_UNITS = (Unit.HOUSEHOLDS, Unit.PERSONS)


def latest_frozen() -> Period | None:
    return (Period.objects.filter(kind=Period.Kind.YEAR, frozen_at__isnull=False).order_by("-starts_on").first())


def frozen_years() -> QuerySet[Period]:
    return Period.objects.filter(kind=Period.Kind.YEAR, frozen_at__isnull=False).order_by("-starts_on")


def shown(indicator: str, value: Decimal | None) -> str:
    """A value as the public sees it: counts of households or persons below ``K`` are "<5"."""
    if value is None:
        return "—"
    ind = definitions.INDICATORS.get(indicator)
    if ind is not None and ind.unit in COUNT_UNITS and 0 < value < K:
        return f"<{K}"
    if ind is not None and ind.unit == Unit.PERCENT:
        return f"{value:.1f}%"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}"


@dataclass
class Figure:
    code: str
    name: str
    unit: str
    text: str


@dataclass
class Progress:
    period: Period
    code: str
    region: Region | None
    trail: list[Region]
    figures: list[Figure]
    children: list[dict[str, Any]] = field(default_factory=list)
    map_info: dict[str, Any] | None = None
    rankings: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)


def progress(period: Period, code: str = "") -> Progress | None:
    """Key figures of ``code`` (nation ""), its children on a map or in a table, and the rankings of the children.
    Down to the county: the public portal shows no township or village figures."""
    if code and (not is_node_code(code) or level_of(code) > Level.COUNTY):
        return None
    region = Region.objects.filter(code=code).first() if code else None
    if code and region is None:
        return None
    trail: list[Region] = []
    r = region
    while r is not None:
        trail.insert(0, r)
        r = r.parent
    values = {v.indicator: v.value for v in IndicatorValue.objects.filter(period=period, region_code=code,
                                                                          indicator__in=KEY_FIGURES)}
    figures = [Figure(c, str(definitions.INDICATORS[c].name), str(definitions.INDICATORS[c].unit_label),
                      shown(c, values[c])) for c in KEY_FIGURES if c in values and c in definitions.INDICATORS]
    out = Progress(period, code, region, trail, figures)
    level = level_of(code)
    if level >= Level.COUNTY:
        return out
    kids = list((Region.objects.filter(level=Level.PROVINCE) if code == "" else Region.objects.filter(parent_id=code))
                .order_by("code").values_list("code", "name"))
    child_level = level + 1
    wanted = list(dict.fromkeys([*KEY_FIGURES[:5], *RANKED]))
    by: dict[str, dict[str, Decimal | None]] = {c: {} for c, _n in kids}
    lo, hi = (code or "0", (code or "") + "z")
    for rcode, ind, value in IndicatorValue.objects.filter(
            period=period, level=child_level, indicator__in=wanted, region_code__gte=lo, region_code__lt=hi
    ).values_list("region_code", "indicator", "value"):
        if rcode in by:
            by[rcode][ind] = value
    out.map_info = maps.map_for(region) if level <= Level.PROVINCE else None
    for c, n in kids:
        vals = by[c]
        if not vals:
            continue
        out.children.append({
            "code": c, "name": n, "drill": child_level <= Level.COUNTY,
            "cells": [shown(i, vals.get(i)) for i in KEY_FIGURES[:5]],
            "map_name": maps.feature_name(n, out.map_info),
            "value": float(vals[MAP_INDICATOR] or 0) if vals.get(MAP_INDICATOR) is not None else None,
        })
    for ind in RANKED:
        d = definitions.INDICATORS.get(ind)
        if d is None:
            continue
        rows = [(c, n, by[c].get(ind)) for c, n in kids if by[c].get(ind) is not None]
        rows.sort(key=lambda t: t[2] or 0, reverse=d.direction >= 0)  # type: ignore[arg-type,return-value]
        if not rows:
            continue
        out.rankings.append((str(d.name), [{"rank": i + 1, "name": n, "text": shown(ind, v)}
                                           for i, (c, n, v) in enumerate(rows[:10])]))
    return out


def key_figure_names() -> list[str]:
    return [str(definitions.INDICATORS[c].name) for c in KEY_FIGURES[:5] if c in definitions.INDICATORS]


def published_articles(category: str = "") -> QuerySet[Article]:
    qs = Article.objects.filter(status=Article.Status.PUBLISHED).select_related("region")
    return qs.filter(category=category) if category else qs


def published_reports() -> QuerySet[ReportPublication]:
    return ReportPublication.objects.select_related("report", "report__period")


# ---------------------------------------------------------------- staff: articles and feedback

ANSWER_DAYS = 15  # a message from the public is answered within this many days (beyond: overdue on the workbench)


def managed_articles(user: Any) -> QuerySet[Article]:
    """The articles an editor or reviewer manages: those of the user's region and below (nationwide: all, including
    those without a region)."""
    scope = scope_of(user)
    qs = Article.objects.select_related("region")
    if scope.prefix == "":
        return qs
    if scope.prefix is None:
        return qs.none()
    return scoped(qs, user)


def article_counts(user: Any) -> dict[str, int]:
    """One aggregate over ``managed_articles``: ``draft``, ``review`` (awaiting review) and ``to_review`` (awaiting
    review and written by someone else: what the user may decide)."""
    return managed_articles(user).order_by().aggregate(
        draft=Count("id", filter=Q(status=Article.Status.DRAFT)),
        review=Count("id", filter=Q(status=Article.Status.REVIEW)),
        to_review=Count("id", filter=Q(status=Article.Status.REVIEW) & ~Q(author_id=getattr(user, "pk", None))))


def feedback_to_answer(user: Any) -> QuerySet[Feedback]:
    """Messages of the user's townships not answered yet (received or being handled), oldest first."""
    return (scoped(Feedback.objects.select_related("township"), user)
            .filter(status__in=(Feedback.Status.RECEIVED, Feedback.Status.HANDLING)).order_by("created_at", "id"))


def feedback_counts(user: Any, *, now: dt.datetime | None = None) -> dict[str, int]:
    """One aggregate over ``feedback_to_answer``: ``n``, ``overdue`` (older than ``ANSWER_DAYS``), ``reports``."""
    late = (now or timezone.now()) - dt.timedelta(days=ANSWER_DAYS)
    return feedback_to_answer(user).order_by().aggregate(
        n=Count("id"), overdue=Count("id", filter=Q(created_at__lt=late)),
        reports=Count("id", filter=Q(kind=Feedback.Kind.REPORT)))
