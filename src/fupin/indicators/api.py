"""/api/v1/indicators: the indicator catalogue and values by region and period, for other systems. Reads go through
``indicators.selectors``, scoped to the caller's region: a region outside it, an unknown region or period answers
404, and the nation (region "") only for nationwide accounts. Values carry no personal data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema

from fupin.core.tree import level_of
from fupin.indicators import definitions, selectors
from fupin.indicators.models import IndicatorValue, Period
from fupin.regions.models import Region

router = Router()
_NATION = _("Nation")


class DefinitionOut(Schema):
    code: str
    name: str
    name_zh: str
    name_en: str
    unit: str
    unit_label: str
    direction: int
    scale: int
    numerator: str
    denominator: str | None = None
    exclusions: str | None = None
    source: str
    group: str | None = None


class PeriodOut(Schema):
    code: str
    kind: str
    starts_on: dt.date
    ends_on: dt.date
    refreshed_at: dt.datetime | None = None  # the values are as of this time (数据截至)
    frozen_at: dt.datetime | None = None
    reconstructed: bool = False  # computed after the period ended from today's registry state
    data_note: str = ""  # "as of" and "reconstructed", in the caller's language


class ValueOut(Schema):
    indicator: str
    region_code: str
    region_name: str
    level: int
    numerator: Decimal
    denominator: Decimal | None = None
    value: Decimal | None = None
    updated_at: dt.datetime


class RegionValuesOut(Schema):
    period: PeriodOut
    region_code: str
    region_name: str
    level: int
    values: list[ValueOut]


class RankOut(ValueOut):
    rank: int | None = None


class RankingOut(Schema):
    period: PeriodOut
    indicator: str
    level: int
    within: str
    count: int
    results: list[RankOut]


def _text(value: Any, lang: str | None = None) -> str:
    if lang is None:
        return str(value)
    with translation.override(lang):
        return str(value)


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _definition(ind: definitions.Indicator) -> dict[str, Any]:
    opt = _opt
    return {
        "code": ind.code, "name": str(ind.name), "name_zh": _text(ind.name, "zh-hans"), "name_en": _text(ind.name, "en"),
        "unit": ind.unit, "unit_label": str(ind.unit_label), "direction": ind.direction, "scale": ind.scale,
        "numerator": str(ind.numerator), "denominator": opt(ind.denominator), "exclusions": opt(ind.exclusions),
        "source": ind.source, "group": opt(ind.group),
    }


def _names(codes: set[str]) -> dict[str, str]:
    names = dict(Region.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))
    names[""] = _text(_NATION)
    return names


def _values(rows: list[IndicatorValue]) -> list[dict[str, Any]]:
    names = _names({r.region_code for r in rows})
    return [{"indicator": r.indicator, "region_code": r.region_code, "region_name": names.get(r.region_code, ""),
             "level": r.level, "numerator": r.numerator, "denominator": r.denominator, "value": r.value,
             "updated_at": r.updated_at} for r in rows]


def _known(codes: list[str]) -> list[str]:
    for code in codes:
        if code not in definitions.INDICATORS:
            raise Http404
    return codes



@router.get("/definitions", response=list[DefinitionOut],
            summary="The indicators: names (Chinese and English), numerator, denominator, exclusions, unit, direction")
def list_definitions(request: HttpRequest) -> Any:
    return [_definition(ind) for ind in definitions.INDICATORS.values()]


@router.get("/periods", response=list[PeriodOut], summary="Periods with values: years (2026) and months (2026-11)")
def list_periods(request: HttpRequest, kind: str = "") -> Any:
    return list(selectors.periods(kind if kind in Period.Kind.values else ""))


@router.get("/values", response=RegionValuesOut,
            summary="All (or some) indicator values of one region in one period; region empty: the nation")
def region_values(request: HttpRequest, period: str, region: str = "",
                  indicator: list[str] = Query(default=[])) -> Any:  # noqa: B008 - ninja's way to repeat a parameter
    p = selectors.period_or_404(period)
    node = selectors.region_or_404(request.user, region)
    rows = list(selectors.values(request.user, p, region=region, indicators=_known(indicator) or None)
                .order_by("indicator"))
    return {"period": p, "region_code": region, "region_name": node.name if node else _text(_NATION),
            "level": level_of(region), "values": _values(rows)}


@router.get("/children", response=list[ValueOut],
            summary="One indicator for the direct children of a region (provinces under the nation)")
def children_values(request: HttpRequest, period: str, indicator: str, region: str = "") -> Any:
    p = selectors.period_or_404(period)
    _known([indicator])
    return _values(list(selectors.children(request.user, p, region=region, indicator=indicator)))


@router.get("/ranking", response=RankingOut,
            summary="Regions of a level (under `within`, default the caller's region) ranked best first by the indicator's direction (ties share a rank; regions "
                    "without a value last, unranked)")
def ranking(request: HttpRequest, period: str, indicator: str, level: int, within: str = "", limit: int = 100) -> Any:
    p = selectors.period_or_404(period)
    _known([indicator])
    if not 1 <= level <= 5:
        raise Http404
    within = within or selectors.home_region(request.user)  # default: the caller's own subtree
    qs = selectors.ranking(request.user, p, indicator=indicator, level=level, within=within)
    count = qs.count()
    rows = _values(list(qs[: max(1, min(limit, 1000))]))
    rank, previous = 0, None
    for i, row in enumerate(rows):
        if row["value"] is None:
            row["rank"] = None
            continue
        if row["value"] != previous:
            rank, previous = i + 1, row["value"]
        row["rank"] = rank
    return {"period": p, "indicator": indicator, "level": level, "within": within, "count": count, "results": rows}
