"""The catalogue of quality rules (R13.1), one declarative entry each: code, names, family, subject, severity,
parameters and set-based SQL over the registry snapshot (relations documented in ``snapshot.py``, placeholders
in ``catalogue.py``). Adding a rule is adding an entry here and a planted case in ``tests/test_rules.py``;
``services.sync_catalogue`` puts it in the catalogue table, where administrators switch it and set parameters.

Codes say the family: P person and family structure, L labour, S schooling, C completeness, I income,
M monitoring objects, B benefits and measures, V villages.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _l

from fupin.core import evidence as ev
from fupin.quality.catalogue import LINE_MATCH, POOR, REGISTERED, Param, QualityRule
from fupin.quality.models import Family, Severity, Subject
from fupin.registry.models import INCOME_FIELDS, Income

REJECT, WARNING, HINT = Severity.REJECT, Severity.WARNING, Severity.HINT
EXITED = ("exited", "monitored")
MONITORED = ("monitored",)
LABOUR = "('01', '02')"  # 普通劳动力, 技能劳动力
IN_SCHOOL = "('03', '04', '05', '06', '07', '08', '09', '10', '11')"
DIGITS = "translate({0}, '0123456789', '') = ''"

P_COLS = "p.record_id, p.household_id, p.region_code"
H_COLS = "h.record_id, h.household_id, h.region_code"
M_COLS = "r.record_id, r.household_id, r.region_code"


def person(code: str, name: str, name_en: str, family: str, severity: str, where: str, evidence: str = "",
           **kw: Any) -> QualityRule:
    """A rule on active members: ``where`` over ``p`` (persons)."""
    cols = f"{P_COLS}, {evidence}" if evidence else P_COLS
    return QualityRule(code, name, name_en, family, Subject.PERSON, severity,
                       f"SELECT {cols} FROM {{persons}} p WHERE {where}", **kw)


def household(code: str, name: str, name_en: str, family: str, severity: str, where: str, evidence: str = "",
              joins: str = "", **kw: Any) -> QualityRule:
    """A rule on households: ``where`` over ``h`` (households) and any ``joins``."""
    cols = f"{H_COLS}, {evidence}" if evidence else H_COLS
    return QualityRule(code, name, name_en, family, Subject.HOUSEHOLD, severity,
                       f"SELECT {cols} FROM {{households}} h {joins} WHERE {where}", **kw)


def members(condition: str) -> str:
    """Members of ``h`` matching ``condition`` (over ``m``), as a count subquery."""
    return f"(SELECT COUNT(*) FROM persons m WHERE m.household_id = h.household_id AND {condition})"


def measures_of(alias: str, types: str, since: str = "") -> str:
    """EXISTS a measure of household ``alias`` of the listed types (started on or after ``since``)."""
    after = f" AND (x.end_date IS NULL OR x.end_date >= {since})" if since else ""
    return f"EXISTS (SELECT 1 FROM measures x WHERE x.household_id = {alias}.household_id AND x.type IN {types}{after})"


def monitoring(code: str, name: str, name_en: str, severity: str, where: str, evidence: str = "", **kw: Any
               ) -> QualityRule:
    """A rule on monitoring records ``r`` of monitored households ``h`` (open records unless ``where`` says)."""
    cols = f"{M_COLS}, {evidence}" if evidence else M_COLS
    kw.setdefault("statuses", REGISTERED)
    return QualityRule(code, name, name_en, Family.MONITORING, Subject.MONITORING, severity,
                       f"SELECT {cols} FROM {{monitoring}} r JOIN households h ON h.household_id = r.household_id "
                       f"WHERE {where}", **kw)


def has_risk(risk: str) -> str:
    return f"EXISTS (SELECT 1 FROM risks k WHERE k.record_id = r.record_id AND k.risk = '{risk}')"


HEAD = "(SELECT MIN(q.age) FROM persons q WHERE q.household_id = p.household_id AND q.relation = '01')"
GAP = Param("min_gap", 15, "age", "最小年龄差（岁）")
ID_OK = "p.id_ok"  # a resident ID number of 18 characters, the first 17 digits (snapshot.ID_OK, computed once)
HEADS = members("m.relation = '01'")
SPOUSES = members("m.relation = '02'")
SAFETY_NET = "('09')"
EDUCATION = "('06')"
HEALTH, HOUSING, WATER, EMPLOYMENT = "('05', '09')", "('07', '10')", "('08', '10')", "('02', '03', '12')"
WORKING_AGE_LABOURERS = members(f"m.labour_skill IN {LABOUR} AND m.age BETWEEN 16 AND 59")


def id_int(start: int, length: int) -> str:
    """Digits of a well-formed ID number as an integer; NULL otherwise (CASE: the cast never sees bad text)."""
    return f"CASE WHEN {ID_OK} THEN CAST(substr(p.id_number, {start}, {length}) AS INTEGER) END"

# The keys the rules write into a finding's evidence that core.evidence.COMMON does not name: the income
# components (labelled as the registry's income form labels them) and the villages' figures.
EVIDENCE: dict[str, ev.Field] = {
    **{name: ev.money(getattr(Income._meta.get_field(name), "verbose_name", name))
       for name in (*INCOME_FIELDS, "business_expense")},
    "line": ev.money(_l("Poverty line of the year (per person)")),
    "transfer": ev.money(_l("Transfer income")),
    "household_size": ev.count(_l("Household size in the income record"), _l("persons")),
    "net_total": ev.money(_l("Net income of the household")),
    "poor_exit_year": ev.Field(_l("Year the village exited poverty"), ev.YEAR),
    "data_households": ev.count(_l("Households in the village's basic data"), _l("households (count unit)")),
    "data_persons": ev.count(_l("Persons in the village's basic data"), _l("persons")),
    "dangerous_housing_households": ev.count(_l("Households in dangerous housing"), _l("households (count unit)")),
    "unsafe_water_households": ev.count(_l("Households without safe water"), _l("households (count unit)")),
}


def evidence_fields(rule: QualityRule | None) -> dict[str, ev.Field]:
    return {**EVIDENCE, **(rule.evidence if rule else {})}


RULES: dict[str, QualityRule] = {r.code: r for r in (
    # --- persons and family structure ---------------------------------------------------------------------
    person("P01_ID_PLACEHOLDER", "身份证号码为占位或明显无效", "ID number is a placeholder or malformed",
           Family.PERSON, REJECT,
           "p.id_type = '1' AND (length(p.id_number) <> 18 OR translate(substr(p.id_number, 1, 17), '0123456789', '') <> ''"
           " OR substr(p.id_number, 15, 3) = '000' OR substr(p.id_number, 1, 6) IN ('000000', '111111', '123456')"
           " OR substr(p.id_number, 7, 8) IN ('00000000', '11111111', '19000101'))",
           "length(p.id_number) AS length, substr(p.id_number, 1, 6) AS region_part",
           hint="核对户口簿或身份证原件，录入真实证件号码。"),
    person("P02_ID_REGION_UNKNOWN", "身份证号码地区码不存在（出生年份）", "ID number's region code did not exist in the birth year",
           Family.PERSON, WARNING,
           f"{ID_OK} AND NOT EXISTS (SELECT 1 FROM id_regions g WHERE g.code = "
           f"substr(p.id_number, 1, 6) AND {id_int(7, 4)} BETWEEN g.from_year AND g.to_year)",
           "substr(p.id_number, 1, 6) AS region_part, substr(p.id_number, 7, 4) AS birth_year",
           hint="批量导入未核对地区码；核对证件号码。"),
    person("P03_ID_BIRTH_MISMATCH", "出生日期与身份证号码不符", "birth date differs from the ID number",
           Family.PERSON, REJECT,
           f"{ID_OK} AND {id_int(7, 8)} <> "
           "CAST(EXTRACT(YEAR FROM p.birth_date) AS INTEGER) * 10000 + CAST(EXTRACT(MONTH FROM p.birth_date) AS INTEGER)"
           " * 100 + CAST(EXTRACT(DAY FROM p.birth_date) AS INTEGER)",
           "CAST(p.birth_date AS VARCHAR) AS birth_date"),
    person("P04_ID_SEX_MISMATCH", "性别与身份证号码不符", "sex differs from the ID number",
           Family.PERSON, REJECT,
           f"{ID_OK} AND p.sex <> CASE WHEN {id_int(17, 1)} % 2 = 1 "
           "THEN '1' ELSE '2' END", "p.sex AS sex"),
    person("P05_RELATION_SEX", "与户主关系与性别不符", "relation to the head contradicts the sex",
           Family.PERSON, WARNING,
           "(p.relation IN ('03', '06', '07', '09', '11', '13', '15', '17') AND p.sex = '2') OR "
           "(p.relation IN ('04', '05', '08', '10', '12', '14', '16', '18') AND p.sex = '1')",
           "p.relation AS relation, p.sex AS sex"),
    household("P06_HEAD_SPOUSE_SAME_SEX", "户主与配偶性别相同", "head and spouse of the same sex", Family.PERSON, WARNING,
              "EXISTS (SELECT 1 FROM persons a JOIN persons b ON b.household_id = a.household_id AND b.relation = '02' "
              "AND b.sex = a.sex WHERE a.household_id = h.household_id AND a.relation = '01')"),
    household("P07_NO_HEAD", "无户主", "no head of household", Family.PERSON, REJECT,
              f"h.members > 0 AND {HEADS} = 0", "h.members AS members"),
    household("P08_SEVERAL_HEADS", "户主多于一人", "more than one head", Family.PERSON, REJECT,
              f"{HEADS} > 1", f"{HEADS} AS heads"),
    household("P09_SEVERAL_SPOUSES", "配偶多于一人", "more than one spouse of the head", Family.PERSON, WARNING,
              f"{SPOUSES} > 1", f"{SPOUSES} AS spouses"),
    household("P10_NO_MEMBERS", "户内无在册成员", "no active member", Family.PERSON, REJECT, "h.members = 0"),
    person("P11_CHILD_OLDER_THAN_PARENT", "子女与户主年龄差过小（子女年长于父母）",
           "child too close in age to the head (older than its parent)", Family.PERSON, WARNING,
           f"p.relation IN ('03', '04', '05', '06') AND {HEAD} - p.age < {{min_gap}}",
           f"p.age AS age, {HEAD} AS head_age", params=(GAP,)),
    person("P12_PARENT_YOUNGER", "父母与户主年龄差过小", "parent too close in age to the head", Family.PERSON, WARNING,
           f"p.relation IN ('11', '12', '13', '14', '15', '16') AND p.age - {HEAD} < {{min_gap}}",
           f"p.age AS age, {HEAD} AS head_age", params=(GAP,)),
    person("P13_GRANDCHILD_AGE", "孙辈与户主年龄差过小", "grandchild too close in age to the head", Family.PERSON, WARNING,
           f"p.relation IN ('07', '08', '09', '10') AND {HEAD} - p.age < {{min_gap}}",
           f"p.age AS age, {HEAD} AS head_age", params=(Param("min_gap", 30, "age", "最小年龄差（岁）"),)),
    person("P14_HEAD_MINOR", "户主未成年", "head of household under age", Family.PERSON, HINT,
           "p.relation = '01' AND p.age < {min_age}", "p.age AS age",
           params=(Param("min_age", 16, "age", "户主最低年龄"),), hint="事实无人抚养儿童户需注明。"),
    person("P15_SPOUSE_MINOR", "配偶未达婚龄", "spouse below marriageable age", Family.PERSON, WARNING,
           "p.relation = '02' AND p.age < {min_age}", "p.age AS age", params=(Param("min_age", 18, "age", "最低年龄"),)),
    person("P16_AGE_IMPLAUSIBLE", "年龄不合理", "implausible age", Family.PERSON, REJECT,
           "p.age < 0 OR p.age > {max_age}", "p.age AS age", params=(Param("max_age", 110, "age", "最高年龄"),)),
    # --- labour ability ------------------------------------------------------------------------------------
    person("L01_CHILD_LABOUR", "未成年人登记为劳动力", "child recorded as a labourer", Family.LABOUR, WARNING,
           f"p.age < {{min_age}} AND p.labour_skill IN {LABOUR}", "p.age AS age, p.labour_skill AS labour_skill",
           params=(Param("min_age", 16, "age", "劳动年龄下限"),)),
    person("L02_OLD_LABOUR", "高龄人员登记为普通或技能劳动力", "elderly person recorded as a full labourer",
           Family.LABOUR, HINT, f"p.age > {{max_age}} AND p.labour_skill IN {LABOUR}",
           "p.age AS age, p.labour_skill AS labour_skill", params=(Param("max_age", 70, "age", "劳动年龄上限"),)),
    person("L03_ILL_FULL_LABOUR", "患有大病仍登记为普通或技能劳动力", "seriously ill person recorded as a full labourer",
           Family.LABOUR, WARNING, f"p.health = '03' AND p.labour_skill IN {LABOUR}",
           "p.health AS health, p.labour_skill AS labour_skill"),
    person("L04_DISABLED_FULL_LABOUR", "一、二级残疾仍登记为普通或技能劳动力",
           "severely disabled person (grade 1–2) recorded as a full labourer", Family.LABOUR, WARNING,
           f"p.health = '04' AND p.disability_grade IN ('01', '02') AND p.labour_skill IN {LABOUR}",
           "p.disability_grade AS disability_grade, p.labour_skill AS labour_skill"),
    person("L05_NO_LABOUR_BUT_WORKING", "丧失或无劳动力但有务工时间", "no labour ability but months of work recorded",
           Family.LABOUR, WARNING, "p.labour_skill IN ('04', '05') AND (p.work_months > 0 OR p.welfare_job_months > 0)",
           "p.labour_skill AS labour_skill, p.work_months AS work_months, p.welfare_job_months AS welfare_job_months"),
    person("L06_PUPIL_LABOUR", "在校中小学生登记为劳动力", "pupil recorded as a labourer", Family.LABOUR, WARNING,
           f"p.schooling IN ('04', '05', '06') AND p.labour_skill IN {LABOUR}",
           "p.schooling AS schooling, p.labour_skill AS labour_skill"),
    person("L07_LABOUR_BLANK", "劳动年龄人口未填劳动技能", "working-age person without labour ability",
           Family.LABOUR, WARNING, "p.age BETWEEN {min_age} AND {max_age} AND p.labour_skill = ''", "p.age AS age",
           params=(Param("min_age", 16, "age", "下限"), Param("max_age", 60, "age", "上限"))),
    person("L08_MONTHS_OVER_YEAR", "务工或公益岗位月数超过12", "more than 12 months of work in a year",
           Family.LABOUR, REJECT, "p.work_months > 12 OR p.welfare_job_months > 12 OR p.work_months + "
           "p.welfare_job_months > 12", "p.work_months AS work_months, p.welfare_job_months AS welfare_job_months"),
    person("L09_WORK_PLACE_MONTHS", "务工地点与务工时间不一致", "place of work without months, or months without place",
           Family.LABOUR, HINT, "(p.work_location <> '' AND p.work_months = 0) OR (p.work_location = '' AND "
           "p.work_months > 0)", "p.work_location AS work_location, p.work_months AS work_months"),
    # --- schooling and education ---------------------------------------------------------------------------
    person("S01_COMPULSORY_OUT", "义务教育适龄儿童未在校", "child of compulsory-school age not in school",
           Family.SCHOOLING, REJECT, f"p.age BETWEEN {{min_age}} AND {{max_age}} AND p.schooling NOT IN {IN_SCHOOL}",
           "p.age AS age, p.schooling AS schooling",
           params=(Param("min_age", 6, "age", "下限"), Param("max_age", 15, "age", "上限")),
           hint="控辍保学：核实是否辍学、因病因残送教上门或随迁就读。"),
    person("S02_PRESCHOOL_AGE", "学龄前或学前教育与年龄不符", "pre-school status for a child too old",
           Family.SCHOOLING, WARNING, "p.schooling IN ('02', '03') AND p.age > {max_age}",
           "p.age AS age, p.schooling AS schooling", params=(Param("max_age", 7, "age", "上限"),)),
    person("S03_PRIMARY_AGE", "小学在读与年龄不符", "primary pupil of an implausible age", Family.SCHOOLING, WARNING,
           "p.schooling = '04' AND (p.age < {min_age} OR p.age > {max_age})", "p.age AS age",
           params=(Param("min_age", 5, "age", "下限"), Param("max_age", 15, "age", "上限"))),
    person("S04_JUNIOR_AGE", "初中（七至九年级）在读与年龄不符", "junior secondary pupil of an implausible age",
           Family.SCHOOLING, WARNING, "p.schooling = '05' AND (p.age < {min_age} OR p.age > {max_age})", "p.age AS age",
           params=(Param("min_age", 10, "age", "下限"), Param("max_age", 18, "age", "上限"))),
    person("S05_SENIOR_AGE", "高中或中职在读与年龄不符", "senior or vocational student of an implausible age",
           Family.SCHOOLING, WARNING, "p.schooling IN ('06', '07') AND (p.age < {min_age} OR p.age > {max_age})",
           "p.age AS age, p.schooling AS schooling",
           params=(Param("min_age", 13, "age", "下限"), Param("max_age", 22, "age", "上限"))),
    person("S06_COLLEGE_AGE", "大专及以上在读但年龄过小", "college student too young", Family.SCHOOLING, WARNING,
           "p.schooling IN ('08', '09', '10', '11') AND p.age < {min_age}", "p.age AS age, p.schooling AS schooling",
           params=(Param("min_age", 15, "age", "下限"),)),
    person("S07_EDUCATION_AGE", "文化程度与年龄不符", "education level too high for the age", Family.SCHOOLING, WARNING,
           "(p.education IN ('05', '06') AND p.age < 18) OR (p.education = '04' AND p.age < 15) OR "
           "(p.education = '03' AND p.age < 12)", "p.age AS age, p.education AS education"),
    person("S08_SCHOOLING_BLANK", "未成年人未填在校生状况", "minor without school status", Family.SCHOOLING, WARNING,
           "p.age < 18 AND p.schooling = ''", "p.age AS age"),
    person("S09_ADULT_EDUCATION_BLANK", "成年人未填文化程度", "adult without education level", Family.SCHOOLING, HINT,
           "p.age >= 18 AND p.education = ''", "p.age AS age"),
    # --- completeness, insurance, living conditions --------------------------------------------------------
    person("C01_NO_MEDICAL_INSURANCE", "未参加基本医疗保险", "no basic medical insurance", Family.COMPLETENESS, WARNING,
           "NOT p.has_medical_insurance", hint="三保障：资助参保。"),
    person("C02_SERIOUS_WITHOUT_BASIC", "参加大病保险但无基本医疗保险", "serious-illness insurance without basic insurance",
           Family.COMPLETENESS, WARNING, "p.has_serious_illness_insurance AND NOT p.has_medical_insurance"),
    person("C03_NO_PENSION", "达到领取年龄未参加养老保险", "of pension age without pension insurance",
           Family.COMPLETENESS, HINT, "p.age >= {min_age} AND NOT p.has_pension_insurance", "p.age AS age",
           params=(Param("min_age", 60, "age", "年龄"),)),
    person("C04_HEALTH_BLANK", "未填健康状况", "health not recorded", Family.COMPLETENESS, WARNING, "p.health = ''"),
    person("C05_DISABILITY_DETAIL", "残疾人员未填残疾类别或等级", "disabled person without category or grade",
           Family.COMPLETENESS, WARNING, "p.health = '04' AND (p.disability_category = '' OR p.disability_grade = '')",
           "p.disability_category AS category, p.disability_grade AS grade"),
    person("C06_DISABILITY_NOT_DISABLED", "非残疾人员填有残疾类别或等级", "disability category or grade for a non-disabled person",
           Family.COMPLETENESS, WARNING,
           "p.health <> '04' AND (p.disability_category <> '' OR p.disability_grade <> '')",
           "p.health AS health, p.disability_category AS category, p.disability_grade AS grade"),
    household("C07_HOUSING_NOT_ASSESSED", "住房安全等级未鉴定", "housing safety not assessed", Family.COMPLETENESS,
              WARNING, "h.housing_safety = ''"),
    household("C08_EXITED_HOUSING_UNSAFE", "已脱贫户住房为危房", "exited household in dangerous housing",
              Family.COMPLETENESS, REJECT, "h.housing_safety IN ('C', 'D')", "h.housing_safety AS housing_safety",
              statuses=EXITED),
    household("C09_EXITED_WATER_UNSAFE", "已脱贫户饮水不安全", "exited household without safe water",
              Family.COMPLETENESS, REJECT, "(NOT h.water_safe OR h.water_difficult)",
              "h.water_safe AS water_safe, h.water_difficult AS water_difficult", statuses=EXITED),
    household("C10_NO_LIVING_POWER", "未通生活用电", "no household electricity", Family.COMPLETENESS, WARNING,
              "NOT h.has_living_power"),
    # Not collected (未采集, NULL; issue 14 item 6): an empty cell is no longer taken for "yes"
    household("C15_LIVING_NOT_COLLECTED", "饮水或生活用电未采集", "drinking water or electricity not collected",
              Family.COMPLETENESS, WARNING,
              "(h.water_safe IS NULL OR h.water_difficult IS NULL OR h.has_living_power IS NULL)",
              "h.water_safe AS water_safe, h.water_difficult AS water_difficult, "
              "h.has_living_power AS has_living_power", hint="入户核实饮水安全和生活用电并录入。"),
    person("C16_MEDICAL_NOT_COLLECTED", "基本医疗保险参保情况未采集", "basic medical insurance not collected",
           Family.COMPLETENESS, WARNING, "p.has_medical_insurance IS NULL", "p.has_medical_insurance AS has_medical_insurance",
           hint="核实参保情况并录入（三保障）。"),
    household("C11_PHONE_FORMAT", "联系电话格式错误", "phone number malformed", Family.COMPLETENESS, WARNING,
              "h.phone <> '' AND NOT ((length(h.phone) = 11 AND substr(h.phone, 1, 1) = '1' AND "
              + DIGITS.format("h.phone") + ") OR (substr(h.phone, 1, 1) = '0' AND length(replace(h.phone, '-', '')) "
              "BETWEEN 10 AND 12 AND " + DIGITS.format("replace(h.phone, '-', '')") + "))",
              "length(h.phone) AS length"),
    household("C12_PHONE_MISSING", "未填联系电话", "no phone number", Family.COMPLETENESS, HINT, "h.phone = ''"),
    household("C13_PHONE_SHARED", "同一联系电话登记在多户", "one phone number shared by several households",
              Family.COMPLETENESS, WARNING,
              "h.phone <> '' AND (SELECT COUNT(*) FROM households o WHERE o.phone = h.phone) > {max_households}",
              "(SELECT COUNT(*) FROM households o WHERE o.phone = h.phone) AS households",
              params=(Param("max_households", 2, "number", "允许共用户数"),),
              hint="帮扶干部或村干部电话代填的，应改为户内成员电话。"),
    household("C14_HOUSING_AREA_ZERO", "住房面积为零", "housing area zero or not collected", Family.COMPLETENESS, HINT,
              "h.housing_area <= 0"),
    # --- income --------------------------------------------------------------------------------------------
    household("I01_NO_INCOME", "无收入记录", "no yearly income recorded", Family.INCOME, REJECT,
              "h.latest_income_year IS NULL"),
    household("I02_INCOME_TOO_LOW", "人均纯收入过低（不合理）", "per-capita income implausibly low", Family.INCOME, WARNING,
              "h.latest_per_capita IS NOT NULL AND h.latest_per_capita < {min_per_capita}",
              "h.latest_income_year AS year, h.latest_per_capita AS per_capita",
              params=(Param("min_per_capita", 1000, "money", "人均纯收入下限（元）"),)),
    QualityRule("I03_POOR_INCOME_HIGH", "在册贫困户人均纯收入远高于扶贫标准", "poor household with income far above the line",
                Family.INCOME, Subject.HOUSEHOLD, WARNING,
                f"""SELECT i.household_id AS record_id, i.household_id, i.region_code, i.year, i.net_total / i.household_size
                       AS per_capita, l.amount AS line
                   FROM {{incomes}} i JOIN lines l ON {LINE_MATCH}
                   WHERE i.is_latest AND i.net_total / i.household_size > l.amount * {{factor}}""",
                params=(Param("factor", 2, "number", "倍数"),), statuses=POOR, needs_lines="poverty",
                hint="纳入时收入不合理须说明理由。"),
    QualityRule("I04_EXITED_BELOW_LINE", "已脱贫户人均纯收入低于当年标准", "exited household below the line of its year",
                Family.INCOME, Subject.HOUSEHOLD, REJECT,
                f"""SELECT i.household_id AS record_id, i.household_id, i.region_code, i.year, i.net_total / i.household_size
                       AS per_capita, l.amount AS line
                   FROM {{incomes}} i JOIN lines l ON {LINE_MATCH}
                   WHERE i.is_latest AND i.net_total / i.household_size <= l.amount""",
                statuses=("exited",), needs_lines="poverty"),
    QualityRule("I05_SIZE_VS_MEMBERS", "收入年度家庭人口数与在册成员数不符", "household size of the income year differs from members",
                Family.INCOME, Subject.HOUSEHOLD, WARNING,
                """SELECT i.household_id AS record_id, i.household_id, i.region_code, i.year, i.household_size, h.members
                   FROM {incomes} i JOIN households h ON h.household_id = i.household_id
                   WHERE i.is_latest AND abs(i.household_size - h.members) > {max_difference}""",
                params=(Param("max_difference", 0, "number", "允许差额"),)),
    QualityRule("I06_INDUSTRY_NO_BUSINESS", "有产业帮扶但无生产经营性收入", "industry support but no business income",
                Family.INCOME, Subject.HOUSEHOLD, WARNING,
                """SELECT i.household_id AS record_id, i.household_id, i.region_code, i.year FROM {incomes} i
                   WHERE i.is_latest AND i.business <= 0 AND EXISTS (SELECT 1 FROM measures x WHERE
                   x.household_id = i.household_id AND x.type = '01' AND EXTRACT(YEAR FROM x.start_date) <= i.year)"""),
    QualityRule("I07_WELFARE_JOB_NO_WAGE", "有公益岗位但无公益岗位工资收入", "public-welfare job but no wage from it",
                Family.INCOME, Subject.HOUSEHOLD, WARNING,
                """SELECT i.household_id AS record_id, i.household_id, i.region_code, i.year FROM {incomes} i
                   WHERE i.is_latest AND i.wage_welfare_job <= 0 AND (EXISTS (SELECT 1 FROM measures x WHERE
                   x.household_id = i.household_id AND x.type = '03' AND EXTRACT(YEAR FROM x.start_date) <= i.year)
                   OR EXISTS (SELECT 1 FROM persons m WHERE m.household_id = i.household_id AND m.welfare_job_months > 0))"""),
    QualityRule("I08_DIBAO_NO_TRANSFER", "享受低保但无低保金收入", "receives 低保 but no 低保 income",
                Family.INCOME, Subject.HOUSEHOLD, WARNING,
                """SELECT i.household_id AS record_id, i.household_id, i.region_code, i.year FROM {incomes} i
                   WHERE i.is_latest AND i.transfer_dibao <= 0 AND EXISTS (SELECT 1 FROM persons m
                   WHERE m.household_id = i.household_id AND m.receives_dibao)"""),
    QualityRule("I09_TEKUN_NO_TRANSFER", "享受特困供养但无特困供养金收入", "receives 特困 support but no such income",
                Family.INCOME, Subject.HOUSEHOLD, WARNING,
                """SELECT i.household_id AS record_id, i.household_id, i.region_code, i.year FROM {incomes} i
                   WHERE i.is_latest AND i.transfer_tekun <= 0 AND EXISTS (SELECT 1 FROM persons m
                   WHERE m.household_id = i.household_id AND m.receives_tekun)"""),
    QualityRule("I10_DIBAO_TRANSFER_NO_RECIPIENT", "有低保金收入但无成员享受低保", "低保 income but nobody receives 低保",
                Family.INCOME, Subject.HOUSEHOLD, WARNING,
                """SELECT i.household_id AS record_id, i.household_id, i.region_code, i.year, i.transfer_dibao
                   FROM {incomes} i WHERE i.is_latest AND i.transfer_dibao > 0 AND NOT EXISTS (SELECT 1 FROM persons m
                   WHERE m.household_id = i.household_id AND m.receives_dibao)"""),
    QualityRule("I11_WAGE_NO_WORKER", "有工资性收入但无务工成员", "wages but no member working",
                Family.INCOME, Subject.HOUSEHOLD, HINT,
                """SELECT i.household_id AS record_id, i.household_id, i.region_code, i.year, i.wage_other
                   FROM {incomes} i WHERE i.is_latest AND i.wage_other > {min_wage} AND NOT EXISTS (SELECT 1 FROM
                   persons m WHERE m.household_id = i.household_id AND m.work_months > 0)""",
                params=(Param("min_wage", 5000, "money", "工资收入阈值（元）"),)),
    QualityRule("I12_WORKER_NO_WAGE", "有成员务工半年以上但无工资性收入", "a member worked half a year but no wages",
                Family.INCOME, Subject.HOUSEHOLD, WARNING,
                """SELECT i.household_id AS record_id, i.household_id, i.region_code, i.year FROM {incomes} i
                   WHERE i.is_latest AND i.wage_other <= 0 AND EXISTS (SELECT 1 FROM persons m
                   WHERE m.household_id = i.household_id AND m.work_months >= {min_months})""",
                params=(Param("min_months", 6, "months", "务工月数"),)),
    QualityRule("I13_NEGATIVE_NET", "纯收入为负", "negative net income", Family.INCOME, Subject.HOUSEHOLD, WARNING,
                """SELECT i.household_id AS record_id, i.household_id, i.region_code, i.year, i.net_total
                   FROM {incomes} i WHERE i.is_latest AND i.net_total < 0"""),
    QualityRule("I14_PENSION_NO_ELDERLY", "有养老金收入但无达龄参保成员", "pension income but no insured member of pension age",
                Family.INCOME, Subject.HOUSEHOLD, HINT,
                """SELECT i.household_id AS record_id, i.household_id, i.region_code, i.year, i.transfer_pension
                   FROM {incomes} i WHERE i.is_latest AND i.transfer_pension > 0 AND NOT EXISTS (SELECT 1 FROM persons m
                   WHERE m.household_id = i.household_id AND m.age >= {min_age})""",
                params=(Param("min_age", 60, "age", "领取年龄"),)),
    # --- monitoring objects --------------------------------------------------------------------------------
    monitoring("M01_ILLNESS_NOBODY_ILL", "因病风险但无患病成员", "illness risk but nobody ill", WARNING,
               f"r.ended_on IS NULL AND {has_risk('01')} AND NOT EXISTS (SELECT 1 FROM persons m WHERE "
               "m.household_id = r.household_id AND m.health IN ('02', '03'))"),
    monitoring("M02_DISABILITY_NOBODY_DISABLED", "因残风险但无残疾成员", "disability risk but nobody disabled", WARNING,
               f"r.ended_on IS NULL AND {has_risk('03')} AND NOT EXISTS (SELECT 1 FROM persons m WHERE "
               "m.household_id = r.household_id AND m.health = '04')"),
    monitoring("M03_LABOUR_LACK_WITH_LABOURERS", "缺劳动力风险但有多名劳动力", "lack of labour but several labourers",
               WARNING, f"r.ended_on IS NULL AND {has_risk('08')} AND (SELECT COUNT(*) FROM persons m WHERE "
               f"m.household_id = r.household_id AND m.labour_skill IN {LABOUR}) >= {{min_labourers}}",
               params=(Param("min_labourers", 2, "number", "劳动力人数"),)),
    monitoring("M04_SCHOOL_RISK_NO_STUDENT", "因学风险但无在校生", "schooling risk but nobody in school", WARNING,
               f"r.ended_on IS NULL AND {has_risk('02')} AND NOT EXISTS (SELECT 1 FROM persons m WHERE "
               f"m.household_id = r.household_id AND m.schooling IN {IN_SCHOOL})"),
    monitoring("M05_ILLNESS_NO_HEALTH_MEASURE", "因病风险未落实健康帮扶", "illness risk without a health measure", WARNING,
               f"r.ended_on IS NULL AND {has_risk('01')} AND NOT {measures_of('r', HEALTH, 'r.started_on')}"),
    monitoring("M06_SCHOOL_NO_EDUCATION_MEASURE", "因学风险未落实教育帮扶", "schooling risk without an education measure",
               WARNING, f"r.ended_on IS NULL AND {has_risk('02')} AND NOT {measures_of('r', EDUCATION, 'r.started_on')}"),
    monitoring("M07_HOUSING_NO_HOUSING_MEASURE", "住房安全风险未落实住房保障", "housing risk without a housing measure",
               WARNING, f"r.ended_on IS NULL AND {has_risk('09')} AND NOT {measures_of('r', HOUSING, 'r.started_on')}"),
    monitoring("M08_WATER_NO_WATER_MEASURE", "饮水安全风险未落实饮水保障", "water risk without a water measure", WARNING,
               f"r.ended_on IS NULL AND {has_risk('10')} AND NOT {measures_of('r', WATER, 'r.started_on')}"),
    monitoring("M09_JOB_NO_EMPLOYMENT_MEASURE", "务工就业不稳风险未落实就业帮扶", "unstable-work risk without an employment measure",
               WARNING, f"r.ended_on IS NULL AND {has_risk('07')} AND NOT "
               f"{measures_of('r', EMPLOYMENT, 'r.started_on')}"),
    monitoring("M10_NO_MEASURE", "监测对象无帮扶措施", "monitoring object without any measure", REJECT,
               "r.ended_on IS NULL AND r.months >= {min_months} AND NOT EXISTS (SELECT 1 FROM measures x WHERE "
               "x.household_id = r.household_id AND (x.end_date IS NULL OR x.end_date >= r.started_on))",
               "r.months AS months", params=(Param("min_months", 1, "months", "纳入后月数"),)),
    monitoring("M11_HOUSING_UNSAFE_NO_RISK", "住房不安全但未标注住房安全风险", "unsafe housing without a housing risk",
               WARNING, f"r.ended_on IS NULL AND h.housing_safety IN ('C', 'D') AND NOT {has_risk('09')}",
               "h.housing_safety AS housing_safety"),
    monitoring("M12_WATER_UNSAFE_NO_RISK", "饮水不安全但未标注饮水安全风险", "unsafe water without a water risk", WARNING,
               f"r.ended_on IS NULL AND (NOT h.water_safe OR h.water_difficult) AND NOT {has_risk('10')}"),
    monitoring("M13_DROPOUT_NO_RISK", "有失学儿童但未标注因学风险", "child out of school without a schooling risk", WARNING,
               f"r.ended_on IS NULL AND NOT {has_risk('02')} AND EXISTS (SELECT 1 FROM persons m WHERE "
               f"m.household_id = r.household_id AND m.age BETWEEN 6 AND 15 AND m.schooling NOT IN {IN_SCHOOL})"),
    monitoring("M14_UNINSURED_NO_RISK", "有成员未参加医保但未标注因病风险", "uninsured member without an illness risk", HINT,
               f"r.ended_on IS NULL AND NOT {has_risk('01')} AND EXISTS (SELECT 1 FROM persons m WHERE "
               "m.household_id = r.household_id AND NOT m.has_medical_insurance)"),
    household("M15_MONITORED_NO_RECORD", "监测户无在监测记录", "monitored household without an open monitoring record",
              Family.MONITORING, REJECT, "NOT EXISTS (SELECT 1 FROM monitoring r WHERE r.household_id = h.household_id "
              "AND r.ended_on IS NULL)", statuses=MONITORED),
    monitoring("M16_RECORD_OPEN_NOT_MONITORED", "有在监测记录但户状态不是监测对象", "open monitoring record but status not monitored",
               REJECT, "r.ended_on IS NULL AND h.status <> 'monitored'", "h.status AS status"),
    monitoring("M17_ASSISTED_ELIMINATION_NO_MEASURE", "帮扶消除但无帮扶措施", "eliminated through assistance without measures",
               REJECT, "r.ended_on IS NOT NULL AND r.elimination_method = '01' AND NOT EXISTS (SELECT 1 FROM measures x "
               "WHERE x.household_id = r.household_id AND x.start_date <= r.ended_on AND "
               "(x.end_date IS NULL OR x.end_date >= r.started_on))"),
    monitoring("M18_ELIMINATED_TOO_SOON", "风险消除时监测期不足", "risk eliminated before the minimum monitoring period",
               WARNING, "r.ended_on IS NOT NULL AND r.elimination_method <> '' AND r.months < {min_months}",
               "r.months AS months", params=(Param("min_months", 6, "months", "最短监测月数"),)),
    monitoring("M19_RISK_COUNT", "风险类型数不在1至5项", "not one to five risks", REJECT,
               "r.risk_count < 1 OR r.risk_count > 5", "r.risk_count AS risks"),
    # --- benefits and measures -----------------------------------------------------------------------------
    household("B01_DIBAO_ATTRIBUTE_NO_RECIPIENT", "低保户属性但无成员享受低保", "低保 household attribute but nobody receives 低保",
              Family.BENEFITS, WARNING, f"h.attribute IN ('02', '06') AND {members('m.receives_dibao')} = 0",
              "h.attribute AS attribute"),
    household("B02_TEKUN_ATTRIBUTE_NO_RECIPIENT", "特困供养户属性但无成员享受特困供养",
              "特困 household attribute but nobody receives 特困 support", Family.BENEFITS, WARNING,
              f"h.attribute IN ('03', '04', '07') AND {members('m.receives_tekun')} = 0", "h.attribute AS attribute"),
    household("B03_DIBAO_GENERAL_ATTRIBUTE", "有成员享受低保但户属性为一般户", "a member receives 低保 but the household is 一般",
              Family.BENEFITS, HINT, f"h.attribute IN ('01', '05') AND {members('m.receives_dibao')} > 0",
              "h.attribute AS attribute"),
    person("B04_DIBAO_AND_TEKUN", "同一人同时享受低保和特困供养", "one person receives both 低保 and 特困 support",
           Family.BENEFITS, REJECT, "p.receives_dibao AND p.receives_tekun"),
    person("B05_TEKUN_WITH_LABOUR", "特困供养人员登记为劳动力", "特困 recipient recorded as a labourer", Family.BENEFITS,
           WARNING, f"p.receives_tekun AND p.labour_skill IN {LABOUR} AND p.age BETWEEN 16 AND 59",
           "p.labour_skill AS labour_skill, p.age AS age"),
    household("B06_SAFETY_NET_MEASURE_NO_BENEFIT", "有综合保障措施但无成员享受低保或特困",
              "safety-net measure but nobody receives 低保 or 特困", Family.BENEFITS, WARNING,
              f"{measures_of('h', SAFETY_NET)} AND {members('(m.receives_dibao OR m.receives_tekun)')} = 0"),
    household("B07_BENEFIT_NO_MEASURE", "享受低保或特困但未记录综合保障措施", "低保 or 特困 without a safety-net measure",
              Family.BENEFITS, HINT, f"{members('(m.receives_dibao OR m.receives_tekun)')} > 0 AND NOT "
              f"{measures_of('h', SAFETY_NET)}"),
    household("B08_LABOUR_ONLY_SAFETY_NET", "有劳动力但仅有兜底保障措施", "labourers but only safety-net support",
              Family.BENEFITS, WARNING,
              f"{WORKING_AGE_LABOURERS} >= 1 AND {measures_of('h', SAFETY_NET)}"
              " AND NOT EXISTS (SELECT 1 FROM measures x WHERE x.household_id = h.household_id AND x.type <> '09')",
              f"{WORKING_AGE_LABOURERS} AS labourers",
              hint="有劳动能力的应落实开发式帮扶（产业、就业）。"),
    household("B09_POOR_NO_MEASURE", "贫困户无帮扶措施", "poor household without any measure", Family.BENEFITS, WARNING,
              "NOT EXISTS (SELECT 1 FROM measures x WHERE x.household_id = h.household_id)", statuses=POOR),
    QualityRule("B10_MEASURE_DATES", "帮扶措施结束日期早于开始日期", "measure ends before it starts", Family.BENEFITS,
                Subject.MEASURE, REJECT,
                """SELECT x.record_id, x.household_id, x.region_code, CAST(x.start_date AS VARCHAR) AS start_date,
                          CAST(x.end_date AS VARCHAR) AS end_date
                   FROM {measures} x WHERE x.end_date IS NOT NULL AND x.end_date < x.start_date"""),
    # --- villages ------------------------------------------------------------------------------------------
    QualityRule("V01_EXITED_VILLAGE_HIGH_INCIDENCE", "已退出贫困村仍有较多贫困户", "exited poor village with many poor households",
                Family.VILLAGE, Subject.VILLAGE, WARNING,
                """SELECT v.record_id, NULL AS household_id, v.region_code, v.poor_exit_year,
                          SUM(CASE WHEN h.status IN ('poor', 'returned', 'newly_poor') THEN 1 ELSE 0 END) AS poor,
                          COUNT(*) AS registered
                   FROM {villages} v JOIN households h ON h.region_code = v.region_code
                   WHERE v.poor_exit_year IS NOT NULL
                   GROUP BY v.record_id, v.region_code, v.poor_exit_year
                   HAVING SUM(CASE WHEN h.status IN ('poor', 'returned', 'newly_poor') THEN 1 ELSE 0 END)
                          > COUNT(*) * {max_share}""",
                params=(Param("max_share", 0.03, "share", "贫困户占比上限"),)),
    QualityRule("V02_POOR_VILLAGE_NO_HOUSEHOLDS", "贫困村无建档立卡户", "poor village without registered households",
                Family.VILLAGE, Subject.VILLAGE, HINT,
                """SELECT v.record_id, NULL AS household_id, v.region_code FROM {villages} v
                   WHERE v.is_poor_village AND NOT EXISTS (SELECT 1 FROM households h WHERE h.region_code = v.region_code)"""),
    QualityRule("V04_EXITED_VILLAGE_NO_BASIC_DATA", "已退出贫困村基本情况为空", "exited poor village with empty basic counts",
                Family.VILLAGE, Subject.VILLAGE, WARNING,
                """SELECT v.record_id, NULL AS household_id, v.region_code, v.poor_exit_year, v.data_households,
                          v.data_persons FROM {villages} v
                   WHERE v.poor_exit_year IS NOT NULL AND (v.data_as_of IS NULL OR v.data_households = 0
                         OR v.data_persons = 0)""",
                hint="上传村基本情况（总户数、总人口等）。"),
    QualityRule("V05_UNSAFE_EXCEEDS_HOUSEHOLDS", "饮水不安全户与危房户合计超过总户数",
                "households without safe water plus those in dangerous housing exceed all households",
                Family.VILLAGE, Subject.VILLAGE, REJECT,
                """SELECT v.record_id, NULL AS household_id, v.region_code, v.data_households, v.unsafe_water_households,
                          v.dangerous_housing_households FROM {villages} v
                   WHERE v.data_as_of IS NOT NULL AND COALESCE(v.unsafe_water_households, 0)
                         + COALESCE(v.dangerous_housing_households, 0) > v.data_households"""),
    QualityRule("V06_EXITED_VILLAGE_NO_ROAD", "已退出贫困村未通硬化路", "exited poor village without a hardened road",
                Family.VILLAGE, Subject.VILLAGE, WARNING,
                """SELECT v.record_id, NULL AS household_id, v.region_code, v.poor_exit_year FROM {villages} v
                   WHERE v.poor_exit_year IS NOT NULL AND v.hardened_road = FALSE"""),
    QualityRule("V07_REGISTERED_EXCEED_VILLAGE", "建档立卡户数超过村总户数", "more registered households than the village has",
                Family.VILLAGE, Subject.VILLAGE, WARNING,
                """SELECT v.record_id, NULL AS household_id, v.region_code, v.data_households,
                          COUNT(*) AS registered
                   FROM {villages} v JOIN households h ON h.region_code = v.region_code
                   WHERE v.data_as_of IS NOT NULL
                   GROUP BY v.record_id, v.region_code, v.data_households
                   HAVING COUNT(*) > v.data_households"""),
    QualityRule("V03_EXITED_VILLAGE_NOT_POOR", "有退出年度但未标为贫困村", "exit year recorded for a village not flagged poor",
                Family.VILLAGE, Subject.VILLAGE, WARNING,
                """SELECT v.record_id, NULL AS household_id, v.region_code, v.poor_exit_year FROM {villages} v
                   WHERE v.poor_exit_year IS NOT NULL AND NOT v.is_poor_village"""),
)}
