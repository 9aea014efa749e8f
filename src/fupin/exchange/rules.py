"""The catalogue of comparison rules (R4.2). Each rule is SQL over two kinds of relation:

- ``persons``: the registry snapshot, one row per active member of a registered household — id_number,
  member_id, household_id, household_number, village_code, status, attribute, birth_date, age (completed
  years on the run's reference date), sex, relation, schooling, health, has_medical_insurance,
  receives_dibao, receives_tekun, per_capita (latest per-capita net income), housing_safety;
- one relation per dataset type (``vehicles``, ``ca_dibao``, …): the latest accepted batch of that type,
  with the columns of ``catalogue.py``.

A rule returns ``id_number, household_id, village_code`` and then its evidence columns. The SQL is plain
(joins, NOT EXISTS, GROUP BY, CASE, string_agg), so the same text runs on DuckDB and PostgreSQL, and would
on Spark SQL. ``{persons}`` is replaced by the engine with the persons covered by the batches the rule reads
(a rule about someone *missing* from a list may only look at the area the list covers); ``{name}`` placeholders
are the rule's thresholds, numbers only (``Rule.params`` overrides the defaults).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _l

from fupin.core import evidence as ev

WRONG = "wrong_registration"  # 假扶贫: someone registered who should not be
UNMET = "unmet_need"  # 扶假贫 / 漏保: a registered person misses a benefit
RISK = "risk"  # early warning


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str  # Chinese, shown to the verifier
    explanation: str  # Chinese: what was found and what to check
    kind: str
    severity: str
    datasets: tuple[str, ...]
    sql: str
    params: dict[str, float] = field(default_factory=dict)
    absence: bool = False  # the rule looks for persons missing from a list: limit to the list's coverage
    route: str = "township"  # who verifies: township (code[:9]) or county (code[:6])
    deadline_days: int = 30
    next_step: str = ""  # the lifecycle step a confirmation calls for
    # How the keys of this rule's evidence read (labels, units, code lists), beside EVIDENCE and core.evidence.COMMON.
    evidence: Mapping[str, ev.Field] = field(default_factory=dict)

    @property
    def evidence_fields(self) -> dict[str, ev.Field]:
        return {**EVIDENCE, **self.evidence}

    def render(self, params: dict[str, Any] | None = None, persons: str = "persons") -> str:
        values = {**self.params, **(params or {})}
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"rule {self.code}: threshold {key} must be a number, not {value!r}")
        return self.sql.format(persons=persons, **values)

    def route_code(self, village_code: str) -> str:
        return village_code[:6] if self.route == "county" else village_code[:9]


VEHICLE_TYPES = {"K": _l("passenger car"), "H": _l("lorry"), "M": _l("motorcycle"), "N": _l("tricycle"),
                 "T": _l("tractor")}

# The keys the rules below write into a doubt's evidence (core.evidence renders them; COMMON has the shared ones).
EVIDENCE: dict[str, ev.Field] = {
    "vehicles": ev.count(_l("Vehicles registered"), _l("vehicles")),
    "plates": ev.Field(_l("Number plates")),
    "types": ev.Field(_l("Vehicle types"), choices=VEHICLE_TYPES),
    "companies": ev.count(_l("Companies"), _l("companies")),
    "registered_capital": ev.money(_l("Registered capital")),
    "company_names": ev.Field(_l("Company names")),
    "properties": ev.count(_l("Properties registered"), _l("properties")),
    "total_area": ev.Field(_l("Total floor area"), ev.DECIMAL, _l("square metres")),
    "commercial": ev.count(_l("Commercial or office properties"), _l("properties")),
    "employer": ev.Field(_l("Employer")),
    "hukou_no": ev.Field(_l("Household registration (hukou) number")),
    "other_household": ev.Field(_l("Other registered household")),
    "dibao_since": ev.Field(_l("Minimum living allowance since"), ev.DATE),
    "edu_status": ev.Field(_l("School record"), choices={"not_found": _l("no school record found"),
                                                         "dropout": _l("recorded as dropped out")}),
    "enrolled": ev.Field(_l("Enrolled"), ev.BOOL),
    "registry_says_insured": ev.Field(_l("Registry records basic medical insurance"), ev.BOOL),
    "total_cost": ev.money(_l("Total medical costs")),
    "out_of_pocket": ev.money(_l("Paid out of pocket")),
    "year": ev.Field(_l("Year"), ev.YEAR),
    "housing_safety": ev.Field(_l("Housing safety in the registry"), ev.CODE, codes="housing_safety"),
}

PARAM_LABELS: dict[str, ev.Field] = {
    "min_capital": ev.money(_l("Registered capital at least")),
    "max_residential_area": ev.Field(_l("Residential area above"), ev.DECIMAL, _l("square metres")),
    "income_line": ev.money(_l("Minimum living allowance line")),
    "min_age": ev.count(_l("Age from"), _l("years of age")),
    "max_age": ev.count(_l("Age to"), _l("years of age")),
    "min_out_of_pocket": ev.money(_l("Paid out of pocket at least")),
}

RULES: dict[str, RuleSpec] = {r.code: r for r in (
    RuleSpec(
        "VEHICLE", "家庭成员名下有机动车",
        "公安交管数据显示该成员名下登记有载客或载货汽车（不含摩托车、三轮车、拖拉机）。请核实车辆是否为本人所有、"
        "购置时间及用途（如营运谋生），判断是否属于不符合建档立卡条件。",
        WRONG, "high", ("vehicles",),
        """SELECT p.id_number, p.household_id, p.village_code,
                  COUNT(*) AS vehicles, string_agg(v.plate, ',' ORDER BY v.plate) AS plates,
                  string_agg(v.vehicle_type, ',' ORDER BY v.plate) AS types
           FROM {persons} p JOIN vehicles v ON v.id_number = p.id_number
           WHERE v.vehicle_type IN ('K', 'H')
           GROUP BY p.id_number, p.household_id, p.village_code""",
        deadline_days=15, next_step="清退 / removal",
    ),
    RuleSpec(
        "COMPANY", "家庭成员注册有企业",
        "市场监管数据显示该成员为企业法定代表人或股东，注册资本达到阈值。请核实企业实际经营和收入情况。",
        WRONG, "high", ("market_business",),
        """SELECT p.id_number, p.household_id, p.village_code,
                  COUNT(*) AS companies, SUM(b.registered_capital) AS registered_capital,
                  string_agg(b.company_name, '；' ORDER BY b.credit_code) AS company_names
           FROM {persons} p JOIN market_business b ON b.id_number = p.id_number
           WHERE b.role IN ('legal', 'shareholder') AND b.registered_capital >= {min_capital}
           GROUP BY p.id_number, p.household_id, p.village_code""",
        params={"min_capital": 100000}, route="county", deadline_days=15, next_step="清退 / removal",
    ),
    RuleSpec(
        "PROPERTY", "家庭成员名下有商业用房或大面积房产",
        "不动产登记数据显示该成员名下有商业、办公用房，或住宅总面积超过阈值。请核实房产情况。",
        WRONG, "high", ("real_estate",),
        """SELECT p.id_number, p.household_id, p.village_code,
                  COUNT(*) AS properties, SUM(r.area) AS total_area,
                  SUM(CASE WHEN r.use IN ('commercial', 'office') THEN 1 ELSE 0 END) AS commercial
           FROM {persons} p JOIN real_estate r ON r.id_number = p.id_number
           GROUP BY p.id_number, p.household_id, p.village_code
           HAVING SUM(CASE WHEN r.use IN ('commercial', 'office') THEN 1 ELSE 0 END) > 0
               OR SUM(CASE WHEN r.use = 'residential' THEN r.area ELSE 0 END) > {max_residential_area}""",
        params={"max_residential_area": 300}, route="county", deadline_days=15, next_step="清退 / removal",
    ),
    RuleSpec(
        "PAYROLL", "家庭成员为财政供养人员",
        "财政部门数据显示该成员为财政供养人员（公务员、事业单位在编人员等）。请核实身份及收入。",
        WRONG, "high", ("payroll",),
        """SELECT p.id_number, p.household_id, p.village_code, MIN(f.employer) AS employer
           FROM {persons} p JOIN payroll f ON f.id_number = p.id_number
           GROUP BY p.id_number, p.household_id, p.village_code""",
        route="county", deadline_days=15, next_step="清退 / removal",
    ),
    RuleSpec(
        "DECEASED", "已死亡人员仍在册",
        "公安死亡注销数据显示该成员已死亡，但仍为建档立卡户的在册成员。请核实后办理成员减少（自然减员）。",
        WRONG, "medium", ("ps_death",),
        """SELECT p.id_number, p.household_id, p.village_code, CAST(MIN(d.death_date) AS VARCHAR) AS death_date
           FROM {persons} p JOIN ps_death d ON d.id_number = p.id_number
           GROUP BY p.id_number, p.household_id, p.village_code""",
        next_step="成员减少 / member removal",
    ),
    RuleSpec(
        "DUPLICATE", "同一人员登记在两个户中",
        "该成员在公安户籍中与另一建档立卡户同属一个户口（户主在另一户），或同一身份证号码登记在两个户中。"
        "请核实是否拆户、重复登记。",
        WRONG, "medium", ("ps_household",),
        """SELECT p.id_number, p.household_id, p.village_code, r.hukou_no,
                  MIN(h.household_number) AS other_household
           FROM {persons} p
           JOIN ps_household r ON r.id_number = p.id_number
           JOIN ps_household hr ON hr.hukou_no = r.hukou_no AND hr.is_hukou_head = '1' AND hr.id_number <> p.id_number
           JOIN persons h ON h.id_number = hr.id_number AND h.household_id <> p.household_id
           GROUP BY p.id_number, p.household_id, p.village_code, r.hukou_no
           UNION ALL
           SELECT p.id_number, p.household_id, p.village_code, '' AS hukou_no, '' AS other_household
           FROM {persons} p
           WHERE p.id_number IN (SELECT id_number FROM persons GROUP BY id_number HAVING COUNT(DISTINCT household_id) > 1)""",
        next_step="户籍核实 / merge or remove",
    ),
    RuleSpec(
        "DIBAO_MISSING", "符合低保条件但不在民政低保名单",
        "建档立卡信息显示该成员享受低保且家庭人均纯收入低于低保线，但民政部门低保名单中没有此人。"
        "请核实是否被停保、漏保，需要时协调民政部门纳入。",
        UNMET, "medium", ("ca_dibao",),
        """SELECT p.id_number, p.household_id, p.village_code, p.per_capita
           FROM {persons} p
           WHERE p.receives_dibao AND p.per_capita <= {income_line}
             AND NOT EXISTS (SELECT 1 FROM ca_dibao d WHERE d.id_number = p.id_number)""",
        params={"income_line": 4500}, absence=True, next_step="纳入低保 / inclusion",
    ),
    RuleSpec(
        "DIBAO_UNRECORDED", "在民政低保名单但建档信息未记录",
        "民政部门低保名单中有该成员，但建档立卡信息记录为未享受低保。请核实并更正建档信息。",
        WRONG, "low", ("ca_dibao",),
        """SELECT p.id_number, p.household_id, p.village_code, CAST(MIN(d.start_date) AS VARCHAR) AS dibao_since
           FROM {persons} p JOIN ca_dibao d ON d.id_number = p.id_number
           WHERE NOT p.receives_dibao
           GROUP BY p.id_number, p.household_id, p.village_code""",
        next_step="更正档案 / correction",
    ),
    RuleSpec(
        "DROPOUT", "义务教育阶段适龄儿童未在学（控辍保学）",
        "该成员处于义务教育年龄，教育部门学籍数据中没有在读记录或登记为辍学。请入户核实，落实控辍保学。",
        UNMET, "high", ("edu_enrolment",),
        """SELECT p.id_number, p.household_id, p.village_code, CAST(p.birth_date AS VARCHAR) AS birth_date,
                  p.schooling, CASE WHEN e.id_number IS NULL THEN 'not_found' ELSE 'dropout' END AS edu_status
           FROM {persons} p
           LEFT JOIN (SELECT id_number, MAX(CASE WHEN status = 'enrolled' THEN 1 ELSE 0 END) AS enrolled
                      FROM edu_enrolment GROUP BY id_number) e ON e.id_number = p.id_number
           WHERE p.age BETWEEN {min_age} AND {max_age} AND (e.id_number IS NULL OR e.enrolled = 0)""",
        params={"min_age": 7, "max_age": 15}, absence=True, deadline_days=15, next_step="劝返复学 / back to school",
    ),
    RuleSpec(
        "NO_MEDICAL_INSURANCE", "未参加基本医疗保险",
        "医保部门参保数据中没有该成员。请核实并动员参保（建档立卡人员个人缴费部分可资助）。",
        UNMET, "medium", ("medical_insurance",),
        """SELECT p.id_number, p.household_id, p.village_code, p.has_medical_insurance AS registry_says_insured
           FROM {persons} p
           WHERE NOT EXISTS (SELECT 1 FROM medical_insurance m WHERE m.id_number = p.id_number)""",
        absence=True, next_step="资助参保 / enrol",
    ),
    RuleSpec(
        "DISABLED_NO_CERT", "残疾成员未办理残疾人证",
        "建档立卡信息记录该成员为残疾，但残联数据中没有残疾人证。请协助办证，落实残疾人两项补贴。",
        UNMET, "low", ("disability_cert",),
        """SELECT p.id_number, p.household_id, p.village_code, p.health
           FROM {persons} p
           WHERE p.health = '04'
             AND NOT EXISTS (SELECT 1 FROM disability_cert c WHERE c.id_number = p.id_number)""",
        absence=True, next_step="办理残疾人证 / certificate",
    ),
    RuleSpec(
        "MEDICAL_EXPENSE", "医疗费用个人负担过重（风险）",
        "医保数据显示该成员年度个人自付医疗费用超过阈值，有因病致贫返贫风险。请核实并落实医疗救助，纳入监测。",
        RISK, "low", ("medical_expense",),
        """SELECT p.id_number, p.household_id, p.village_code, MAX(x.year) AS year,
                  SUM(x.total_cost) AS total_cost, SUM(x.out_of_pocket) AS out_of_pocket
           FROM {persons} p JOIN medical_expense x ON x.id_number = p.id_number
           GROUP BY p.id_number, p.household_id, p.village_code
           HAVING SUM(x.out_of_pocket) >= {min_out_of_pocket}""",
        params={"min_out_of_pocket": 10000}, next_step="纳入监测 / monitoring",
    ),
    RuleSpec(
        "HOUSING_UNSAFE", "住建危房名单与住房安全等级不符",
        "住建部门数据显示该成员住房为未改造的C/D级危房，但建档信息记录住房安全（A/B级）。请核实住房安全保障。",
        UNMET, "medium", ("housing_danger",),
        """SELECT p.id_number, p.household_id, p.village_code, MAX(d.grade) AS grade, p.housing_safety
           FROM {persons} p JOIN housing_danger d ON d.id_number = p.id_number
           WHERE d.renovated = '0' AND p.housing_safety IN ('A', 'B', '')
           GROUP BY p.id_number, p.household_id, p.village_code, p.housing_safety""",
        next_step="危房改造 / renovation",
        evidence={"grade": ev.Field(_l("Danger grade of the house"), choices={"C": "C级", "D": "D级"})},
    ),
)}

KIND_LABELS = {WRONG: "疑似不符合条件（假扶贫）", UNMET: "应享未享（漏保）", RISK: "风险预警"}
