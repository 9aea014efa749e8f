"""How a quality rule is declared (``rules.py`` holds the entries) and how its parameters are validated and
put into its SQL.

A rule is set-based SQL over the relations of the registry snapshot (``snapshot.py`` documents them). In the
text, ``{persons}``, ``{households}``, ``{incomes}``, ``{measures}``, ``{monitoring}``, ``{risks}`` and
``{villages}`` stand for those relations limited to the statuses the rule applies to and to the provinces a
parameter set covers; the bare names (``persons`` …) are the whole relation, for comparisons across the
registry (one phone number shared by several households). ``{name}`` is a parameter: a number, or for a
``codes`` parameter a quoted SQL list. The SQL returns ``record_id`` (the id of the subject record),
``household_id`` (NULL for villages), ``region_code`` (the village) and then its evidence columns.
The same text runs on DuckDB and PostgreSQL (``exchange.engine.Backend``).
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

# The households a rule looks at unless it says otherwise: everyone registered now or before.
REGISTERED = ("poor", "exited", "returned", "newly_poor", "monitored")
POOR = ("poor", "returned", "newly_poor")
RELATIONS = ("persons", "households", "incomes", "measures", "monitoring", "risks", "villages")


@dataclass(frozen=True)
class Param:
    """A declared parameter. ``kind``: ``age`` and ``months`` (whole numbers ≥ 0), ``money`` and ``number``
    (≥ 0), ``share`` (0–1), ``codes`` (a list of codes of ``codelist``)."""

    name: str
    default: Any
    kind: str = "number"
    label: str = ""
    codelist: str = ""
    maximum: float | None = None

    def clean(self, value: Any) -> Any:
        """The value checked and normalised; ValidationError with a bilingual message otherwise."""
        label = self.label or self.name
        if self.kind == "codes":
            from fupin.core import codes

            items = value if isinstance(value, list | tuple) else str(value).replace("，", ",").split(",")
            items = [str(i).strip() for i in items if str(i).strip()]
            known = codes.codes(self.codelist)
            unknown = [i for i in items if i not in known]
            if unknown:
                raise ValidationError(f"参数“{label}”含未知代码 {', '.join(unknown)}（应为 {', '.join(known)} 之一） / "
                                      f"parameter {self.name}: unknown code {', '.join(unknown)}")
            if not items:
                raise ValidationError(f"参数“{label}”至少需要一个代码 / parameter {self.name} needs at least one code")
            return items
        if isinstance(value, str):
            try:
                value = float(value.strip()) if "." in value else int(value.strip())
            except ValueError:
                raise ValidationError(f"参数“{label}”应为数字，而不是“{value}” / parameter {self.name} must be a "
                                      f"number") from None
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValidationError(f"参数“{label}”应为数字 / parameter {self.name} must be a number")
        value = float(value) if not isinstance(value, int) else value
        if value < 0:
            raise ValidationError(f"参数“{label}”不能为负数（{value}） / parameter {self.name} cannot be negative")
        if self.kind in ("age", "months") and value != int(value):
            raise ValidationError(f"参数“{label}”应为整数 / parameter {self.name} must be a whole number")
        top = 1 if self.kind == "share" else 130 if self.kind == "age" else self.maximum
        if top is not None and value > top:
            raise ValidationError(f"参数“{label}”不能大于 {top}（{value}） / parameter {self.name} cannot exceed {top}")
        return int(value) if self.kind in ("age", "months") else value

    def sql(self, value: Any) -> str:
        if self.kind == "codes":
            return ", ".join("'" + str(c).replace("'", "''") + "'" for c in value)
        return repr(value)


@dataclass(frozen=True)
class QualityRule:
    code: str
    name: str  # Chinese, shown to the townships
    name_en: str
    family: str
    subject: str
    severity: str
    sql: str
    params: tuple[Param, ...] = ()
    statuses: tuple[str, ...] = REGISTERED
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    hint: str = ""  # Chinese: what to check
    needs_lines: str = ""  # "poverty": reads ``lines`` (runner.LINE_MATCH); a year with no line is an error
    # Reads incomes of other years than each household's latest: a run then loads every year into ``incomes``
    # (otherwise only the latest year's rows, those with ``is_latest``).
    all_income_years: bool = False
    enabled: bool = True
    extra: dict[str, str] = field(default_factory=dict)
    # How the keys of this rule's evidence read, beside rules.EVIDENCE and core.evidence.COMMON.
    evidence: dict[str, Any] = field(default_factory=dict)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise ValidationError(f"规则 {self.code} 没有参数“{name}” / rule {self.code} has no parameter {name!r}")

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def clean_values(self, values: dict[str, Any]) -> dict[str, Any]:
        """Validate an administrator's values (every name must be declared), all errors at once."""
        out: dict[str, Any] = {}
        errors: list[str] = []
        for name, value in values.items():
            try:
                out[name] = self.param(name).clean(value)
            except ValidationError as exc:
                errors.extend(exc.messages)
        bounds = [(a, b) for a, b in (("min_age", "max_age"), ("min_months", "max_months"))
                  if a in self.defaults and b in self.defaults]
        merged = {**self.defaults, **out}
        for a, b in bounds:
            if not errors and merged[a] > merged[b]:
                errors.append(f"下限 {a}={merged[a]} 大于上限 {b}={merged[b]} / {a} is above {b}")
        if errors:
            raise ValidationError(errors)
        return out

    def render(self, values: dict[str, Any], relations: dict[str, str]) -> str:
        merged = {**self.defaults, **values}
        rendered = {p.name: p.sql(merged[p.name]) for p in self.params}
        return self.sql.format(**relations, **rendered)


# The line of an income year: the national line to 2020, the province's monitoring line after it.
LINE_MATCH = ("l.year = i.year AND ((i.year <= 2020 AND l.standard = 'national' AND l.province = '') OR "
              "(i.year > 2020 AND l.standard = 'monitoring' AND l.province = substr(i.region_code, 1, 2)))")

@dataclass
class ParameterSet:
    values: dict[str, Any]
    provinces: tuple[str, ...] = ()  # () = everywhere except ``excluded``
    excluded: tuple[str, ...] = ()


def parameter_sets(spec: QualityRule, rows: Iterable[tuple[str, int | None, dict[str, Any]]], year: int
                   ) -> list[ParameterSet]:
    """``rows``: (province, year, values) of the rule. The most specific value wins name by name."""
    rows = [r for r in rows if r[1] in (None, year)]
    national = dict(spec.defaults)
    for province, _year, values in sorted(rows, key=lambda r: r[1] is not None):
        if not province:
            national.update(values)
    by_values: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for province in sorted({r[0] for r in rows if r[0]}):
        values = dict(national)
        for p, _year, v in sorted(rows, key=lambda r: r[1] is not None):
            if p == province:
                values.update(v)
        if values != national:
            key = repr(sorted(values.items()))
            by_values.setdefault(key, (values, []))[1].append(province)
    own = tuple(p for _, ps in by_values.values() for p in ps)
    return [ParameterSet(national, (), tuple(sorted(own))),
            *(ParameterSet(v, tuple(ps)) for v, ps in by_values.values())]
