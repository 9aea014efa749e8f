"""Targets and the quantitative assessment (考核评估, R11.3).

Which target applies to a region
    A target applies to a region when the region's code starts with ``scope_prefix`` (empty: everywhere) and,
    when ``scope_flag`` is set, the region carries that flag (area flags hold for the whole subtree of the node
    they are set on). Of the applicable targets the most specific wins: the longest prefix, then one with a flag
    over one without. Among those, the target with the nearest due date that is not before the period starts (the
    one being worked towards); when all are past, the latest of them.

How a region is scored
    ``score = Σ weightᵢ × sᵢ`` where ``sᵢ`` ∈ [0, 1] is the indicator's score:

    * with a target ``t``: for more-is-better indicators ``min(value / t, 1)``; for less-is-better ones 1 when
      ``value ≤ t``, else ``t / value``;
    * without a target: min–max normalised among the regions assessed, ``(value − min) / (max − min)`` (reversed
      for less-is-better), 1 for all when every region has the same value;
    * without a value: 0 (no data reported earns nothing).

    Indicator scores are rounded to 4 decimals and the total to 2; regions with the same total share a rank
    (1, 2, 2, 4). The maximum score is the sum of the weights (100 when the weights add up to 100).

Everything is computed with ``Decimal``, so the result is the same on every database and every run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q

from fupin.core import tree
from fupin.core.scoping import narrow_or_404, scope_of, scoped
from fupin.core.tree import subtree_bounds
from fupin.indicators import definitions, selectors
from fupin.indicators.models import AssessmentScheme, IndicatorValue, Period
from fupin.regions.models import AREA_FLAGS, Region
from fupin.targets.models import Target

ONE = Decimal(1)
ZERO = Decimal(0)
Q4 = Decimal("0.0001")
Q2 = Decimal("0.01")
OWN_FLAGS = ("is_poor_village",)  # flags that describe the node itself, not its subtree


# --- targets -------------------------------------------------------------------------------------------


def applicable_target(targets: Iterable[Target], code: str, flags: set[str] | frozenset[str],
                      period: Period) -> Target | None:
    """The target that applies to region ``code`` (carrying ``flags``) in ``period`` — see the module text."""
    candidates = [t for t in targets
                  if code.startswith(t.scope_prefix) and (not t.scope_flag or t.scope_flag in flags)]
    if not candidates:
        return None
    best = max((len(t.scope_prefix), bool(t.scope_flag)) for t in candidates)
    candidates = [t for t in candidates if (len(t.scope_prefix), bool(t.scope_flag)) == best]
    upcoming = [t for t in candidates if t.due >= period.starts_on]
    if upcoming:
        return min(upcoming, key=lambda t: (t.due, t.pk or 0))
    return max(candidates, key=lambda t: (t.due, -(t.pk or 0)))


def is_met(value: Decimal | None, threshold: Decimal, direction: int, strict: bool = False) -> bool | None:
    """Whether ``value`` reaches ``threshold``: at or above it, or at or below it for less-is-better; ``strict``
    (a target "more than 98 %"): strictly above, or strictly below."""
    if value is None:
        return None
    if strict:
        return value < threshold if direction < 0 else value > threshold
    return value <= threshold if direction < 0 else value >= threshold


def region_flags(codes: Iterable[str], *, within: str = "", wanted: Iterable[str] = ()) -> dict[str, frozenset[str]]:
    """The flags (of ``wanted``) that hold for each region of ``codes``: its own, and the area flags of its
    ancestors. One query over the flagged nodes of ``within``'s subtree and of ``within``'s ancestors."""
    wanted = [f for f in wanted if f in (*AREA_FLAGS, *OWN_FLAGS)]
    codes = list(codes)
    if not wanted:
        return {c: frozenset() for c in codes}
    cond = Q()
    for f in wanted:
        cond |= Q(**{f: True})
    where = Q(code__in=tree.ancestors(within)) | (Q(code__range=subtree_bounds(within)) if within else Q())
    flagged: dict[str, set[str]] = {}
    for row in Region.objects.filter(cond).filter(where).values("code", *wanted):
        flagged[row["code"]] = {f for f in wanted if row[f]}
    out = {}
    for code in codes:
        have: set[str] = set()
        for n in tree.NODE_LENGTHS:
            if n > len(code):
                break
            node = flagged.get(code[:n])
            if node:
                have |= {f for f in node if f in AREA_FLAGS or n == len(code)}
        out[code] = frozenset(have)
    return out


@dataclass
class Figure:
    """One indicator of one region in one period, against its target."""

    indicator: definitions.Indicator
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    target: Target | None = None
    expected: int | None = None  # counties of the region (indicators collected county by county)
    reporting: int | None = None  # of those, the ones that reported

    @property
    def no_data(self) -> bool:
        return self.reporting == 0

    @property
    def reporting_rate(self) -> str:
        return IndicatorValue(expected=self.expected, reporting=self.reporting).reporting_rate

    @property
    def met(self) -> bool | None:
        """Against the target; not judged (None) where some of the region's counties did not report: the target is
        for the whole area, the value covers only the reporting part."""
        if self.target is None or (self.expected is not None and self.reporting != self.expected):
            return None
        return is_met(self.value, self.target.threshold, self.indicator.direction, self.target.strict)


def figures(user: Any, period: Period, region: str, codes: Sequence[str] | None = None, *,
            checked: bool = False) -> list[Figure]:
    """The region's value of every indicator (of ``codes``, default all defined), with the target that applies;
    two queries, three when a target is limited to flagged regions. ``checked``: the caller has already made
    sure that the user may see ``region``."""
    codes = list(codes) if codes is not None else list(definitions.INDICATORS)
    if not checked:
        selectors.region_or_404(user, region)
    # indicator IN (…) lets the unique index (period, indicator, region_code) find the rows directly; without
    # it PostgreSQL reads every value of the period
    values = {v.indicator: v for v in IndicatorValue.objects.filter(period=period, region_code=region,
                                                                     indicator__in=codes)}
    targets = list(Target.objects.assessable().filter(indicator__in=codes))
    flags = region_flags([region], within=region, wanted={t.scope_flag for t in targets if t.scope_flag})[region]
    by_indicator: dict[str, list[Target]] = {}
    for t in targets:
        by_indicator.setdefault(t.indicator, []).append(t)
    out = []
    for code in codes:
        ind = definitions.INDICATORS.get(code)
        if ind is None:
            continue
        v = values.get(code)
        out.append(Figure(ind, v.value if v else None, v.numerator if v else None, v.denominator if v else None,
                          applicable_target(by_indicator.get(code, []), region, flags, period),
                          v.expected if v else None, v.reporting if v else None))
    return out


# --- scores --------------------------------------------------------------------------------------------


def target_score(value: Decimal, threshold: Decimal, direction: int) -> Decimal:
    if direction < 0:
        if value <= threshold:
            return ONE
        return min(ONE, max(ZERO, threshold / value)) if value > 0 else ONE
    if threshold <= 0:
        return ONE
    return min(ONE, max(ZERO, value / threshold))


def minmax_score(value: Decimal, low: Decimal, high: Decimal, direction: int) -> Decimal:
    if high == low:
        return ONE
    if direction < 0:
        return (high - value) / (high - low)
    return (value - low) / (high - low)


@dataclass
class Scored:
    code: str
    name: str
    values: dict[str, Decimal | None]
    scores: dict[str, Decimal]
    targets: dict[str, Target | None]
    total: Decimal = ZERO
    rank: int = 0
    cells: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Assessment:
    scheme: AssessmentScheme
    period: Period | None
    within: str
    weights: list[tuple[str, Decimal]]
    rows: list[Scored] = field(default_factory=list)

    @property
    def maximum(self) -> Decimal:
        return sum((w for _c, w in self.weights), ZERO)

    @property
    def indicators(self) -> list[tuple[str, Any, Decimal]]:
        """(code, indicator or None when no longer defined, weight) in the scheme's order."""
        return [(c, definitions.INDICATORS.get(c), w) for c, w in self.weights]

    def cells(self, row: Scored) -> list[dict[str, Any]]:
        """For a table: each indicator's value, its score in % and the target it was scored against."""
        out = []
        for code, _w in self.weights:
            target = row.targets.get(code)
            out.append({"value": row.values.get(code), "score_pct": row.scores.get(code, ZERO) * 100,
                        "title": f"{target.title}: {target.threshold}" if target else ""})
        return out


def rank_equal(rows: list[Any], key: str = "total", reverse: bool = True) -> None:
    """Sort ``rows`` by ``key`` (best first) and number them 1, 2, 2, 4 … (equal values share a rank)."""
    rows.sort(key=lambda r: (-getattr(r, key) if reverse else getattr(r, key), r.code))
    previous: Any = object()
    for i, row in enumerate(rows, start=1):
        value = getattr(row, key)
        if value != previous:
            row.rank = i
            previous = value
        else:
            row.rank = rows[i - 2].rank


def score_regions(regions: Sequence[tuple[str, str]], values: dict[tuple[str, str], Decimal | None],
                  weights: Sequence[tuple[str, Decimal]], targets: dict[tuple[str, str], Target | None]
                  ) -> list[Scored]:
    """The arithmetic of the assessment, without the database: ``regions`` as (code, name), ``values`` and
    ``targets`` keyed by (region code, indicator)."""
    bounds: dict[str, tuple[Decimal, Decimal]] = {}
    for code, _w in weights:
        present = [v for (_r, ind), v in values.items() if ind == code and v is not None]
        if present:
            bounds[code] = (min(present), max(present))
    rows = []
    for rcode, name in regions:
        row = Scored(rcode, name, {}, {}, {})
        total = ZERO
        for code, weight in weights:
            ind = definitions.INDICATORS.get(code)
            direction = ind.direction if ind else 1
            value = values.get((rcode, code))
            target = targets.get((rcode, code))
            if value is None:
                score = ZERO
            elif target is not None:
                score = target_score(value, target.threshold, direction)
            else:
                low, high = bounds[code]
                score = minmax_score(value, low, high, direction)
            score = score.quantize(Q4, ROUND_HALF_UP)
            row.values[code], row.scores[code], row.targets[code] = value, score, target
            total += weight * score
        row.total = total.quantize(Q2, ROUND_HALF_UP)
        rows.append(row)
    rank_equal(rows)
    return rows


def scheme_period(scheme: AssessmentScheme) -> Period | None:
    return Period.objects.filter(code=str(scheme.year)).first()


def assess(user: Any, scheme: AssessmentScheme, *, within: str = "") -> Assessment:
    """Score every region of the scheme's level under ``within`` (inside the user's subtree) in the scheme's
    year. Three queries (four with flagged targets), whatever the number of regions."""
    node = narrow_or_404(user, within, node=True)
    weights = [(w.indicator, w.weight) for w in scheme.weights.order_by("-weight", "indicator")]
    period = scheme_period(scheme)
    result = Assessment(scheme, period, within, weights)
    if period is None or not weights:
        return result
    regions_qs = Region.objects.filter(node.q("code"), level=scheme.level)
    regions = list(scoped(regions_qs, user).order_by("code").values_list("code", "name"))
    codes = [c for c, _w in weights]
    values: dict[tuple[str, str], Decimal | None] = {
        (r, ind): v for r, ind, v in selectors.level_values(user, period, within=within, level=scheme.level,
                                                             indicators=codes)
        .values_list("region_code", "indicator", "value")
    }
    all_targets = list(Target.objects.assessable().filter(indicator__in=codes))
    targets: dict[tuple[str, str], Target | None] = {}
    if all_targets:
        flags = region_flags([c for c, _n in regions], within=within,
                             wanted={t.scope_flag for t in all_targets if t.scope_flag})
        for code in codes:
            mine = [t for t in all_targets if t.indicator == code]
            # the choice depends only on the code up to the longest target prefix and on the flags: decide it
            # once per distinct key, not once per region (tens of thousands of townships)
            longest = max((len(t.scope_prefix) for t in mine), default=0)
            chosen: dict[tuple[str, frozenset[str]], Target | None] = {}
            for rcode, _n in regions:
                key = (rcode[:longest], flags[rcode])
                if key not in chosen:
                    chosen[key] = applicable_target(mine, rcode, flags[rcode], period) if mine else None
                targets[(rcode, code)] = chosen[key]
    result.rows = score_regions(regions, values, weights, targets)
    return result


# --- who configures schemes (the write is indicators.services.save_scheme) -----------------------------

EDIT_ROLES = frozenset({"sysadmin", "analyst"})


def can_edit_schemes(user: Any) -> bool:
    """Schemes are national rules, not data of a region: only nationwide system administrators and analysts
    change them (a county administrator would change every county's score); ``SYSTEM`` in set-up commands."""
    from fupin.core.permissions import is_system

    if is_system(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or (user.has_role(*EDIT_ROLES) and scope_of(user).is_nation))


# The default county assessment (``fupin default_assessment``): the outcome of the poverty work, the assurance, the data
# and the network, and — since #18 — the projects' funds and the action plan's tasks. Administrators change the weights
# on the scheme page; the command never overwrites a scheme that exists.
DEFAULT_WEIGHTS: dict[str, Decimal] = {
    "incidence": Decimal(20), "exit_criteria_met": Decimal(15), "assurance_met": Decimal(10),
    "income_below_line": Decimal(5), "alerts_in_time": Decimal(5), "quality_findings": Decimal(5),
    "poor_village_broadband": Decimal(10), "station_populous_coverage": Decimal(5),
    "project_funds_spent": Decimal(10), "projects_accepted_on_time": Decimal(10), "tasks_done_on_time": Decimal(5),
}
