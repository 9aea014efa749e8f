"""The catalogue of indicators: one entry per indicator, with what its numerator and denominator count. The SQL
that computes them lives in ``compute.py`` keyed by the same codes; a test checks that both agree.

``value = numerator / denominator × scale`` (scale 100 for percentages); an indicator without a denominator is
a count or an amount and its value is the numerator. ``direction`` is +1 when more is better (coverage), -1 when
less is better (incidence, open doubts), 0 when neither (counts that only describe).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Unit:
    HOUSEHOLDS = "households"
    PERSONS = "persons"
    PERCENT = "percent"
    YUAN = "yuan"
    COUNT = "count"


UNIT_LABELS: dict[str, Promise | str] = {
    Unit.HOUSEHOLDS: _("households"),
    Unit.PERSONS: _("persons"),
    Unit.PERCENT: "%",
    Unit.YUAN: _("yuan"),
    Unit.COUNT: _("count"),
}


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Promise
    unit: str
    direction: int
    numerator: Promise  # what is counted
    denominator: Promise | None = None  # what it is divided by (None: a count or an amount)
    exclusions: Promise | None = None  # what is left out, said explicitly
    scale: int = 1  # 100 for percentages
    source: str = "registry"  # registry | lifecycle | exchange | monitoring | connectivity
    group: Promise | None = None  # heading under which dashboards show it

    @property
    def unit_label(self) -> Promise | str:
        return UNIT_LABELS.get(self.unit, self.unit)


INDICATORS: dict[str, Indicator] = {}


def register(*indicators: Indicator) -> None:
    for ind in indicators:
        if ind.code in INDICATORS:
            raise ValueError(f"indicator {ind.code} defined twice")
        INDICATORS[ind.code] = ind


def get(code: str) -> Indicator:
    try:
        return INDICATORS[code]
    except KeyError:
        raise KeyError(f"unknown indicator {code!r}") from None
