"""Reads of projects, funds and the action plan, every one scoped through ``core.scoping``. Sums are computed by
the database (GROUP BY over the allocation and disbursement tables), never by looping over rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    DateField,
    DecimalField,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Substr
from django.utils import timezone

from fupin.core.scoping import Scope, get_scoped_or_404, scope_of, scoped
from fupin.core.tree import ancestors, child_length, is_code
from fupin.projects.models import (
    Allocation,
    Beneficiary,
    Disbursement,
    FundLine,
    Meeting,
    Plan,
    Project,
    ProjectNotice,
    Stage,
    Task,
)
from fupin.targets.models import Target

ZERO = Decimal(0)
MONEY = DecimalField(max_digits=18, decimal_places=2)
AT_RISK_DAYS = 30  # a task due within this many days and less than AT_RISK_PROGRESS % done is at risk
AT_RISK_PROGRESS = 80
STALE_REPORT_DAYS = 90  # …and so is an open task without a progress report for this long
REVIEW_DAYS = 90  # an accepted project's performance review is late this many days after acceptance
OPEN_STAGES = (Stage.REGISTERED, Stage.APPROVED, Stage.NOTICE, Stage.IMPLEMENTING)


def today() -> dt.date:
    return timezone.localdate()


def idle_days() -> int:
    return int(getattr(settings, "FUPIN_PROJECT_IDLE_DAYS", 90))


# ---------------------------------------------------------------- fund lines

def fund_lines(user: Any, *, year: int | None = None) -> QuerySet[FundLine]:
    """Lines of the user's region and below (a nationwide user also sees the central lines), with what each holds
    and has allocated onwards."""
    qs = scoped(FundLine.objects.all(), user)  # the nation's scope includes the central lines (no region)
    if year:
        qs = qs.filter(year=year)
    received = (Allocation.objects.filter(to_line=OuterRef("pk")).order_by().values("to_line")
                .annotate(s=Sum("amount")).values("s"))
    out = (Allocation.objects.filter(source=OuterRef("pk")).order_by().values("source")
           .annotate(s=Sum("amount")).values("s"))
    return (qs.select_related("region", "parent")
            .annotate(received=Coalesce(Subquery(received, output_field=MONEY), Value(ZERO), output_field=MONEY),
                      allocated=Coalesce(Subquery(out, output_field=MONEY), Value(ZERO), output_field=MONEY))
            .annotate(held=F("own_amount") + F("received"), balance=F("own_amount") + F("received") - F("allocated")))


def fund_line(user: Any, pk: int) -> FundLine:
    return get_scoped_or_404(fund_lines(user), user, pk=pk)


def years(user: Any) -> list[int]:
    return sorted(set(fund_lines(user).values_list("year", flat=True)), reverse=True)


@dataclass
class Node:
    """A line or a project in the year's money tree, with what reached it and what it passed on."""

    kind: str  # "line" or "project"
    obj: Any
    amount: Decimal  # what the parent allocated to it (all the line holds for a root line)
    children: list[Node] = field(default_factory=list)

    @property
    def passed_on(self) -> Decimal:
        return sum((c.amount for c in self.children), ZERO)


def money_tree(user: Any, *, year: int) -> list[Node]:
    """The year's money from the highest lines the user sees down to the projects: two queries (lines, allocations),
    the tree assembled in memory. Every node's children sum to what it passed on; a line never passes on more than
    it holds (``services.allocate``)."""
    lines = {ln.pk: ln for ln in fund_lines(user, year=year)}
    allocations = list(scoped(Allocation.objects.filter(source__year=year), user)
                       .select_related("project", "project__region").order_by("source_id", "id"))
    children: dict[int, list[Allocation]] = {}
    received: set[int] = set()
    for a in allocations:
        children.setdefault(a.source_id, []).append(a)
        if a.to_line_id and a.source_id in lines:  # a line fed from above the user's region is a root
            received.add(a.to_line_id)

    def build(line: FundLine, amount: Decimal, depth: int) -> Node:
        node = Node("line", line, amount)
        if depth > 8:
            return node
        for a in children.get(line.pk, []):
            if a.to_line_id and a.to_line_id in lines:
                node.children.append(build(lines[a.to_line_id], a.amount, depth + 1))
            elif a.project_id:
                node.children.append(Node("project", a.project, a.amount))
        return node

    roots = [ln for pk, ln in lines.items() if pk not in received]
    ordered = sorted(roots, key=lambda ln: (ln.region_id or "", ln.code))
    return [build(ln, ln.held, 0) for ln in ordered]  # type: ignore[attr-defined]


# ---------------------------------------------------------------- projects

def projects(user: Any, *, year: int | None = None, stage: str = "", type: str = "", region: str = "",
             q: str = "") -> QuerySet[Project]:
    qs = scoped(Project.objects.select_related("region"), user)
    if year:
        qs = qs.filter(year=year)
    if stage in Stage.values:
        qs = qs.filter(stage=stage)
    if type:
        qs = qs.filter(type=type)
    if region and is_code(region):
        qs = qs.filter(Scope(region).q("region__code"))
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(lead_unit__icontains=q))
    return with_money(qs).order_by("-year", "code")


def with_money(qs: QuerySet[Project]) -> QuerySet[Project]:
    allocated = (Allocation.objects.filter(project=OuterRef("pk")).order_by().values("project")
                 .annotate(s=Sum("amount")).values("s"))
    spent = (Disbursement.objects.filter(project=OuterRef("pk")).order_by().values("project")
             .annotate(s=Sum("amount")).values("s"))
    last_paid = (Disbursement.objects.filter(project=OuterRef("pk")).order_by().values("project")
                 .annotate(m=Max("paid_on")).values("m"))
    last_allocated = (Allocation.objects.filter(project=OuterRef("pk")).order_by().values("project")
                      .annotate(m=Max("allocated_on")).values("m"))
    return qs.annotate(
        allocated=Coalesce(Subquery(allocated, output_field=MONEY), Value(ZERO), output_field=MONEY),
        spent=Coalesce(Subquery(spent, output_field=MONEY), Value(ZERO), output_field=MONEY),
        last_paid=Subquery(last_paid, output_field=DateField()),
        last_allocated=Subquery(last_allocated, output_field=DateField()),
    )


def project(user: Any, pk: int) -> Project:
    return get_scoped_or_404(with_money(Project.objects.select_related("region", "region__parent")), user, pk=pk)


def beneficiaries(user: Any, project: Project) -> QuerySet[Beneficiary]:
    return scoped(Beneficiary.objects.filter(project=project).select_related("household", "household__village"),
                  user).order_by("household__village_id", "household__number")


def projects_of_household(user: Any, household_id: int) -> QuerySet[Beneficiary]:
    """The projects that reached a household (the dossier's 项目 section), whether listed as beneficiary directly
    or through an assistance measure (``link_measure`` adds the beneficiary row)."""
    return scoped(Beneficiary.objects.filter(household_id=household_id), user).select_related("project").order_by(
        "-project__year", "project__code")


def alerts(user: Any, *, on: dt.date | None = None, days: int | None = None) -> dict[str, list[Project]]:
    """Projects behind schedule (not accepted after their planned completion) and projects whose money has been
    idle (allocated, not all paid out, nothing allocated or paid for ``days`` days). The money per project comes
    from two GROUP BY queries over the scoped allocation and disbursement tables."""
    on = on or today()
    days = idle_days() if days is None else days
    base = scoped(Project.objects.select_related("region"), user)
    money_in = {pk: (s, last) for pk, s, last in scoped(Allocation.objects.filter(project__isnull=False), user)
                .order_by().values_list("project_id").annotate(s=Sum("amount"), last=Max("allocated_on"))}
    money_out = {pk: (s, last) for pk, s, last in scoped(Disbursement.objects.all(), user)
                 .order_by().values_list("project_id").annotate(s=Sum("amount"), last=Max("paid_on"))}

    def dress(p: Project) -> Project:
        a, last_a = money_in.get(p.pk, (ZERO, None))
        s, last_p = money_out.get(p.pk, (ZERO, None))
        p.allocated, p.spent, p.last_paid, p.last_allocated = a, s, last_p, last_a  # type: ignore[attr-defined]
        p.last_move = max(d for d in (last_a, last_p) if d) if (last_a or last_p) else None  # type: ignore[attr-defined]
        return p

    behind = [dress(p) for p in base.filter(stage__in=OPEN_STAGES, planned_end__lt=on).order_by("planned_end", "code")]
    for p in behind:
        p.late_days = (on - p.planned_end).days  # type: ignore[attr-defined]
    limit = on - dt.timedelta(days=days)
    candidates = [pk for pk, (a, last) in money_in.items()
                  if a > money_out.get(pk, (ZERO, None))[0] and max(d for d in (last, money_out.get(pk, (ZERO, None))[1]) if d) < limit]
    idle = [dress(p) for p in base.filter(pk__in=candidates).exclude(stage=Stage.REJECTED)]
    idle.sort(key=lambda p: (p.last_move, p.code))  # type: ignore[attr-defined]
    for p in idle:
        p.idle_days = (on - p.last_move).days  # type: ignore[attr-defined]
    return {"behind": behind, "idle": idle}


def current_notices(*, region: str = "", on: dt.date | None = None) -> QuerySet[ProjectNotice]:
    """Project and fund-use notices running today (public: no personal data in them)."""
    on = on or today()
    qs = ProjectNotice.objects.filter(starts_on__lte=on, ends_on__gte=on).select_related("project", "project__region")
    if region and is_code(region):
        qs = qs.filter(Scope(region).q("project__region__code"))
    return qs.order_by("-starts_on", "-id")


# ---------------------------------------------------------------- spent vs allocated

@dataclass
class Spending:
    key: str
    label: str
    allocated: Decimal
    spent: Decimal

    @property
    def share(self) -> Decimal | None:
        return (self.spent / self.allocated * 100).quantize(Decimal("0.1")) if self.allocated else None

    @property
    def balance(self) -> Decimal:
        return self.allocated - self.spent


def spent_vs_allocated(user: Any, *, by: str = "region", year: int | None = None, region: str = "") -> list[Spending]:
    """Money allocated to projects and paid out of them, grouped by region (the level below ``region``), fund line
    or project: two GROUP BY queries over the allocation and disbursement tables."""
    alloc = scoped(Allocation.objects.filter(project__isnull=False), user)
    paid = scoped(Disbursement.objects.all(), user)
    if year:
        alloc = alloc.filter(source__year=year)
        paid = paid.filter(line__year=year)
    if region and is_code(region):
        alloc = alloc.filter(Scope(region).q("region__code"))
        paid = paid.filter(Scope(region).q("region__code"))
    if by == "line":
        a = dict(alloc.order_by().values_list("source_id").annotate(s=Sum("amount")))
        p = dict(paid.order_by().values_list("line_id").annotate(s=Sum("amount")))
        names = dict(FundLine.objects.filter(pk__in=set(a) | set(p)).values_list("pk", "name"))
        codes = dict(FundLine.objects.filter(pk__in=set(a) | set(p)).values_list("pk", "code"))
        keys = sorted(set(a) | set(p), key=lambda k: codes.get(k, ""))
        return [Spending(codes.get(k, str(k)), names.get(k, ""), a.get(k, ZERO), p.get(k, ZERO)) for k in keys]
    if by == "project":
        a = dict(alloc.order_by().values_list("project_id").annotate(s=Sum("amount")))
        p = dict(paid.order_by().values_list("project_id").annotate(s=Sum("amount")))
        info = {pk: (code, name) for pk, code, name in
                Project.objects.filter(pk__in=set(a) | set(p)).values_list("pk", "code", "name")}
        keys = sorted(set(a) | set(p), key=lambda k: info.get(k, ("", ""))[0])
        return [Spending(info[k][0], info[k][1], a.get(k, ZERO), p.get(k, ZERO)) for k in keys if k in info]
    from fupin.regions.models import Region

    start = region if region and is_code(region) else (scope_of(user).prefix or "")
    n = child_length(len(start))
    by_region = dict(alloc.annotate(k=Substr("region_id", 1, n)).order_by().values_list("k").annotate(s=Sum("amount")))
    paid_region = dict(paid.annotate(k=Substr("region_id", 1, n)).order_by().values_list("k").annotate(s=Sum("amount")))
    region_keys = set(by_region) | set(paid_region)
    region_names = dict(Region.objects.filter(code__in=region_keys).values_list("code", "name"))
    return [Spending(k, region_names.get(k, k), by_region.get(k, ZERO), paid_region.get(k, ZERO)) for k in sorted(region_keys)]


def disbursements(user: Any, *, project_id: int | None = None) -> QuerySet[Disbursement]:
    qs = scoped(Disbursement.objects.select_related("project", "line"), user)
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    return qs.order_by("-paid_on", "-id")


# ---------------------------------------------------------------- plans and tasks

def plans(user: Any) -> QuerySet[Plan]:
    """Plans of the user's region and below, plus the plans above it (a county works to its province's and the
    nation's plans). Plans hold no personal data."""
    scope = scope_of(user)
    if scope.prefix is None:
        return Plan.objects.none()
    if scope.is_nation:
        return Plan.objects.all()
    return Plan.objects.filter(scope.q("region__code") | Q(region__isnull=True)
                               | Q(region_id__in=ancestors(scope.prefix)))


def plan(user: Any, pk: int) -> Plan:
    try:
        return plans(user).get(pk=pk)
    except Plan.DoesNotExist as exc:
        from django.http import Http404

        raise Http404 from exc


def _at_risk(on: dt.date) -> Q:
    """An open task not yet due is at risk when it is due within 30 days below 80 %, has had no progress report for
    90 days, or has none at all and is due within 90 days."""
    stale = on - dt.timedelta(days=STALE_REPORT_DAYS)
    return (Q(deadline__lte=on + dt.timedelta(days=AT_RISK_DAYS), progress__lt=AT_RISK_PROGRESS)
            | Q(last_report_on__lt=stale) | Q(last_report_on__isnull=True, deadline__lte=on + dt.timedelta(days=90)))


def tasks(user: Any, *, plan_id: int | None = None, state: str = "", unit: str = "",
          on: dt.date | None = None) -> QuerySet[Task]:
    """Tasks of the plans the user sees; ``state``: ``overdue`` (not done, deadline passed), ``at_risk`` (not done,
    due within 30 days below 80 %, or no report for 90 days), ``open``, ``done``."""
    on = on or today()
    qs = Task.objects.filter(plan__in=plans(user)).select_related("plan", "meeting")
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    if unit:
        qs = qs.filter(lead_units_text__contains=unit)
    if state == "overdue":
        qs = qs.filter(done_on__isnull=True, deadline__lt=on)
    elif state == "at_risk":
        qs = qs.filter(done_on__isnull=True, deadline__gte=on).filter(_at_risk(on))
    elif state == "open":
        qs = qs.filter(done_on__isnull=True)
    elif state == "done":
        qs = qs.filter(done_on__isnull=False)
    return qs.order_by("deadline", "plan_id", "id") if state in ("overdue", "at_risk") else qs.order_by("plan_id", "id")


def task(user: Any, pk: int) -> Task:
    try:
        return tasks(user).get(pk=pk)
    except Task.DoesNotExist as exc:
        from django.http import Http404

        raise Http404 from exc


def task_counts(user: Any, *, on: dt.date | None = None) -> dict[str, int]:
    on = on or today()
    qs = Task.objects.filter(plan__in=plans(user))
    return qs.aggregate(total=Count("id"), done=Count("id", filter=Q(done_on__isnull=False)),
                        done_on_time=Count("id", filter=Q(done_on__isnull=False, done_on__lte=F("deadline"))),
                        overdue=Count("id", filter=Q(done_on__isnull=True, deadline__lt=on)))


def unit_of(user: Any) -> str:
    """The unit a lead-unit user reports for: its organisation, as the tasks name their lead units."""
    return (getattr(user, "organisation", "") or "").strip()


def my_tasks(user: Any, *, on: dt.date | None = None) -> QuerySet[Task]:
    """The open tasks of the user's unit that need it now, as the dispatch list filtered by the unit shows them:
    overdue (deadline passed) or at risk (``_at_risk``), most urgent first."""
    on = on or today()
    unit = unit_of(user)
    if not unit:
        return Task.objects.none()
    return (tasks(user, state="open", unit=unit).filter(Q(deadline__lt=on) | _at_risk(on))
            .order_by("deadline", "plan_id", "id"))


def my_task_counts(user: Any, *, on: dt.date | None = None) -> dict[str, int]:
    """One aggregate over ``my_tasks``: ``n`` (overdue + at risk: the dispatch list's two counts for the unit),
    ``overdue``, ``unreported`` (never reported on)."""
    on = on or today()
    return my_tasks(user, on=on).order_by().aggregate(
        n=Count("id"), overdue=Count("id", filter=Q(deadline__lt=on)),
        unreported=Count("id", filter=Q(last_report_on__isnull=True)))


# ---------------------------------------------------------------- the finance bureau's work

def to_review(user: Any) -> QuerySet[Project]:
    """Accepted projects of the user's region waiting for their performance review (绩效评价, finance's step)."""
    return scoped(Project.objects.filter(stage=Stage.ACCEPTED), user).select_related("region")


def review_counts(user: Any, *, on: dt.date | None = None) -> dict[str, int]:
    """One aggregate over ``to_review``: ``n`` and ``overdue`` (accepted more than ``REVIEW_DAYS`` days ago)."""
    on = on or today()
    return to_review(user).order_by().aggregate(
        n=Count("id"), overdue=Count("id", filter=Q(accepted_on__lt=on - dt.timedelta(days=REVIEW_DAYS))))


def idle_projects(user: Any, *, on: dt.date | None = None, days: int | None = None) -> QuerySet[Project]:
    """The projects whose money is idle, as ``alerts()["idle"]`` lists them (allocated, not all paid out, nothing
    allocated or paid for ``days`` days; not rejected), as one query: longest idle first."""
    on = on or today()
    limit = on - dt.timedelta(days=idle_days() if days is None else days)
    qs = with_money(scoped(Project.objects.exclude(stage=Stage.REJECTED), user).select_related("region"))
    return (qs.annotate(last_move=Greatest("last_allocated", Coalesce("last_paid", "last_allocated")))
            .filter(allocated__gt=F("spent"), last_move__lt=limit).order_by("last_move", "code"))  # type: ignore[misc]


def idle_count(user: Any, *, on: dt.date | None = None) -> int:
    return idle_projects(user, on=on).order_by().count()


def meetings(user: Any, plan_id: int) -> QuerySet[Meeting]:
    return Meeting.objects.filter(plan__in=plans(user), plan_id=plan_id).prefetch_related("decisions")


def targets() -> QuerySet[Target]:
    return Target.objects.prefetch_related("revisions").order_by("year", "code")


def project_by_code(user: Any, code: str) -> Project | None:
    return scoped(Project.objects.all(), user).filter(code=code.strip()).first()


def line_by_code(user: Any, code: str) -> FundLine | None:
    return scoped(FundLine.objects.all(), user).filter(code=code.strip()).first()


def household_by_number(user: Any, number: str) -> Any:
    from fupin.registry.models import Household

    return scoped(Household.objects.all(), user).filter(number=number.strip()).first()
