"""Evidence of a rule's hit (a doubt, an alert, a data-quality finding) as the user reads it: each key of the
stored JSON has a label, a unit and, for coded values, its code list, so that a page shows "本户人均纯收入
3,120 元" and never ``per_capita = 3120`` or ``types = H``.

A rule declares the keys its SQL writes next to itself (``evidence={...}`` on the rule's spec); keys shared by many
rules (years, incomes, ages, the registry's coded fields) are declared once in ``COMMON``. ``rows`` masks each
value through ``Masker`` first (names, ID numbers, birth dates, free text), then labels and formats it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from fupin.core import codes
from fupin.core.masking import Masker

TEXT, INT, MONEY, DECIMAL, PERCENT, RATE, DATE, YEAR, BOOL, CODE = (
    "text", "int", "money", "decimal", "percent", "rate", "date", "year", "bool", "code")


@dataclass(frozen=True)
class Field:
    """How one evidence key reads: its label, its unit, how its value is formatted and, for coded values, the
    code list (``core.codes``) or inline labels naming them. A comma-separated coded value is a list."""

    label: str | Promise
    kind: str = TEXT
    unit: str | Promise = ""
    codes: str = ""
    choices: Mapping[str, str | Promise] = field(default_factory=dict)
    places: int = 2


def money(label: str | Promise) -> Field:
    return Field(label, MONEY, _l("yuan"))


def count(label: str | Promise, unit: str | Promise = "") -> Field:
    return Field(label, INT, unit)


def coded(label: str | Promise, code_list: str) -> Field:
    return Field(label, CODE, codes=code_list)


# Keys many rules share. A rule's own declaration wins over these.
COMMON: dict[str, Field] = {
    "year": Field(_l("Year"), YEAR),
    "income_year": Field(_l("Income year"), YEAR),
    "per_capita": money(_l("Net income per person")),
    "previous_per_capita": money(_l("Net income per person the year before")),
    "previous_year": Field(_l("Previous year"), YEAR),
    "line": money(_l("Line applied (per person and year)")),
    "income_line": money(_l("Income line (per person and year)")),
    "age": count(_l("Age"), _l("years of age")),
    "head_age": count(_l("Age of the household head"), _l("years of age")),
    "birth_year": Field(_l("Year of birth"), YEAR),
    "birth_date": Field(_l("Date of birth"), DATE),
    "death_date": Field(_l("Date of death"), DATE),
    "members": count(_l("Members"), _l("persons")),
    "persons": count(_l("Persons concerned"), _l("persons")),
    "households": count(_l("Households"), _l("households (count unit)")),
    "registered": count(_l("Registered households"), _l("households (count unit)")),
    "poor": count(_l("Poor households"), _l("households (count unit)")),
    "labourers": count(_l("Labourers"), _l("persons")),
    "heads": count(_l("Household heads"), _l("persons")),
    "spouses": count(_l("Spouses of the head"), _l("persons")),
    "months": count(_l("Months"), _l("months")),
    "work_months": count(_l("Months worked"), _l("months")),
    "welfare_job_months": count(_l("Months in a public-welfare job"), _l("months")),
    "sex": coded(_l("Sex"), "sex"),
    "relation": coded(_l("Relation to the head"), "relation"),
    "education": coded(_l("Education"), "education"),
    "schooling": coded(_l("Schooling"), "schooling"),
    "health": coded(_l("Health"), "health"),
    "category": coded(_l("Disability category"), "disability_category"),
    "disability_category": coded(_l("Disability category"), "disability_category"),
    "grade": coded(_l("Disability grade"), "disability_grade"),
    "disability_grade": coded(_l("Disability grade"), "disability_grade"),
    "labour_skill": coded(_l("Labour skill"), "labour_skill"),
    "work_location": coded(_l("Place of work"), "work_location"),
    "attribute": coded(_l("Household attribute"), "household_attribute"),
    "status": coded(_l("Household status"), "household_status"),
    "housing_safety": coded(_l("Housing safety"), "housing_safety"),
    "water_safe": Field(_l("Safe drinking water"), BOOL),
    "water_difficult": Field(_l("Difficulty obtaining water"), BOOL),
    "has_living_power": Field(_l("Household electricity"), BOOL),
    "has_medical_insurance": Field(_l("Basic medical insurance"), BOOL),
    "length": count(_l("Number of characters"), _l("characters")),
    "region_part": Field(_l("Region digits of the ID number")),
    "start_date": Field(_l("Start date"), DATE),
    "end_date": Field(_l("End date"), DATE),
    "risks": count(_l("Risks recorded"), _l("risks")),
    "id_number": Field(_l("ID number")),
    "name": Field(_l("Name")),
    "household_number": Field(_l("Household number")),
}


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def grouped(value: Any, places: int = 0) -> str:
    """A number with thousands separators and ``places`` decimals (3120 → "3,120", 0.5 → "0.50")."""
    number = _number(value)
    if number is None:
        return str(value)
    # Chinese and English both group by thousands with "," and mark decimals with "." (zh_Hans's formats
    # module sets no grouping, so number_format would print none)
    return f"{number:,.{places}f}"


def display(spec: Field, value: Any) -> str:
    """One value as the user reads it, with its unit."""
    if (value is None or value == "") and spec.kind == BOOL:
        return str(_("not collected"))  # a yes/no field left empty (未采集, issue 14 item 6)
    if value is None or value == "":
        return "—"
    kind = spec.kind
    if kind in (CODE,) or spec.choices:
        parts = [p.strip() for p in str(value).split(",")] if isinstance(value, str) else [str(value)]
        names = []
        for part in parts:
            if spec.choices:
                names.append(str(spec.choices.get(part, part)))
            else:
                names.append(codes.label(spec.codes, part))
        return "、".join(names)
    if kind == BOOL:
        truthy = value in (True, 1, "1", "true", "True", "t", "yes")
        return str(_("yes") if truthy else _("no"))
    if kind in (INT, MONEY, DECIMAL, PERCENT, RATE):
        number = _number(value)
        if number is None:
            return str(value)
        if kind == RATE:
            number, unit = number * 100, "%"
            text = grouped(number, 1)
            return f"{text}{unit}"
        places = 0 if kind == INT else (2 if kind == MONEY else spec.places)
        if kind in (MONEY, DECIMAL) and number == number.to_integral_value():
            places = 0
        text = grouped(number, places)
        if kind == PERCENT:
            return f"{text}%"
        return f"{text} {spec.unit}".strip() if spec.unit else text
    if kind == YEAR:
        return str(value)[:4]
    if kind == DATE:
        return str(value)[:10]
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return f"{value} {spec.unit}".strip() if spec.unit else str(value)


def rows(evidence: Mapping[str, Any] | None, fields: Mapping[str, Field] | None, masker: Masker,
         hide: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The evidence as (label, value) pairs, masked, in the order the rule declares its keys (then the rest).
    Keys listed in ``hide`` (shown elsewhere on the page) are left out. A key nobody declared keeps its name as
    label — a test of each app makes sure its rules declare every key they write."""
    if not evidence:
        return []
    fields = fields or {}
    masked = masker.values(dict(evidence))
    hidden = set(hide)
    order = [k for k in fields if k in masked] + [k for k in masked if k not in fields]
    result = []
    for key in order:
        if key in hidden:
            continue
        spec = fields.get(key) or COMMON.get(key) or Field(key)
        result.append((str(spec.label), display(spec, masked[key])))
    return result


def text(evidence: Mapping[str, Any] | None, fields: Mapping[str, Field] | None, masker: Masker) -> str:
    """The evidence on one line ("标签：值；…"), for a list cell or a spreadsheet."""
    return "；".join(f"{label}：{value}" for label, value in rows(evidence, fields, masker))


def undeclared(keys: Iterable[str], fields: Mapping[str, Field] | None) -> set[str]:
    """Keys that neither the rule nor ``COMMON`` declares (the apps' tests assert there are none)."""
    fields = fields or {}
    return {k for k in keys if k not in fields and k not in COMMON}


def label_of(value: Any) -> str:
    """An integer count with thousands separators (for templates and messages)."""
    return intcomma(value)
