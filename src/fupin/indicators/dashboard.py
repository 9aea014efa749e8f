"""What the indicator dashboard (R11.2) shows for one region and period, read from ``IndicatorValue`` only: the
region's figures against their targets, one indicator over the children (map or sorted bars), a table of the
children with the main indicators, and the trend over the yearly periods.

A handful of queries whatever the size of the registry (periods, region and its ancestors, the region's values,
targets, the children and their values, the trend) — none per region — so the page stays fast with millions of
households behind the values."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fupin.connectivity import maps
from fupin.core.scoping import scoped
from fupin.core.tree import level_of
from fupin.indicators import definitions, selectors
from fupin.indicators.assessment import Figure, figures
from fupin.indicators.models import Period
from fupin.regions.models import Level, Region
from fupin.regions.selectors import ancestors
from fupin.targets.models import Target

MAIN_COUNT = 6


def number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def main_indicators(figs: list[Figure], limit: int = MAIN_COUNT) -> list[str]:
    """The indicators a table of regions shows: those with a value here, the ones with a target first, in the
    order of the catalogue."""
    with_target = [f.indicator.code for f in figs if f.value is not None and f.target is not None]
    others = [f.indicator.code for f in figs if f.value is not None and f.target is None]
    return (with_target + others)[:limit]


@dataclass
class Child:
    code: str
    name: str
    values: dict[str, Decimal | None] = field(default_factory=dict)

    def cells(self, codes: list[str]) -> list[Decimal | None]:
        return [self.values.get(c) for c in codes]


@dataclass
class Dashboard:
    period: Period
    code: str
    region: Region | None
    trail: list[Region]
    figures: list[Figure]
    main: list[str]
    indicator: definitions.Indicator | None
    children: list[Child]
    child_level: int | None
    map_info: dict[str, Any] | None
    trend: dict[str, Any]

    @property
    def level(self) -> int:
        return level_of(self.code)

    @property
    def is_village(self) -> bool:
        return self.level == Level.VILLAGE

    @property
    def groups(self) -> list[tuple[str, list[Figure]]]:
        """The figures with a value (or "no data": nobody in the region collects their source), under the headings of
        the catalogue."""
        out: dict[str, list[Figure]] = {}
        for f in self.figures:
            if f.value is None and not f.no_data:
                continue
            out.setdefault(str(f.indicator.group or ""), []).append(f)
        return list(out.items())

    @property
    def main_indicators(self) -> list[definitions.Indicator]:
        return [definitions.INDICATORS[c] for c in self.main]

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [{"code": c.code, "name": c.name, "cells": c.cells(self.main)} for c in self.children]

    def chart_data(self) -> list[dict[str, Any]]:
        """The chosen indicator over the children: map areas (named as the outline names them) or bars."""
        if self.indicator is None:
            return []
        code = self.indicator.code
        # A region where nothing at all is recorded (every indicator empty or zero: no registry, no ledger there)
        # has no data — painted grey and said so — rather than a value of 0 coloured like a real one.
        return [{"name": maps.feature_name(c.name, self.map_info),
                 "value": None if all(not v for v in c.values.values()) else number(c.values.get(code)),
                 "code": c.code, "full": c.name} for c in self.children]


def build(user: Any, period: Period, code: str, indicator: str = "") -> Dashboard:
    region = selectors.region_or_404(user, code)
    trail = ancestors(region) if region else []
    figs = figures(user, period, code, checked=True)
    main = main_indicators(figs)
    chosen = definitions.INDICATORS.get(indicator) if indicator else None
    if chosen is None and main:
        chosen = definitions.INDICATORS[main[0]]
    level = level_of(code)
    children: list[Child] = []
    child_level = level + 1 if level < Level.VILLAGE else None
    if child_level is not None:
        kids = Region.objects.filter(level=child_level) if code == "" else Region.objects.filter(parent_id=code)
        children = [Child(c, n) for c, n in scoped(kids, user).order_by("code").values_list("code", "name")]
        wanted = list(dict.fromkeys([*main, *([chosen.code] if chosen else [])]))
        if children and wanted:
            by_code = {c.code: c for c in children}
            for rcode, ind, value in (selectors.level_values(user, period, within=code, level=child_level,
                                                             indicators=wanted)
                                      .values_list("region_code", "indicator", "value")):
                if rcode in by_code:
                    by_code[rcode].values[ind] = value
    map_info = maps.map_for(region) if level <= Level.PROVINCE else None
    trend: dict[str, Any] = {"periods": [], "values": [], "target": None}
    if chosen is not None:
        years = list(reversed(selectors.periods(Period.Kind.YEAR)[:15]))
        by_period = {v.period_id: v.value for v in selectors.trends(user, region=code, indicators=[chosen.code],
                                                                    periods=years)}
        target = next((f.target for f in figs if f.indicator.code == chosen.code), None)
        trend = {"periods": [p.code for p in years], "values": [number(by_period.get(p.code)) for p in years],
                 "target": number(target.threshold) if isinstance(target, Target) else None}
    return Dashboard(period, code, region, trail, figs, main, chosen, children, child_level, map_info, trend)
