"""Gates on lifecycle decisions (R13.1), like the exit gate: the policy conditions checked on one household at the
moment of the decision, each unmet condition listed in the refusal.

``elimination_problems`` — eliminating a monitoring object's risk (风险消除) needs: monitored long enough (the
parameter ``min_months`` of rule M18_ELIMINATED_TOO_SOON for the household's province and year, six months by
default); per-capita net income of the latest year above the monitoring income line of that year and province
(a year with no line is itself a problem, never a fallback); 三保障 and safe water (every member insured, no child
of compulsory-school age out of school, housing A/B, water safe and not difficult); and, when the method is
elimination through assistance (帮扶消除), measures recorded since the household was included.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from fupin.lifecycle.models import Measure, MonitoringRecord
from fupin.quality.catalogue import parameter_sets
from fupin.quality.rules import RULES
from fupin.registry.models import Household, Income, PovertyLine

ASSISTED = "01"  # risk_elimination: 帮扶消除
IN_SCHOOL = ("03", "04", "05", "06", "07", "08", "09", "10", "11")


def _months(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)


def min_months(household: Household, year: int) -> int:
    """The minimum monitoring period for the household's province and ``year`` (the rule's parameter)."""
    from fupin.quality.models import RuleParameter
    from fupin.quality.rules import RULES

    spec = RULES["M18_ELIMINATED_TOO_SOON"]
    province = household.village_id[:2]
    rows = [(p.province, p.year, p.values) for p in RuleParameter.objects.filter(rule_id=spec.code)]
    for s in parameter_sets(spec, rows, year):
        if province in s.provinces or (not s.provinces and province not in s.excluded):
            return int(s.values["min_months"])
    return int(spec.defaults["min_months"])


def elimination_problems(household: Household, *, method: str, as_of: dt.date | None = None) -> list[str]:
    """The unmet conditions for eliminating ``household``'s risk on ``as_of`` ("中文 / English" each); empty when
    the elimination may proceed."""
    as_of = as_of or timezone.localdate()
    problems: list[str] = []
    record = MonitoringRecord.objects.filter(household=household, ended_on__isnull=True).order_by("-id").first()
    if record is None:
        return ["该户没有在监测的风险 / the household has no open monitoring record"]
    needed, months = min_months(household, as_of.year), _months(record.started_on, as_of)
    if months < needed:
        problems.append(f"监测期 {months} 个月，不足 {needed} 个月 / monitored {months} months, fewer than {needed}")
    problems += _income_problems(household)
    members = list(household.members.filter(is_active=True))
    uninsured = [m for m in members if not m.has_medical_insurance]
    if uninsured:
        problems.append(f"{len(uninsured)} 名成员未参加基本医疗保险 / {len(uninsured)} members without basic medical "
                        "insurance")
    out_of_school = [m for m in members if 6 <= _age(m.birth_date, as_of) <= 15 and m.schooling not in IN_SCHOOL]
    if out_of_school:
        problems.append(f"{len(out_of_school)} 名义务教育适龄儿童未在校 / {len(out_of_school)} children of "
                        "compulsory-school age not in school")
    if household.housing_safety not in ("A", "B"):
        problems.append("住房不安全（C/D 级或未鉴定） / housing not safe (grade C/D or not assessed)")
    if not household.water_safe or household.water_difficult:
        problems.append("饮水不安全或饮水困难 / drinking water not safe or difficult to get")
    since = Q(end_date__isnull=True) | Q(end_date__gte=record.started_on)
    if method == ASSISTED and not Measure.objects.filter(since, household=household, start_date__lte=as_of).exists():
        problems.append("帮扶消除须有纳入监测以来的帮扶措施 / elimination through assistance needs measures recorded "
                        "since inclusion")
    return problems


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _income_problems(household: Household) -> list[str]:
    income = Income.objects.filter(household=household).order_by("-year").first()
    if income is None:
        return ["没有收入记录 / no yearly income recorded"]
    province = household.village_id[:2]
    line = PovertyLine.objects.filter(year=income.year, standard=PovertyLine.Standard.MONITORING,
                                      province=province).first()
    if line is None:
        return [f"{income.year} 年本省没有监测收入标准 / no monitoring income line for {income.year} in province "
                f"{province}"]
    per_capita: Decimal = income.per_capita
    if per_capita <= line.amount:
        return [f"{income.year} 年人均纯收入 {per_capita} 元未超过监测收入标准 {line.amount} 元 / per-capita net "
                f"income {per_capita} of {income.year} not above the monitoring line {line.amount}"]
    return []


INCLUSION_ABOVE_FACTOR = Decimal("1.5")  # an income above 1.5 × the line that applies is not a poor household's


def inclusion_doubts(household: Household, *, kind: str, year: int) -> list[str]:
    """Why the latest per-capita net income makes including ``household`` implausible (issue 14 item 3): below rule
    I02's lower bound, or above 1.5 × the line that applies (the national line for identification and new poverty,
    the province's monitoring line for a monitoring object; the latest line up to ``year``). No income recorded
    is no doubt here (completeness rules find it)."""
    income = Income.objects.filter(household=household, year__lte=year).order_by("-year").first()
    if income is None:
        return []
    per_capita: Decimal = income.per_capita
    doubts: list[str] = []
    low = Decimal(str(RULES["I02_INCOME_TOO_LOW"].defaults["min_per_capita"]))
    if per_capita < low:
        doubts.append(f"{income.year} 年人均纯收入 {per_capita} 元低于 {low} 元，不合理 / per-capita net income {per_capita} "
                      f"of {income.year} implausibly below {low}")
    if kind == "monitoring":
        lines = PovertyLine.objects.filter(standard=PovertyLine.Standard.MONITORING, province=household.village_id[:2])
    else:
        lines = PovertyLine.objects.filter(standard=PovertyLine.Standard.NATIONAL)
    line = lines.filter(year__lte=income.year).order_by("-year").first()
    if line is not None and per_capita > line.amount * INCLUSION_ABOVE_FACTOR:
        doubts.append(f"{income.year} 年人均纯收入 {per_capita} 元高于标准 {line.amount} 元的 {INCLUSION_ABOVE_FACTOR} 倍 / "
                      f"per-capita net income {per_capita} of {income.year} above {INCLUSION_ABOVE_FACTOR} × the "
                      f"line {line.amount}")
    return doubts
