"""A living demo of the lifecycle (演示数据，纯属虚构), up to today: ``fupin demo_lifecycle``.

What the registry's generator (``fupin demo``) does not make, written through the lifecycle services so that every
case is one the platform itself could have produced:

- yearly incomes after 2020 for the demo households that have none (grown from their last recorded year), so that
  the current badges, trends and elimination conditions are judged on recent data — only if absent, so that it
  does nothing once the generator writes those years itself;
- the monitoring income lines (监测收入标准) of each year since 2020 for the provinces of the demo households
  (demo values, marked as such in their note);
- monitoring objects (监测对象) included in 2021 … last year, some of their risks eliminated since;
- in the township of the demo users, cases of every procedure at every step: applied, reviewed, in a running public
  notice, in a notice whose seven days have ended (ready for the township audit), audited (ready for the county),
  approved and rejected — some of them overdue, one with an open objection.

Backdating (demo only): a case of last month cannot be made today through the services, which refuse a notice that
starts before today. ``on_day`` runs a service with the lifecycle clock (``services.common.today``, the same hook
the tests use) set to a past day, and ``_stamp`` then dates the steps it wrote (and the case's stage dates) to that
day. Nothing else uses either."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from fupin.core.models import User
from fupin.core.roles import Role
from fupin.core.services import ensure_role_groups
from fupin.core.tree import subtree_bounds
from fupin.lifecycle import evaluation, services
from fupin.lifecycle.models import OPEN_STAGES, Case, Kind, MonitoringRecord, Stage, Step
from fupin.lifecycle.services import common
from fupin.registry import idnumber
from fupin.registry import services as registry_services
from fupin.registry.models import INCOME_FIELDS, Household, Income, PovertyLine, Source

CLERK, TOWNSHIP, COUNTY = "demo_clerk", "demo_township", "demo_county"
# An actor for the village steps of cases outside the demo clerk's village (乡镇扶贫专干, a township-level clerk).
# It cannot log in: it only appears as the author of those steps.
TOWNSHIP_CLERK = "demo_township_clerk"

# Monitoring income lines (yuan per person per year) used by the demo: about the published provincial lines
# (防止返贫监测范围), the same for every demo province. Demo values, not a source.
MONITORING_LINES = {2020: 4500, 2021: 6000, 2022: 6500, 2023: 6900, 2024: 7200, 2025: 7500, 2026: 7800}
LINE_NOTE = "演示数值（参照各省公布的监测范围） / demo value"

# The steps a demo case reaches, in order; the target says where it stops.
TARGETS = ("applied", "reviewed", "notice_running", "notice_ended", "objection", "audited", "approved", "rejected")


class DemoCasesError(Exception):
    """A prerequisite of the demo is missing (the demo users, the demo households); nothing was written."""


@dataclass
class Result:
    incomes: int = 0
    lines: int = 0
    monitoring: int = 0
    cases: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


# --- the clock ------------------------------------------------------------------------------------------------


@contextmanager
def on_day(day: dt.date) -> Iterator[None]:
    """Run lifecycle services as if today were ``day`` (demo only; see the module's docstring)."""
    saved = common.today
    common.today = lambda: day  # type: ignore[assignment]
    try:
        yield
    finally:
        common.today = saved  # type: ignore[assignment]


def _stamp(case: Case, after_step: int, day: dt.date) -> None:
    """Date the steps written since ``after_step`` and the case's stage dates to ``day`` (10:00 local time)."""
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    Step.objects.filter(case=case, pk__gt=after_step).update(at=when)
    case.refresh_from_db()
    updates: dict[str, Any] = {"stage_since": when}
    if not case.steps.filter(pk__lte=after_step).exists():
        updates["opened_at"] = when
    if case.stage not in OPEN_STAGES:
        updates["closed_at"] = when
    Case.objects.filter(pk=case.pk).update(**updates)


def _last_step() -> int:
    return Step.objects.aggregate(m=Max("pk"))["m"] or 0


def _act(subject: Case | None, day: dt.date, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
    before = _last_step()
    with on_day(day):
        out = fn(**kwargs)
    target = out if isinstance(out, Case) else subject
    if target is None and hasattr(out, "cases"):
        target = out.cases.first()
    if target is not None:
        _stamp(target, before, day)
    return out


# --- incomes and lines ----------------------------------------------------------------------------------------


def last_complete_year(today: dt.date | None = None) -> int:
    return (today or timezone.localdate()).year - 1


def add_recent_incomes(until: int) -> int:
    """Incomes of every year after a demo household's last recorded one up to ``until``, grown 6–10 % a year
    from it (set-based, both dialects). Only years that are absent are written."""
    table, hh = Income._meta.db_table, Household._meta.db_table
    money = [*INCOME_FIELDS, "business_expense"]
    written = 0
    with connection.cursor() as cur:
        cur.execute(f"SELECT MAX(year) FROM {table}")
        first = (cur.fetchone() or [None])[0]
        if first is None:
            return 0
        for year in range(int(first) + 1, until + 1):
            # From the previous year's row of each demo household that has none for this year.
            grown = ", ".join(f"ROUND(i.{c} * (1.06 + (i.household_id % 5) * 0.01), 2)" for c in money)
            cur.execute(
                f"""INSERT INTO {table} (household_id, year, household_size, {", ".join(money)})
                    SELECT i.household_id, %s, i.household_size, {grown}
                    FROM {table} i JOIN {hh} h ON h.id = i.household_id
                    WHERE i.year = %s AND h.source = %s
                      AND NOT EXISTS (SELECT 1 FROM {table} j WHERE j.household_id = i.household_id AND j.year = %s)""",
                [year, year - 1, Source.DEMO, year],
            )
            written += max(int(cur.rowcount), 0)
    if written:
        registry_services.refresh_latest_income(Household.objects.filter(source=Source.DEMO))
    return written


def add_monitoring_lines(until: int, provinces: Iterable[str] | None = None) -> int:
    """The demo monitoring line of each of ``provinces`` (default: those with demo households) for 2020 to ``until``,
    where none is recorded. Returns the lines added."""
    if provinces is None:
        provinces = sorted({code[:2] for code in Household.objects.filter(source=Source.DEMO)
                            .values_list("village_id", flat=True).distinct()[:100000]})
    made = 0
    for province in provinces:
        for year in range(2020, until + 1):
            amount = MONITORING_LINES.get(year, MONITORING_LINES[max(MONITORING_LINES)])
            _line, created = PovertyLine.objects.get_or_create(
                year=year, standard=PovertyLine.Standard.MONITORING, province=province,
                defaults={"amount": Decimal(amount), "note": LINE_NOTE})
            made += created
    return made


# --- actors and households ------------------------------------------------------------------------------------


@dataclass
class Actors:
    clerk: Any
    township_clerk: Any
    township: Any
    county: Any

    def village_actor(self, household: Household) -> Any:
        return self.clerk if household.village_id == self.clerk.region_id else self.township_clerk


def actors() -> Actors:
    found = {u.username: u for u in User.objects.filter(username__in=[CLERK, TOWNSHIP, COUNTY])}
    missing = [n for n in (CLERK, TOWNSHIP, COUNTY) if n not in found]
    if missing:
        raise DemoCasesError(f"demo users missing ({', '.join(missing)}): run `fupin demo_users` first")
    township = found[TOWNSHIP]
    ensure_role_groups()
    staff, _created = User.objects.get_or_create(username=TOWNSHIP_CLERK)
    staff.organisation = "乡镇扶贫专干（演示）"
    staff.region = township.region
    staff.is_active = True
    staff.set_unusable_password()
    staff.save()
    staff.groups.set(Group.objects.filter(name=Role.CLERK.value))
    return Actors(found[CLERK], User.objects.get(pk=staff.pk), township, found[COUNTY])


class Pool:
    """The township's households by status, the clerk's village first, each handed out once."""

    def __init__(self, township: str, clerk_village: str) -> None:
        busy = Case.objects.filter(stage__in=OPEN_STAGES).values("household_id")
        qs = (Household.objects.filter(village__code__range=subtree_bounds(township)).exclude(pk__in=busy)
              .order_by("village_id", "pk"))
        self.by_status: dict[str, list[Household]] = {}
        for h in qs:
            self.by_status.setdefault(h.status, []).append(h)
        for rows in self.by_status.values():
            rows.sort(key=lambda h: (h.village_id != clerk_village, h.pk))

    def take(self, *statuses: str, clerk_first: bool = True, accept: Callable[[Household], bool] | None = None
             ) -> Household | None:
        for status in statuses:
            rows = self.by_status.get(status, [])
            order = rows if clerk_first else list(reversed(rows))
            for h in order:
                if accept is None or accept(h):
                    rows.remove(h)
                    return h
        return None


# --- the cases ------------------------------------------------------------------------------------------------

REASONS: dict[str, str] = {
    Kind.IDENTIFICATION: "因病致贫，户主申请纳入建档立卡",
    Kind.NEW_POVERTY: "突发重病，家庭收入骤降，申请认定为新致贫户",
    Kind.EXIT: "人均纯收入稳定超过标准，“两不愁三保障”已实现",
    Kind.RETURN: "家庭主要劳动力重病，收入低于标准",
    Kind.MONITORING: "收入大幅下降，存在返贫风险",
    Kind.ELIMINATION: "收入持续稳定，风险已消除",
    Kind.REMOVAL: "经核实该户家庭成员有财政供养人员，不符合识别标准",
}


def _walk(a: Actors, h: Household, kind: str, target: str, start: dt.date, *, year: int | None = None,
          **open_kwargs: Any) -> Case:
    """One case of ``kind`` on ``h`` from ``start`` to ``target``, each step on its day."""
    clerk = a.village_actor(h)
    case: Case = _act(None, start, services.open_case, actor=clerk, household=h, kind=kind, reason=REASONS[kind],
                      year=year, evidence="入户调查表、申请书", **open_kwargs)
    return _continue(a, case, target, start)


def _continue(a: Actors, case: Case, target: str, start: dt.date) -> Case:
    clerk = a.village_actor(case.household)
    if target == "applied":
        return case
    approve = target != "rejected"
    _act(case, start + dt.timedelta(days=2), services.review, actor=clerk, case=case, approve=True,
         reason="村民代表大会评议通过", evidence="民主评议会议纪要（到会 32 人，同意 30 人）")
    if target == "reviewed":
        return case
    notice_day = start + dt.timedelta(days=4)
    _act(case, notice_day, services.start_notice, actor=clerk, cases=[case])
    if target == "notice_running":
        return case
    if target == "objection":
        _act(case, notice_day + dt.timedelta(days=2), services.record_objection, actor=clerk, case=case,
             content="村民反映该户近期新购置车辆，请核实", objector="本村村民")
        return case
    if target == "notice_ended":
        return case
    audit_day = notice_day + dt.timedelta(days=common.NOTICE_DAYS + 1)
    _act(case, audit_day, services.township_audit, actor=a.township, case=case, approve=True,
         reason="公示无异议，材料齐全，审核通过", evidence="乡镇审核意见表")
    if target == "audited":
        return case
    _act(case, audit_day + dt.timedelta(days=3), services.county_approval, actor=a.county, case=case,
         approve=approve, reason="县扶贫开发领导小组审定" if approve else "经县级复核，收入超过标准，不予批准",
         evidence="县级审批意见")
    case.refresh_from_db()
    return case


def _passes_exit(a: Actors, year: int) -> Callable[[Household], bool]:
    """A poor household that meets the exit criteria of ``year``; one that fails only on income gets its wages of
    that year completed (recorded through the registry's service, as a clerk would after a visit), so that the demo
    has households to walk through the exit."""
    def accept(h: Household) -> bool:
        if h.identified_year >= year:
            return False
        try:
            result = evaluation.evaluate_one(h, year)
        except evaluation.NoPovertyLine:
            return False
        if result.passes:
            return True
        if result.unmet != ["fail_income"]:
            return False
        income = Income.objects.filter(household=h, year=year).first()
        if income is None:
            return False
        wanted = Decimal(result.line) * income.household_size * Decimal("1.15")
        components = {f: getattr(income, f) for f in (*INCOME_FIELDS, "business_expense")}
        components["wage_other"] = income.wage_other + max(wanted - Decimal(income.net_total), Decimal(0))
        components["household_size"] = income.household_size
        registry_services.set_income(actor=a.village_actor(h), household=h, year=year, components=components,
                                     reason=f"{year} 年务工收入补录（入户核实） / wages of {year} completed after a visit")
        return evaluation.evaluate_one(h, year).passes
    return accept


def _eliminable(method: str, as_of: dt.date) -> Callable[[Household], bool]:
    from fupin.lifecycle.gates import elimination_problems

    def accept(h: Household) -> bool:
        return MonitoringRecord.objects.filter(household=h, ended_on__isnull=True).exists() and not \
            elimination_problems(h, method=method, as_of=as_of)
    return accept


def _exit_year() -> int:
    """The last year with a national poverty line (exit is judged against it)."""
    return int(PovertyLine.objects.filter(standard=PovertyLine.Standard.NATIONAL).aggregate(m=Max("year"))["m"]
               or 2020)


# When each target's case started, in days before today: the notice of "notice_ended" ended six days ago (ready for
# the township), that of "notice_running" ends in four days; "applied" of 20 days and "audited" of 30 are overdue.
STARTS = {"notice_ended": (16, 22), "audited": (18, 40), "applied": (3, 20), "reviewed": (6,), "notice_running": (6,),
          "objection": (8,), "approved": (75,), "rejected": (60,)}


def make_cases(a: Actors, pool: Pool, today: dt.date, rng: random.Random, result: Result) -> None:
    exit_year = _exit_year()

    def apply_new(seq: int, kind: str, start: dt.date) -> Case:
        """A household not yet registered applies (its dossier made by ``register_applicant``)."""
        village = a.clerk.region_id
        birth = dt.date(1968 + seq % 20, 1 + seq % 12, 1 + seq % 27)
        head = {"name": rng.choice("李王张杨和普") + rng.choice("文春明秀国金") + rng.choice("华英福兰才芳"),
                "id_number": idnumber.make(idnumber.issuing_code(village[:6], birth.year), birth, 100 + seq % 800,
                                           "1" if seq % 2 else "2"),
                "relation": "01", "ethnicity": "20", "health": "01" if seq % 3 else "03"}
        taken = set(Household.objects.filter(village_id=village, number__startswith=f"{village}9")
                    .values_list("number", flat=True))
        n = 90001
        while f"{village}{n:05d}" in taken:
            n += 1
        case: Case = _act(None, start, services.register_applicant, actor=a.clerk, village_code=village,
                          number=f"{village}{n:05d}", kind=kind, reason=REASONS[kind], evidence="入户调查表、申请书",
                          data={"standard": "01", "attribute": "01", "main_cause": "01", "housing_safety": "C"},
                          members=[head], year=today.year)
        return case

    plans: list[tuple[str, tuple[str, ...], dict[str, Any]]] = [
        (Kind.IDENTIFICATION, (), {}),
        (Kind.NEW_POVERTY, (), {}),
        (Kind.EXIT, ("poor", "newly_poor", "returned"), {"year": exit_year}),
        (Kind.RETURN, ("exited",), {}),
        (Kind.MONITORING, ("exited",), {"category": "01", "risks": ["01", "07"]}),
        (Kind.ELIMINATION, ("monitored",), {"elimination_method": "02"}),
        (Kind.REMOVAL, ("exited", "poor"), {}),
    ]
    seq = 0
    for kind, statuses, kwargs in plans:
        made = 0
        for target, offsets in STARTS.items():
            for offset in offsets:
                start = today - dt.timedelta(days=offset)
                seq += 1
                if not statuses:
                    try:
                        with transaction.atomic():
                            _continue(a, apply_new(seq, kind, start), target, start)
                        made += 1
                    except (ValidationError, PermissionDenied) as exc:
                        result.skipped.append(f"{kind}:{target} ({exc})")
                    continue
                if kind == Kind.EXIT:
                    h = pool.take(*statuses, accept=_passes_exit(a, exit_year))
                elif kind == Kind.ELIMINATION:
                    h = pool.take(*statuses, accept=_eliminable("02", start))
                else:
                    h = pool.take(*statuses)
                if h is None:
                    result.skipped.append(f"{kind}:{target}")
                    continue
                try:
                    with transaction.atomic():
                        _walk(a, h, kind, target, start, **kwargs)
                    made += 1
                except (ValidationError, PermissionDenied) as exc:
                    result.skipped.append(f"{kind}:{target} ({exc})")
        result.cases[kind] = made


def make_monitoring_objects(a: Actors, pool: Pool, until: int, rng: random.Random, result: Result) -> None:
    """Monitoring objects included in each year since 2021 (approved monitoring cases dated in that year); a third
    of those of the earlier years had their risk eliminated the year after."""
    categories = (("01", ["01"]), ("01", ["07", "08"]), ("01", ["04"]), ("03", ["05", "01"]), ("01", ["02"]))
    eliminate: list[tuple[Household, int]] = []
    for year in range(common.MONITORING_FROM_YEAR + 1, until + 1):
        for i in range(5):
            h = pool.take("exited", clerk_first=False)
            if h is None:
                result.skipped.append(f"monitoring object {year}")
                break
            category, risks = categories[(year + i) % len(categories)]
            start = dt.date(year, 3 + 2 * i, 5 + rng.randrange(15))
            try:
                with transaction.atomic():
                    case = _walk(a, h, Kind.MONITORING, "approved", start, year=year, category=category, risks=risks)
                result.monitoring += 1
                if year < until - 1 and i % 3 == 0 and case.stage == Stage.APPROVED:
                    eliminate.append((h, year + 1))
            except (ValidationError, PermissionDenied) as exc:
                result.skipped.append(f"monitoring object {year} ({exc})")
    for h, year in eliminate:
        h.refresh_from_db()
        try:
            with transaction.atomic():
                _walk(a, h, Kind.ELIMINATION, "approved", dt.date(year, 9, 10), year=year, elimination_method="02")
        except (ValidationError, PermissionDenied) as exc:
            result.skipped.append(f"elimination {year} ({exc})")


def generate(*, seed: int = 21, today: dt.date | None = None) -> Result:
    """Everything above, for the demo users' township (see the module's docstring)."""
    today = today or timezone.localdate()
    result = Result()
    a = actors()
    until = last_complete_year(today)
    result.incomes = add_recent_incomes(until)
    result.lines = add_monitoring_lines(today.year)
    rng = random.Random(seed)
    make_monitoring_objects(a, Pool(a.township.region_id, a.clerk.region_id), until, rng, result)
    # a fresh pool: the monitoring objects just included are the candidates of the elimination cases
    make_cases(a, Pool(a.township.region_id, a.clerk.region_id), today, rng, result)
    return result


def has_demo_cases() -> bool:
    return Case.objects.filter(Q(opened_by__username__in=[CLERK, TOWNSHIP_CLERK])).exists()
