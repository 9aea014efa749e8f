"""The warning rules (R5.1), each one SQL query over all households that returns the households at risk with
their evidence. The same SQL runs on SQLite and PostgreSQL; only the JSON constructor differs.

A query returns ``household_id, region_code, cadre_id, evidence, fingerprint``. The fingerprint is the
evidence as text: an alert that was dismissed or included stays so while the fingerprint is the same, and
is reopened when the data change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _l

from fupin.core import evidence as ev
from fupin.core.sql import analyze, json_object, on_commit_drop, years_before
from fupin.core.tree import subtree_bounds

H = "registry_household"
AT_RISK = ["exited", "non_poor"]  # households that may fall (back) into poverty and are not yet monitored


@dataclass(frozen=True)
class Ctx:
    """What a rule's SQL needs: the reference date, its thresholds, and the households it applies to."""

    as_of: dt.date
    params: dict[str, Any]
    include: str | None = None  # province code of a provincial setting
    exclude: tuple[str, ...] = ()  # provinces with their own setting (for the national one)
    source: dict[str, Any] = field(default_factory=dict)  # what the rule's ``prepare`` loaded (batch, year)

    @property
    def json(self) -> str:
        return json_object()

    def date(self, d: dt.date) -> Any:
        return connection.ops.adapt_datefield_value(d)

    def where(self, statuses: list[str]) -> tuple[str, list[Any]]:
        """The households a rule looks at: by status and by the setting's province."""
        sql = [f"h.status IN ({', '.join(['%s'] * len(statuses))})"]
        params: list[Any] = list(statuses)
        if self.include:
            sql.append("h.village_id BETWEEN %s AND %s")
            params += subtree_bounds(self.include)
        for p in self.exclude:
            sql.append("NOT (h.village_id BETWEEN %s AND %s)")
            params += subtree_bounds(p)
        return " AND ".join(sql), params


def _text(expr: str) -> str:
    return f"COALESCE(CAST({expr} AS TEXT), '')"


def _money(expr: str) -> str:
    return f"CAST({expr} AS NUMERIC(14, 2))"


SELECT = "SELECT h.id AS household_id, h.village_id AS region_code, h.cadre_id AS cadre_id"


LAST_NATIONAL_LINE_YEAR = 2020  # the national poverty line to 2020, the provinces' monitoring lines after it (#14 item 7)


def income_below_line(c: Ctx) -> tuple[str, list[Any]]:
    """The line of the income year: the province's monitoring line of that year; without one, up to 2020 only, the
    national poverty line × factor (the 2020 monitoring mechanism's floor: 1.5 ×). After 2020 there is no silent
    fallback: a household whose year has no monitoring line of its province is not compared with another line —
    ``missing_lines`` (the rule's ``prepare``) reports it in the run's summary and on the warning queue."""
    where, params = c.where(c.params.get("statuses", AT_RISK))
    line = f"COALESCE(m.amount, CASE WHEN h.latest_income_year <= {LAST_NATIONAL_LINE_YEAR} THEN n.amount * %s END)"
    sql = f"""{SELECT},
        {c.json}('year', h.latest_income_year, 'per_capita', h.latest_per_capita, 'line', {_money(line)},
                 'line_source', CASE WHEN m.amount IS NOT NULL THEN 'monitoring' ELSE 'national×factor' END) AS evidence,
        {_text('h.latest_income_year')} || '|' || {_text(_money('h.latest_per_capita'))} || '|'
            || {_text(_money(line))} AS fingerprint
        FROM {H} h
        LEFT JOIN lifecycle_povertyline m ON m.year = h.latest_income_year AND m.standard = 'monitoring'
            AND m.province = substr(h.village_id, 1, 2)
        LEFT JOIN lifecycle_povertyline n ON n.year = h.latest_income_year AND n.standard = 'national'
            AND n.province = ''
        WHERE {where} AND h.latest_per_capita IS NOT NULL AND {line} IS NOT NULL AND h.latest_per_capita < {line}"""
    factor = float(c.params.get("factor", 1.5))
    return sql, [factor, factor, *params, factor, factor]


def missing_lines(as_of: dt.date) -> dict[str, Any]:
    """The income years and provinces of households at risk that have no line (no national line for a year to 2020,
    no monitoring line of the province after it), with how many households were therefore not compared: an explicit
    report in the run's summary, never a silent fallback to another line."""
    statuses = ", ".join(f"'{s}'" for s in AT_RISK)
    sql = f"""SELECT h.latest_income_year, substr(h.village_id, 1, 2), COUNT(*) FROM {H} h
        WHERE h.status IN ({statuses}) AND h.latest_income_year IS NOT NULL AND h.latest_per_capita IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM lifecycle_povertyline l WHERE l.year = h.latest_income_year AND (
            (h.latest_income_year <= {LAST_NATIONAL_LINE_YEAR} AND l.standard = 'national' AND l.province = '') OR
            (l.standard = 'monitoring' AND l.province = substr(h.village_id, 1, 2))))
        GROUP BY h.latest_income_year, substr(h.village_id, 1, 2) ORDER BY 1, 2"""
    with connection.cursor() as cur:
        cur.execute(sql)
        rows = cur.fetchall()
    return {"missing_lines": [{"year": int(y), "province": p, "households": int(n)} for y, p, n in rows]}


def income_drop(c: Ctx) -> tuple[str, list[Any]]:
    where, params = c.where(c.params.get("statuses", AT_RISK))
    now, before = "(i1.net_total * 1.0 / i1.household_size)", "(i0.net_total * 1.0 / i0.household_size)"
    sql = f"""{SELECT},
        {c.json}('year', i1.year, 'per_capita', {_money(now)}, 'previous_year', i0.year,
                 'previous_per_capita', {_money(before)},
                 'drop_percent', {_money(f'100.0 * ({before} - {now}) / {before}')}) AS evidence,
        {_text('i1.year')} || '|' || {_text(_money(now))} || '|' || {_text(_money(before))} AS fingerprint
        FROM {H} h
        JOIN registry_income i1 ON i1.household_id = h.id AND i1.year = h.latest_income_year
        JOIN registry_income i0 ON i0.household_id = h.id AND i0.year = h.latest_income_year - 1
        WHERE {where} AND i0.net_total > 0 AND {now} < {before} * %s"""
    return sql, [*params, 1.0 - float(c.params.get("drop", 0.3))]


def housing(c: Ctx) -> tuple[str, list[Any]]:
    where, params = c.where(c.params.get("statuses", AT_RISK))
    sql = f"""{SELECT}, {c.json}('housing_safety', h.housing_safety) AS evidence, h.housing_safety AS fingerprint
        FROM {H} h WHERE {where} AND h.housing_safety IN ('C', 'D')"""
    return sql, params


def water(c: Ctx) -> tuple[str, list[Any]]:
    where, params = c.where(c.params.get("statuses", AT_RISK))
    sql = f"""{SELECT}, {c.json}('water_safe', h.water_safe, 'water_difficult', h.water_difficult) AS evidence,
        {_text('h.water_safe')} || '|' || {_text('h.water_difficult')} AS fingerprint
        FROM {H} h WHERE {where} AND (h.water_safe = %s OR h.water_difficult = %s)"""
    return sql, [*params, False, True]


def _member_rule(c: Ctx, condition: str, cond_params: list[Any]) -> tuple[str, list[Any]]:
    """Households with active members matching ``condition``; evidence: how many and their member ids."""
    where, params = c.where(c.params.get("statuses", AT_RISK))
    sql = f"""{SELECT}, {c.json}('members', x.n) AS evidence, {_text('x.n')} || '|' || {_text('x.ids')} AS fingerprint
        FROM {H} h JOIN (SELECT household_id, COUNT(*) AS n, MIN(id) * 1000003 + MAX(id) AS ids
                         FROM registry_member WHERE is_active = %s AND {condition} GROUP BY household_id) x
            ON x.household_id = h.id
        WHERE {where}"""
    return sql, [True, *cond_params, *params]


def insurance(c: Ctx) -> tuple[str, list[Any]]:
    return _member_rule(c, "has_medical_insurance = %s", [False])


def schooling(c: Ctx) -> tuple[str, list[Any]]:
    # aged 6 to 15 on the reference date and not in school (在校生状况 01)
    oldest, youngest = years_before(c.as_of, 16), years_before(c.as_of, 6)
    return _member_rule(c, "schooling = '01' AND birth_date > %s AND birth_date <= %s",
                        [c.date(oldest), c.date(youngest)])


def monitored_without_measures(c: Ctx) -> tuple[str, list[Any]]:
    where, params = c.where(c.params.get("statuses", ["monitored"]))
    included_before = c.as_of - dt.timedelta(days=int(c.params.get("grace_days", 30)))
    since = c.as_of - dt.timedelta(days=int(c.params.get("days", 90)))
    sql = f"""{SELECT}, {c.json}('included_on', r.started_on, 'no_measure_since', '{since.isoformat()}') AS evidence,
        {_text('r.id')} || '|' || {_text('r.started_on')} AS fingerprint
        FROM {H} h JOIN lifecycle_monitoringrecord r ON r.household_id = h.id AND r.ended_on IS NULL
        WHERE {where} AND r.started_on <= %s
          AND NOT EXISTS (SELECT 1 FROM lifecycle_measure m WHERE m.household_id = h.id
                          AND (m.end_date IS NULL OR m.end_date >= %s))"""
    return sql, [*params, c.date(included_before), c.date(since)]


def _reports(kind: str, c: Ctx) -> str:
    """Reports of one kind dated in the last ``days`` days up to the reference date, per household."""
    since = c.as_of - dt.timedelta(days=int(c.params.get("days", 90)))
    return f"""SELECT household_id, COUNT(*) AS n, MAX(id) AS last_id, MAX(occurred_on) AS last_on
        FROM {REPORTS} WHERE kind = '{kind}' AND occurred_on >= '{since.isoformat()}'
            AND occurred_on <= '{c.as_of.isoformat()}'
        GROUP BY household_id"""


def reported(kind: str) -> Callable[[Ctx], tuple[str, list[Any]]]:
    """A rule over the risk reports of one kind (disaster, accident, serious illness, other)."""

    def sql(c: Ctx) -> tuple[str, list[Any]]:
        where, params = c.where(c.params.get("statuses", AT_RISK))
        return f"""{SELECT}, {c.json}('kind', '{kind}', 'reports', r.n, 'latest_report', r.last_id,
                'latest_on', r.last_on, 'within_days', {int(c.params.get("days", 90))}) AS evidence,
            {_text('r.n')} || '|' || {_text('r.last_id')} AS fingerprint
            FROM {H} h JOIN ({_reports(kind, c)}) r ON r.household_id = h.id
            WHERE {where}""", params

    sql.__name__ = f"reported_{kind}"
    return sql


def job_loss(c: Ctx) -> tuple[str, list[Any]]:
    """Loss of work: a report of kind ``job_loss``, or the household's wage income (工资性收入: public-welfare
    jobs and other wages) fell to zero in its latest income year from at least ``min_wages`` the year before.
    The registry keeps members' months of work only as of now, not by year, so a drop of work months cannot
    be seen; the yearly wage income can."""
    where, params = c.where(c.params.get("statuses", AT_RISK))
    wages = "({i}.wage_other + {i}.wage_welfare_job)"
    now, before = wages.format(i="i1"), wages.format(i="i0")
    sql = f"""{SELECT}, {c.json}('reports', r.n, 'latest_report', r.last_id, 'latest_on', r.last_on,
            'wage_year', CASE WHEN {now} = 0 AND {before} >= %s THEN i1.year END,
            'wages', CASE WHEN {now} = 0 AND {before} >= %s THEN {_money(now)} END,
            'previous_wages', CASE WHEN {now} = 0 AND {before} >= %s THEN {_money(before)} END) AS evidence,
        {_text('r.n')} || '|' || {_text('r.last_id')} || '|'
            || CASE WHEN {now} = 0 AND {before} >= %s THEN {_text('i1.year')} || '|' || {_text(_money(before))}
                    ELSE '' END AS fingerprint
        FROM {H} h
        LEFT JOIN ({_reports('job_loss', c)}) r ON r.household_id = h.id
        LEFT JOIN registry_income i1 ON i1.household_id = h.id AND i1.year = h.latest_income_year
        LEFT JOIN registry_income i0 ON i0.household_id = h.id AND i0.year = h.latest_income_year - 1
        WHERE {where} AND (r.household_id IS NOT NULL OR ({now} = 0 AND {before} >= %s))"""
    minimum = float(c.params.get("min_wages", 1000))
    return sql, [minimum] * 4 + params + [minimum]


def medical_expense(c: Ctx) -> tuple[str, list[Any]]:
    """Out-of-pocket medical expenses of the household's active members in the batch's year, compared with the
    household's net income of that year (or of the latest year before it when that year is not recorded)."""
    where, params = c.where(c.params.get("statuses", AT_RISK))
    year, batch = int(c.source["year"]), int(c.source["batch"])
    ratio, amount = float(c.params.get("ratio", 0.5)), float(c.params.get("amount", 20000))
    percent = f"CASE WHEN i.net_total > 0 THEN {_money('100.0 * x.oop / i.net_total')} END"
    sql = f"""{SELECT}, {c.json}('year', x.year, 'out_of_pocket', {_money('x.oop')}, 'total_cost', {_money('x.cost')},
            'persons', x.persons, 'income_year', i.year, 'net_income', {_money('i.net_total')},
            'percent_of_income', {percent}, 'batch', {batch}) AS evidence,
        {_text('x.year')} || '|' || {_text(_money('x.oop'))} || '|' || {_text('i.year')} || '|'
            || {_text(_money('i.net_total'))} AS fingerprint
        FROM {H} h
        JOIN (SELECT m.household_id, MAX(t.year) AS year, SUM(t.oop) AS oop, SUM(t.cost) AS cost, COUNT(*) AS persons
              FROM {MEDICAL_TMP} t JOIN registry_member m ON m.id_number = t.id_number AND m.is_active
              WHERE t.year = {year} GROUP BY m.household_id) x ON x.household_id = h.id
        LEFT JOIN registry_income i ON i.household_id = h.id AND i.year = CASE
            WHEN h.latest_income_year <= x.year THEN h.latest_income_year  -- the usual case, no look-up
            ELSE (SELECT MAX(i2.year) FROM registry_income i2 WHERE i2.household_id = h.id AND i2.year <= x.year) END
        WHERE {where} AND x.oop > 0
          AND ((i.net_total IS NOT NULL AND x.oop > i.net_total * %s) OR (%s > 0 AND x.oop >= %s))"""
    return sql, [*params, ratio, amount, amount]


MEDICAL_TMP = "monitoring_medical_tmp"
REPORTS = "monitoring_riskreport"


def load_medical_expenses(as_of: dt.date) -> dict[str, Any] | str:
    """Load the latest accepted ``medical_expense`` batch of the department data (a Parquet file) into a
    temporary table of the rules' connection: one row per person of the batch's latest year up to the reference
    date, summed by DuckDB. Returns what was loaded, or why the rule cannot run."""
    from pathlib import Path

    import duckdb
    import polars as pl

    from fupin.core.bulk import copy_frame
    from fupin.exchange.services import latest_batches

    batch = latest_batches().get("medical_expense")
    if batch is None:
        return "no accepted medical_expense batch"
    path = Path(batch.path)
    if not path.is_file():
        return f"batch {batch.pk}: file {path} is missing"
    quoted = str(path).replace("'", "''")
    try:
        with duckdb.connect() as con:
            frame = pl.from_arrow(con.execute(f"""
                WITH x AS (SELECT * FROM read_parquet('{quoted}') WHERE year <= {as_of.year})
                SELECT id_number, year, CAST(SUM(out_of_pocket) AS DECIMAL(14, 2)) AS oop,
                       CAST(SUM(total_cost) AS DECIMAL(14, 2)) AS cost
                FROM x WHERE year = (SELECT MAX(year) FROM x) GROUP BY id_number, year""").fetch_arrow_table())
    except (duckdb.Error, OSError) as exc:  # an unreadable file skips this rule, not the whole run
        return f"batch {batch.pk}: cannot read {path.name}: {exc}"[:300]
    assert isinstance(frame, pl.DataFrame)
    temp = on_commit_drop()
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {MEDICAL_TMP}")
        cur.execute(f"CREATE TEMP TABLE {MEDICAL_TMP} (id_number VARCHAR(18) NOT NULL, year INTEGER NOT NULL, "
                    f"oop NUMERIC(14, 2) NOT NULL, cost NUMERIC(14, 2) NOT NULL) {temp}")
    if frame.height == 0:
        return f"batch {batch.pk}: no expenses up to {as_of.year}"
    copy_frame(MEDICAL_TMP, frame)
    with connection.cursor() as cur:
        cur.execute(f"CREATE INDEX {MEDICAL_TMP}_id ON {MEDICAL_TMP} (id_number)")
        analyze(cur, MEDICAL_TMP)
    return {"batch": batch.pk, "batch_as_of": batch.as_of.isoformat(), "year": int(frame["year"][0]),
            "persons": frame.height}


def drop_temporary() -> None:
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {MEDICAL_TMP}")


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str  # Chinese, shown in the UI
    explanation: str  # Chinese, what the rule looks for and why
    severity: str
    points: int
    risk: str  # monitoring_risk code proposed when the household is included
    sql: Callable[[Ctx], tuple[str, list[Any]]]
    params: dict[str, Any] = field(default_factory=dict)
    deadline_days: int = 15
    # Loads the rule's outside data once per run (returns what it loaded, or why the rule is skipped).
    prepare: Callable[[dt.date], dict[str, Any] | str] | None = None
    sudden: bool = False  # a sudden difficulty: the household is included as 突发严重困难户 (category 03)
    # How this rule's evidence keys read, beside EVIDENCE below and core.evidence.COMMON.
    evidence: dict[str, ev.Field] = field(default_factory=dict)

    @property
    def evidence_fields(self) -> dict[str, ev.Field]:
        return {**EVIDENCE, **self.evidence}


# The keys the rules write into an alert's evidence (labels, units, code lists; core.evidence renders them).
EVIDENCE: dict[str, ev.Field] = {
    "year": ev.Field(_l("Income year"), ev.YEAR),
    "per_capita": ev.money(_l("Net income per person")),
    "line": ev.money(_l("Monitoring line applied (per person and year)")),
    "line_source": ev.Field(_l("Where the line comes from"), choices={
        "monitoring": _l("the province's monitoring line of the year"),
        "national×factor": _l("the national poverty line times the monitoring factor")}),
    "previous_year": ev.Field(_l("Previous year"), ev.YEAR),
    "previous_per_capita": ev.money(_l("Net income per person the year before")),
    "drop_percent": ev.Field(_l("Drop"), ev.PERCENT),
    "housing_safety": ev.coded(_l("Housing safety"), "housing_safety"),
    "water_safe": ev.Field(_l("Safe drinking water"), ev.BOOL),
    "water_difficult": ev.Field(_l("Difficulty obtaining water"), ev.BOOL),
    "members": ev.count(_l("Members concerned"), _l("persons")),
    "included_on": ev.Field(_l("Included as monitoring object on"), ev.DATE),
    "no_measure_since": ev.Field(_l("No assistance measure since"), ev.DATE),
    "kind": ev.Field(_l("Kind of difficulty"), choices={
        "disaster": _l("natural disaster"), "accident": _l("accident"), "illness": _l("serious illness"),
        "job_loss": _l("loss of work"), "other": _l("other sudden difficulty")}),
    "reports": ev.count(_l("Risk reports"), _l("reports")),
    "latest_report": ev.Field(_l("Latest risk report (number)")),
    "latest_on": ev.Field(_l("Latest report on"), ev.DATE),
    "within_days": ev.count(_l("Reports counted within"), _l("days")),
    "wage_year": ev.Field(_l("Wage year"), ev.YEAR),
    "wages": ev.money(_l("Wage income")),
    "previous_wages": ev.money(_l("Wage income the year before")),
    "out_of_pocket": ev.money(_l("Medical costs paid out of pocket")),
    "total_cost": ev.money(_l("Total medical costs")),
    "persons": ev.count(_l("Persons with medical costs"), _l("persons")),
    "income_year": ev.Field(_l("Income year"), ev.YEAR),
    "net_income": ev.money(_l("Net income of the household")),
    "percent_of_income": ev.Field(_l("Share of the household's net income"), ev.PERCENT),
    "batch": ev.Field(_l("Department batch (number)")),
}


RULES: dict[str, RuleSpec] = {r.code: r for r in (
    RuleSpec("INCOME_BELOW_LINE", "人均纯收入低于监测线",
             "最近一年家庭人均纯收入低于当年本省监测收入标准（2020年及以前未设定时为国家扶贫标准 × 系数，默认 1.5 倍；"
             "2021年起必须有本省监测收入标准），存在返贫致贫风险。当年没有对应标准的户不作比较，并在运行结果和预警"
             "列表中列出缺少的标准。", "high", 40,
             "99", income_below_line, {"factor": 1.5, "statuses": AT_RISK}, prepare=missing_lines),
    RuleSpec("INCOME_DROP", "收入大幅下降",
             "最近一年人均纯收入比上一年下降超过阈值（默认 30%），可能因务工就业不稳或产业失败。", "medium", 25, "07",
             income_drop, {"drop": 0.3, "statuses": AT_RISK}),
    RuleSpec("HOUSING_UNSAFE", "住房安全无保障", "住房安全等级为 C 级或 D 级（危房），住房安全保障缺失。", "high", 30,
             "09", housing, {"statuses": AT_RISK}),
    RuleSpec("WATER_UNSAFE", "饮水安全无保障", "饮水不安全或饮水困难，饮水安全保障缺失。", "medium", 20, "10", water,
             {"statuses": AT_RISK}),
    RuleSpec("NO_MEDICAL_INSURANCE", "有成员未参加基本医疗保险",
             "家庭有在册成员未参加城乡居民或职工基本医疗保险，基本医疗保障缺失，因病致贫返贫风险高。", "medium", 20, "01",
             insurance, {"statuses": AT_RISK}),
    RuleSpec("CHILD_OUT_OF_SCHOOL", "义务教育阶段儿童失学辍学",
             "家庭有 6 至 15 周岁的成员不在校，义务教育保障缺失。", "high", 30, "02", schooling, {"statuses": AT_RISK}),
    RuleSpec("MONITORED_NO_MEASURE", "监测对象超期未落实帮扶措施",
             "已纳入监测的户超过期限（默认纳入 30 天后）仍没有近期（默认 90 天内）有效的帮扶措施。", "medium", 20, "99",
             monitored_without_measures, {"grace_days": 30, "days": 90, "statuses": ["monitored"]}),
    RuleSpec("MEDICAL_EXPENSE", "医疗费用个人负担过重",
             "医保部门最新一批“医疗费用个人负担”数据中，家庭在册成员该年度个人自付医疗费用合计超过家庭当年纯收入的"
             "一定比例（默认 50%；当年收入未登记时取此前最近一年），或超过绝对金额（默认 2 万元），存在因病致贫返贫风险。",
             "high", 35, "01", medical_expense, {"ratio": 0.5, "amount": 20000, "statuses": AT_RISK},
             prepare=load_medical_expenses, sudden=True),
    RuleSpec("REPORTED_DISASTER", "报告遭受自然灾害",
             "近期（默认 90 天内）有该户遭受自然灾害的风险报告（农户申报、干部走访或部门通报），可能因灾致贫返贫。",
             "high", 35, "04", reported("disaster"), {"days": 90, "statuses": AT_RISK}, sudden=True),
    RuleSpec("REPORTED_ACCIDENT", "报告发生意外事故",
             "近期（默认 90 天内）有该户成员发生意外事故的风险报告，可能因意外事故致贫返贫。",
             "high", 35, "05", reported("accident"), {"days": 90, "statuses": AT_RISK}, sudden=True),
    RuleSpec("REPORTED_ILLNESS", "报告成员患重大疾病",
             "近期（默认 90 天内）有该户成员患重大疾病的风险报告，可能因病致贫返贫。",
             "high", 35, "01", reported("illness"), {"days": 90, "statuses": AT_RISK}, sudden=True),
    RuleSpec("REPORTED_OTHER", "报告其他突发严重困难",
             "近期（默认 90 天内）有该户其他突发严重困难的风险报告。", "medium", 25, "99", reported("other"),
             {"days": 90, "statuses": AT_RISK}, sudden=True),
    RuleSpec("JOB_LOSS", "务工就业中断",
             "近期（默认 90 天内）有该户成员失去工作的风险报告；或最近一年家庭工资性收入为零，而上一年不少于阈值"
             "（默认 1000 元），因务工就业不稳存在返贫致贫风险。", "medium", 25, "07", job_loss,
             {"days": 90, "min_wages": 1000, "statuses": AT_RISK}),
)}
