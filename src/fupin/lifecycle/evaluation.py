"""Exit evaluation (R3.3) computed from the dossier, set-based: one SQL query annotates every household
of a queryset with its per-capita net income of the year, the applicable line and one flag per unmet
criterion. Village and county exit aggregate the same query over a code range.

Criteria (DATA.md, Standards):
- income: the year's net income (Income.net_total) above line × household size (Income.household_size),
  i.e. per-capita net income above the line; no income recorded for the year fails;
- compulsory education: no active member aged 6–15 (on the reference date) who is not in school (01);
- basic medical insurance: every active member insured;
- safe housing: grade A or B;
- safe water: water safe and not difficult to get.
The line is the provincial line when the household was identified by the provincial standard (02) and
its province has one for the year, otherwise the national line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from fupin.core.sql import years_before
from fupin.core.tree import subtree_bounds
from fupin.lifecycle.models import RuralPopulation
from fupin.regions.models import Level, Region
from fupin.registry.models import Household, Member, PovertyLine
from fupin.registry.statuses import POOR_STATUSES

CRITERIA = {
    "fail_income": _("per-capita net income not above the poverty line"),
    "fail_education": _("a child of compulsory-school age (6–15) is not in school"),
    "fail_medical": _("a member has no basic medical insurance"),
    "fail_housing": _("housing is not safe (grade C/D or not assessed)"),
    "fail_water": _("drinking water is not safe or difficult to get"),
}
CRITERIA_ZH = {
    "fail_income": "人均纯收入未超过扶贫标准",
    "fail_education": "有义务教育阶段适龄儿童失学辍学",
    "fail_medical": "有成员未参加基本医疗保险",
    "fail_housing": "住房不安全（C/D 级或未鉴定）",
    "fail_water": "饮水不安全或饮水困难",
}

PROVINCIAL_STANDARD = "02"

# The twelve western provinces (西部地区), where a village or county may exit below 3 % incidence.
WEST_PROVINCES = frozenset({"15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"})


def incidence_threshold(code: str) -> Decimal:
    """The exit threshold of the poverty incidence for a region (configurable in settings)."""
    west = getattr(settings, "FUPIN_EXIT_INCIDENCE_WEST", Decimal("0.03"))
    default = getattr(settings, "FUPIN_EXIT_INCIDENCE", Decimal("0.02"))
    return Decimal(str(west if code[:2] in WEST_PROVINCES else default))


class NoPovertyLine(LookupError):
    pass


def lines_for(year: int) -> tuple[Decimal, dict[str, Decimal]]:
    """The national line of ``year`` and the provincial lines by province code."""
    rows = list(PovertyLine.objects.filter(year=year, standard__in=["national", "provincial"]))
    national = next((r.amount for r in rows if r.standard == "national"), None)
    if national is None:
        raise NoPovertyLine(f"{year} 年没有国家扶贫标准 / no national poverty line for {year}")
    return national, {r.province: r.amount for r in rows if r.standard == "provincial"}


def default_year(today: dt.date | None = None) -> int:
    """The year a page evaluates when none is asked for: the last complete year that has a national poverty line
    (exit is judged against it), else the latest line's year, else the last complete year."""
    from django.db.models import Max
    from django.utils import timezone

    last = (today or timezone.localdate()).year - 1
    lines = PovertyLine.objects.filter(standard="national")
    year = lines.filter(year__lte=last).aggregate(m=Max("year"))["m"] or lines.aggregate(m=Max("year"))["m"]
    return int(year or last)


def reference_date(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def evaluate(qs: QuerySet[Household], year: int, as_of: dt.date | None = None) -> QuerySet[Household]:
    """``qs`` annotated with ``line``, ``net_total``, ``income_size``, ``fail_*`` and ``passes``: one query."""
    as_of = as_of or reference_date(year)
    national, provincial = lines_for(year)
    money = DecimalField(max_digits=12, decimal_places=2)
    # The lines are a handful of constants: a CASE expression, no join or subquery per household.
    line = Case(
        *[
            When(standard=PROVINCIAL_STANDARD, village__code__range=subtree_bounds(province), then=Value(amount, output_field=money))
            for province, amount in sorted(provincial.items())
        ],
        default=Value(national, output_field=money),
        output_field=money,
    )
    # Correlated EXISTS: one probe of the member index per household. (An uncorrelated IN (subquery)
    # is not hashed by PostgreSQL inside CASE and degrades to a linear search per household.)
    school_age = Member.objects.filter(
        household=OuterRef("pk"), is_active=True, schooling="01",
        birth_date__gt=years_before(as_of, 16), birth_date__lte=years_before(as_of, 6),
    )
    # not collected (NULL, issue 14 item 6) is not insured: an exit needs the insurance known
    uninsured = Member.objects.filter(Q(has_medical_insurance=False) | Q(has_medical_insurance__isnull=True),
                                      household=OuterRef("pk"), is_active=True)
    return (
        qs.annotate(inc=FilteredRelation("incomes", condition=Q(incomes__year=year)))
        .annotate(
            line=line,
            net_total=F("inc__net_total"),
            income_size=F("inc__household_size"),
        )
        .annotate(
            fail_income=Case(
                When(inc__net_total__gt=ExpressionWrapper(F("line") * F("inc__household_size"), output_field=money),
                     then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            ),
            fail_education=Exists(school_age),
            fail_medical=Exists(uninsured),
            fail_housing=Case(When(housing_safety__in=["A", "B"], then=Value(False)), default=Value(True),
                              output_field=BooleanField()),
            fail_water=Case(When(water_safe=True, water_difficult=False, then=Value(False)), default=Value(True),
                            output_field=BooleanField()),
        )
        .annotate(
            passes=Case(
                When(fail_income=False, fail_education=False, fail_medical=False, fail_housing=False,
                     fail_water=False, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def unmet(row: Any) -> list[str]:
    """The unmet criteria of one evaluated household (an annotated object or a values() dict), as codes."""
    get = row.get if isinstance(row, dict) else (lambda k: getattr(row, k))
    return [k for k in CRITERIA if get(k)]


def per_capita(net_total: Decimal | None, size: int | None) -> Decimal | None:
    if net_total is None or not size:
        return None
    return (Decimal(net_total) / size).quantize(Decimal("0.01"))


@dataclass
class HouseholdEvaluation:
    year: int
    line: Decimal
    per_capita: Decimal | None
    unmet: list[str]

    @property
    def passes(self) -> bool:
        return not self.unmet

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year, "line": str(Decimal(self.line).quantize(Decimal("0.01"))),
            "per_capita": None if self.per_capita is None else str(self.per_capita), "unmet": self.unmet,
        }

    @property
    def unmet_labels(self) -> list[str]:
        return [f"{CRITERIA_ZH[k]} / {CRITERIA[k]}" for k in self.unmet]


def evaluate_one(household: Household, year: int) -> HouseholdEvaluation:
    row = evaluate(Household.objects.filter(pk=household.pk), year).values(
        "line", "net_total", "income_size", *CRITERIA
    ).get()
    return HouseholdEvaluation(year, row["line"], per_capita(row["net_total"], row["income_size"]), unmet(row))


def summary(qs: QuerySet[Household], year: int) -> dict[str, int]:
    """Counts over a set: households, passing, and failing each criterion (one grouped query)."""
    def n(flag: str) -> Any:
        return Sum(Case(When(**{flag: True}, then=Value(1)), default=Value(0), output_field=IntegerField()))

    # Aggregate aliases must differ from the annotations they sum.
    result: dict[str, int] = evaluate(qs, year).aggregate(
        n_households=Count("id"), n_passing=n("passes"), **{f"n_{k}": n(k) for k in CRITERIA}
    )
    return {k.removeprefix("n_"): v or 0 for k, v in result.items()}


@dataclass(frozen=True)
class CountyExitRules:
    """How a county's exit (摘帽) is judged in a province. The national text (中共中央办公厅 国务院办公厅《关于建立贫困
    退出机制的意见》, 厅字〔2016〕16号, 二(三)) measures the county by its poverty incidence alone, over its whole rural
    population; a province may add rules, with the document that states them (settings.FUPIN_COUNTY_EXIT_RULES)."""

    poor_villages_must_pass: bool = False  # every poor village (贫困村) of the county meets the village criterion
    population: str = "all_villages"  # "all_villages" | "villages_with_households"
    source: str = "中共中央办公厅 国务院办公厅《关于建立贫困退出机制的意见》（厅字〔2016〕16号）"


NATIONAL_COUNTY_RULES = CountyExitRules()


def county_exit_rules(code: str) -> CountyExitRules:
    """The county exit rules of the province of ``code``: settings.FUPIN_COUNTY_EXIT_RULES[province] (a dict of the
    fields of CountyExitRules; ``source`` required) or the national text."""
    conf = getattr(settings, "FUPIN_COUNTY_EXIT_RULES", {}).get(code[:2])
    if not conf:
        return NATIONAL_COUNTY_RULES
    if not conf.get("source"):
        raise ValueError(f"FUPIN_COUNTY_EXIT_RULES[{code[:2]!r}] must state its source")
    rules = CountyExitRules(**conf)
    if rules.population not in ("all_villages", "villages_with_households"):
        raise ValueError(f"FUPIN_COUNTY_EXIT_RULES[{code[:2]!r}]: unknown population {rules.population!r}")
    return rules


NO_POPULATION = _("no data: no rural population recorded")
ABOVE_THRESHOLD = _("poverty incidence not below the threshold")
FAILING_VILLAGES = _("a poor village of the county does not meet the village criterion")


@dataclass
class AreaExit:
    code: str
    name: str
    population: int
    population_from_registry: bool
    poor_households: int
    poor_persons: int
    remaining_households: int
    remaining_persons: int
    threshold: Decimal
    failing_villages: int = 0
    rules: CountyExitRules | None = None  # an area's exit: the rules applied

    @property
    def no_data(self) -> bool:
        """No population: the incidence is unknown (not 0 %), and the exit test fails."""
        return not self.population

    @property
    def incidence(self) -> Decimal | None:
        """For display only, rounded to four decimals; ``passes`` compares the exact fraction."""
        if self.no_data:
            return None
        return (Decimal(self.remaining_persons) / self.population).quantize(Decimal("0.0001"))

    @property
    def below_threshold(self) -> bool:
        """remaining ÷ population < threshold, exactly: remaining < threshold × population (Decimal, no rounding)."""
        return not self.no_data and Decimal(self.remaining_persons) < Decimal(self.threshold) * self.population

    @property
    def passes(self) -> bool:
        return self.below_threshold and self.failing_villages == 0

    @property
    def reasons(self) -> list[Any]:
        """Why the area does not pass (empty when it does)."""
        if self.no_data:
            return [NO_POPULATION]
        out = [] if self.below_threshold else [ABOVE_THRESHOLD]
        return out + ([FAILING_VILLAGES] if self.failing_villages else [])


def _village_rows(prefix: str, year: int) -> dict[str, dict[str, Any]]:
    """Per village of the subtree: registry persons, poor households/persons, and those that would stay
    poor (poor now and failing the exit evaluation) — one grouped query."""
    persons = (
        Member.objects.filter(household=OuterRef("pk"), is_active=True)
        .values("household").annotate(n=Count("id")).values("n")[:1]
    )
    qs = evaluate(Household.objects.filter(village__code__range=subtree_bounds(prefix)), year).annotate(
        persons=Coalesce(Subquery(persons, output_field=IntegerField()), Value(0)),
    )
    poor = Q(status__in=POOR_STATUSES)
    remaining = poor & Q(passes=False)
    rows = qs.values("village_id").annotate(
        registry_persons=Sum("persons"),
        poor_households=Count("id", filter=poor),
        poor_persons=Coalesce(Sum("persons", filter=poor), Value(0)),
        remaining_households=Count("id", filter=remaining),
        remaining_persons=Coalesce(Sum("persons", filter=remaining), Value(0)),
    ).order_by()
    return {str(r["village_id"]): dict(r) for r in rows}


def _populations(prefix: str, year: int) -> dict[str, int]:
    """The latest rural population on or before ``year`` per village of the subtree."""
    out: dict[str, int] = {}
    rows = RuralPopulation.objects.filter(region__code__range=subtree_bounds(prefix), year__lte=year).order_by("year")
    for region_id, persons in rows.values_list("region_id", "persons"):
        out[region_id] = persons
    return out


def village_exits(prefix: str, year: int) -> list[AreaExit]:
    """Village exit (贫困村退出) for every village of the subtree that has households in the registry."""
    rows = _village_rows(prefix, year)
    pops = _populations(prefix, year)
    names = dict(Region.objects.filter(code__in=rows.keys()).values_list("code", "name"))
    out = []
    for code, r in sorted(rows.items()):
        population = pops.get(code)
        out.append(AreaExit(
            code=code, name=names.get(code, code), population=population or r["registry_persons"] or 0,
            population_from_registry=population is None, poor_households=r["poor_households"],
            poor_persons=r["poor_persons"], remaining_households=r["remaining_households"],
            remaining_persons=r["remaining_persons"], threshold=incidence_threshold(code),
        ))
    return out


def area_exit(region: Region, year: int) -> AreaExit:
    """County exit (摘帽) — or any area — from its subtree: the incidence over its villages' rural population, by
    the rules of its province (``county_exit_rules``: by the national text every village with a rural population
    counts and no further rule applies)."""
    rules = county_exit_rules(region.code)
    villages = village_exits(region.code, year)
    population = sum(v.population for v in villages)
    if rules.population == "all_villages":  # villages without registered households count with their population
        seen = {v.code for v in villages}
        population += sum(p for code, p in _populations(region.code, year).items() if code not in seen)
    failing = 0
    if rules.poor_villages_must_pass:
        poor_villages = set(
            Region.objects.filter(code__range=subtree_bounds(region.code), level=Level.VILLAGE, is_poor_village=True)
            .values_list("code", flat=True)
        )
        failing = sum(1 for v in villages if v.code in poor_villages and not v.passes)
    return AreaExit(
        code=region.code, name=region.name,
        population=population,
        population_from_registry=any(v.population_from_registry for v in villages),
        poor_households=sum(v.poor_households for v in villages),
        poor_persons=sum(v.poor_persons for v in villages),
        remaining_households=sum(v.remaining_households for v in villages),
        remaining_persons=sum(v.remaining_persons for v in villages),
        threshold=incidence_threshold(region.code),
        failing_villages=failing, rules=rules,
    )
