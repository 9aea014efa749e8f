"""The portrait of a household (一户一档): 两不愁三保障 and safe drinking water, computed from a dossier.

Pure functions over the snapshot structure of ``fupin.registry.history`` (``{"household": {...},
"members": [...], "incomes": [...]}`` with JSON scalars), so that the dossier of today and the dossier as of
an earlier date are judged by the same code, and tests need no database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.registry.models import INCOME_FIELDS

# The national poverty line in current prices, yuan per person and year, as published each year (the
# 2010-price line of 2,300 yuan revalued). The lines in force are the administrator-edited table
# lifecycle.PovertyLine (seeded with these values); this table is only the fallback when it is empty.
PUBLISHED_LINES: dict[int, Decimal] = {
    2014: Decimal(2736),
    2015: Decimal(2855),
    2016: Decimal(2952),
    2017: Decimal(3335),
    2018: Decimal(3535),
    2019: Decimal(3747),
    2020: Decimal(4000),
}

SCHOOL_AGE = (6, 15)  # 义务教育 ages, inclusive
NOT_IN_SCHOOL = "01"  # code list schooling: 非在校生
SAFE_HOUSING = ("A", "B")

# Income components grouped as on the collection form, for the chart.
INCOME_GROUPS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("wage", gettext_lazy("Wages"), ("wage_welfare_job", "wage_other")),
    ("business", gettext_lazy("Production and business"), ("business",)),
    ("property", gettext_lazy("Property"), ("property_dividend", "property_other")),
    ("transfer", gettext_lazy("Transfers"), (
        "transfer_family_planning", "transfer_dibao", "transfer_tekun", "transfer_pension",
        "transfer_ecological", "transfer_other",
    )),
    ("reward", gettext_lazy("Rewards"), ("reward",)),
)

OK, UNMET, UNKNOWN = "ok", "unmet", "unknown"


def national_lines() -> dict[int, Decimal]:
    """Year → national line, from the table administrators edit (one small query)."""
    from fupin.registry.models import PovertyLine

    rows = PovertyLine.objects.filter(standard=PovertyLine.Standard.NATIONAL).values_list("year", "amount")
    return dict(rows) or dict(PUBLISHED_LINES)


def poverty_line(year: int, lines: dict[int, Decimal] | None = None) -> Decimal:
    """The national line of ``year``; before the table its first year, after it its last."""
    lines = lines or national_lines()
    years = sorted(lines)
    return lines[min(max(year, years[0]), years[-1])]


def _dec(value: Any) -> Decimal:
    return Decimal(str(value or 0))


def per_capita(income: Mapping[str, Any]) -> Decimal:
    """人均纯收入 of one income row (model field names, values as numbers or strings)."""
    total = sum((_dec(income.get(f)) for f in INCOME_FIELDS), Decimal(0)) - _dec(income.get("business_expense"))
    size = int(income.get("household_size") or 0)
    if size <= 0:
        return Decimal(0)
    return (total / size).quantize(Decimal("0.01"))


def latest_income(snapshot: Mapping[str, Any]) -> Mapping[str, Any] | None:
    incomes = snapshot.get("incomes") or []
    return max(incomes, key=lambda i: int(i["year"])) if incomes else None


def age_on(birth: Any, day: dt.date) -> int | None:
    if not birth:
        return None
    if isinstance(birth, str):
        birth = dt.date.fromisoformat(birth[:10])
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class Badge:
    key: str
    label: str
    status: str  # OK, UNMET or UNKNOWN
    reason: str

    @property
    def ok(self) -> bool:
        return self.status == OK


def _income_badges(snapshot: Mapping[str, Any]) -> list[Badge]:
    latest = latest_income(snapshot)
    if latest is None:
        status, reason = UNKNOWN, _("No income recorded.")
    else:
        year = int(latest["year"])
        value, line = per_capita(latest), poverty_line(year)
        params = {"year": year, "income": f"{value:,.0f}", "line": f"{line:,.0f}"}
        if value > line:
            status = OK
            reason = _("Net income per person %(income)s yuan in %(year)s, above the poverty line of %(line)s yuan.") % params
        else:
            status = UNMET
            reason = _("Net income per person %(income)s yuan in %(year)s, not above the poverty line of %(line)s yuan.") % params
    return [
        Badge("food", _("Enough to eat (不愁吃)"), status, reason),
        Badge("clothing", _("Enough to wear (不愁穿)"), status, reason),
    ]


def _education_badge(members: list[Mapping[str, Any]], day: dt.date) -> Badge:
    low, high = SCHOOL_AGE
    out_of_school = []
    for m in members:
        age = age_on(m.get("birth_date"), day)
        if age is not None and low <= age <= high and m.get("schooling") == NOT_IN_SCHOOL:
            out_of_school.append(age)
    label = _("Compulsory education")
    if out_of_school:
        ages = "、".join(str(a) for a in sorted(out_of_school))
        return Badge("education", label, UNMET, _(
            "%(n)d member(s) of compulsory-school age not in school (aged %(ages)s)."
        ) % {"n": len(out_of_school), "ages": ages})
    return Badge("education", label, OK, _("No member aged 6–15 is out of school."))


def _medical_badge(members: list[Mapping[str, Any]]) -> Badge:
    label = _("Basic medical insurance")
    if not members:
        return Badge("medical", label, UNKNOWN, _("No active member."))
    missing = sum(1 for m in members if m.get("has_medical_insurance") is False)
    unknown = sum(1 for m in members if m.get("has_medical_insurance") is None)
    if unknown and not missing:  # not collected (未采集) is neither met nor unmet: it is to be collected
        return Badge("medical", label, UNKNOWN, _("%(n)d of %(total)d members: basic medical insurance not collected.")
                     % {"n": unknown, "total": len(members)})
    if missing:
        return Badge("medical", label, UNMET, _("%(n)d of %(total)d members without basic medical insurance.") % {
            "n": missing, "total": len(members)})
    return Badge("medical", label, OK, _("All %(total)d members have basic medical insurance.") % {"total": len(members)})


def _housing_badge(household: Mapping[str, Any]) -> Badge:
    label = _("Safe housing")
    grade = household.get("housing_safety") or ""
    if not grade:
        return Badge("housing", label, UNKNOWN, _("Housing safety grade not recorded."))
    if grade in SAFE_HOUSING:
        return Badge("housing", label, OK, _("Housing graded %(grade)s (safe).") % {"grade": grade})
    return Badge("housing", label, UNMET, _("Housing graded %(grade)s (dangerous house, 危房).") % {"grade": grade})


def _water_badge(household: Mapping[str, Any]) -> Badge:
    label = _("Safe drinking water")
    if household.get("water_safe") is None:
        return Badge("water", label, UNKNOWN, _("Drinking water safety not collected."))
    if household.get("water_safe"):
        return Badge("water", label, OK, _("Drinking water recorded as safe."))
    return Badge("water", label, UNMET, _("Drinking water recorded as not safe."))


def badges(snapshot: Mapping[str, Any], on: dt.date) -> list[Badge]:
    """两不愁三保障 + 饮水安全 of a dossier; ``on`` is the day at which members' ages are taken."""
    household = snapshot.get("household") or {}
    members = [m for m in snapshot.get("members") or [] if m.get("is_active", True)]
    return [
        *_income_badges(snapshot),
        _education_badge(members, on),
        _medical_badge(members),
        _housing_badge(household),
        _water_badge(household),
    ]


def income_series(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """Income by component group per year, and 人均纯收入 with the poverty line, for charts."""
    by_year = {int(i["year"]): i for i in snapshot.get("incomes") or []}
    # every year from the first to the last, a year without a record as a gap (None): the axis is time, so that
    # 2018, 2019, 2020, 2025 are not drawn as four evenly spaced years
    years = list(range(min(by_year), max(by_year) + 1)) if by_year else []
    incomes = [by_year.get(y) for y in years]
    lines = national_lines()  # one query for every year's line

    def each(value: Any) -> list[float | None]:
        return [None if i is None else float(value(i)) for i in incomes]

    return {
        "years": years,
        "groups": [
            {"key": key, "name": str(name),
             "values": each(lambda i, fields=fields: sum((_dec(i.get(f)) for f in fields), Decimal(0)))}
            for key, name, fields in INCOME_GROUPS
        ],
        "expense": each(lambda i: _dec(i.get("business_expense"))),
        "per_capita": each(per_capita),
        "line": [float(poverty_line(y, lines)) for y in years],
    }
