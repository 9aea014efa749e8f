"""The projects API under /api/v1/projects/: the project library and its procedure steps, fund lines and allocations,
spent vs allocated, alerts, plans' tasks with progress reports, and targets — through the same selectors (scoped to
the caller's region; outside it a project answers 404) and services as the pages. Beneficiaries' heads are masked
unless the role needs them; clear reads are audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from fupin.core.masking import Masker
from fupin.core.scoping import narrow_or_404
from fupin.projects import selectors, services

router = Router()


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    year: int
    type: str
    lead_unit: str
    region_code: str
    budget: Decimal
    allocated: Decimal
    spent: Decimal
    stage: str
    planned_start: dt.date
    planned_end: dt.date
    accepted_on: dt.date | None
    performance: str


class ProjectPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ProjectOut]


class BeneficiaryOut(Schema):
    household_id: int
    household_number: str
    head_name: str
    village_code: str
    benefit: str
    amount: Decimal


class StepOut(Schema):
    action: str
    username: str
    at: dt.datetime
    stage_before: str
    stage_after: str
    note: str


class ProjectDetail(ProjectOut):
    description: str
    steps: list[StepOut]
    beneficiaries: list[BeneficiaryOut]


class ProjectIn(Schema):
    code: str
    name: str
    year: int
    type: str
    lead_unit: str
    region_code: str
    budget: Decimal
    planned_start: dt.date
    planned_end: dt.date
    description: str = ""


class StepIn(Schema):
    note: str = ""
    days: int = 7
    rating: str = ""
    accepted_on: dt.date | None = None


class LineOut(Schema):
    id: int
    code: str
    year: int
    level: str
    source: str
    name: str
    region_code: str | None
    parent_id: int | None
    own_amount: Decimal
    received: Decimal
    allocated: Decimal
    balance: Decimal


class LineIn(Schema):
    code: str
    year: int
    level: str
    source: str
    name: str
    region_code: str = ""
    own_amount: Decimal = Decimal(0)
    parent_id: int | None = None
    document: str = ""


class AllocationIn(Schema):
    source_id: int
    amount: Decimal
    to_line_id: int | None = None
    project_id: int | None = None
    allocated_on: dt.date | None = None
    document: str = ""


class AllocationOut(Schema):
    id: int
    source_id: int
    to_line_id: int | None
    project_id: int | None
    region_code: str
    amount: Decimal
    allocated_on: dt.date


class SpendingOut(Schema):
    key: str
    label: str
    allocated: Decimal
    spent: Decimal
    share: Decimal | None


class AlertsOut(Schema):
    behind_schedule: list[ProjectOut]
    idle_money: list[ProjectOut]


class TaskOut(Schema):
    id: int
    plan: str
    number: str
    title: str
    lead_units: list[str]
    co_units: list[str]
    deadline: dt.date
    progress: int
    done_on: dt.date | None
    indicators: list[str]


class ReportIn(Schema):
    period: str
    text: str
    progress: int
    figures: dict[str, Any] = {}


class TargetOut(Schema):
    id: int
    code: str
    title: str
    indicator: str
    value: Decimal
    unit: str
    strict: bool
    year: int
    scope_prefix: str
    area_type: str
    source: str


def _project(p: Any) -> dict[str, Any]:
    return {"id": p.pk, "code": p.code, "name": p.name, "year": p.year, "type": p.type, "lead_unit": p.lead_unit,
            "region_code": p.region_id, "budget": p.budget, "allocated": getattr(p, "allocated", Decimal(0)),
            "spent": getattr(p, "spent", Decimal(0)), "stage": p.stage, "planned_start": p.planned_start,
            "planned_end": p.planned_end, "accepted_on": p.accepted_on, "performance": p.performance}


class ProjectQuery(Schema):
    year: int | None = None
    stage: str = ""
    type: str = ""
    region: str = ""
    q: str = ""
    page: int = 1
    page_size: int = 50


@router.get("/", response=ProjectPage, summary="Projects of the caller's region")
def list_projects(request: HttpRequest, filters: Query[ProjectQuery]) -> dict[str, Any]:
    region = narrow_or_404(request.user, filters.region).prefix or ""
    qs = selectors.projects(request.user, year=filters.year, stage=filters.stage, type=filters.type, region=region,
                            q=filters.q)
    size = max(1, min(filters.page_size, 200))
    page = Paginator(qs, size).get_page(filters.page)
    return {"count": page.paginator.count, "page": page.number, "page_size": size,
            "results": [_project(p) for p in page.object_list]}


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    p = selectors.project(request.user, pk)
    masker = Masker(request.user)
    rows = list(selectors.beneficiaries(request.user, p)[:1000])
    from fupin.registry.models import Member

    heads = dict(Member.objects.filter(household_id__in=[b.household_id for b in rows], relation="01",
                                       is_active=True).values_list("household_id", "name"))
    if rows:
        masker.reveal(obj=p, summary=f"project {p.code} beneficiaries (API)", detail={"households": len(rows)})
    return {**_project(p), "description": p.description,
            "steps": [{"action": s.action, "username": s.username, "at": s.at, "stage_before": s.stage_before,
                       "stage_after": s.stage_after, "note": s.note} for s in p.steps.all()],
            "beneficiaries": [{"household_id": b.household_id, "household_number": b.household.number,
                               "head_name": masker.name(heads.get(b.household_id, "")),
                               "village_code": b.household.village_id, "benefit": b.benefit, "amount": b.amount}
                              for b in rows]}


@router.get("/{int:pk}", response=ProjectDetail, summary="A project with its steps and beneficiaries")
def get_project(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _detail(request, pk)


@router.post("/", response={201: ProjectDetail}, summary="Enter a project into the library (入库)")
def register(request: HttpRequest, data: ProjectIn) -> Status:
    p = services.register_project(actor=request.user, **data.dict())
    return Status(201, _detail(request, p.pk))


STEPS = {
    "approve": lambda u, pk, d: services.approve(actor=u, project_id=pk, note=d.note),
    "reject": lambda u, pk, d: services.approve(actor=u, project_id=pk, approve=False, note=d.note),
    "notice": lambda u, pk, d: services.start_notice(actor=u, project_id=pk, days=d.days),
    "implement": lambda u, pk, d: services.start_implementation(actor=u, project_id=pk, note=d.note),
    "accept": lambda u, pk, d: services.accept(actor=u, project_id=pk, accepted_on=d.accepted_on, note=d.note),
    "evaluate": lambda u, pk, d: services.evaluate(actor=u, project_id=pk, rating=d.rating, note=d.note),
    "fund_notice": lambda u, pk, d: services.publish_fund_notice(actor=u, project_id=pk, days=d.days),
}


@router.post("/{int:pk}/steps/{action}", response=ProjectDetail,
             summary="A procedure step: approve, reject, notice, implement, accept, evaluate, fund_notice")
def step(request: HttpRequest, pk: int, action: str, data: StepIn) -> dict[str, Any]:
    from django.http import Http404

    selectors.project(request.user, pk)  # 404 outside the caller's region
    if action not in STEPS:
        raise Http404
    STEPS[action](request.user, pk, data)
    return _detail(request, pk)


def _line(ln: Any) -> dict[str, Any]:
    return {"id": ln.pk, "code": ln.code, "year": ln.year, "level": ln.level, "source": ln.source, "name": ln.name,
            "region_code": ln.region_id, "parent_id": ln.parent_id, "own_amount": ln.own_amount,
            "received": ln.received, "allocated": ln.allocated, "balance": ln.balance}


@router.get("/lines", response=list[LineOut], summary="Fund lines of a year with what each holds and passed on")
def lines(request: HttpRequest, year: int | None = None) -> list[dict[str, Any]]:
    return [_line(ln) for ln in selectors.fund_lines(request.user, year=year)[:2000]]


@router.post("/lines", response={201: LineOut}, summary="Create a fund line")
def create_line(request: HttpRequest, data: LineIn) -> Status:
    line = services.create_fund_line(actor=request.user, **data.dict())
    return Status(201, _line(selectors.fund_line(request.user, line.pk)))


@router.post("/allocations", response={201: AllocationOut}, summary="Allocate from a line to a lower line or a project")
def allocate(request: HttpRequest, data: AllocationIn) -> Status:
    a = services.allocate(actor=request.user, **data.dict())
    return Status(201, {"id": a.pk, "source_id": a.source_id, "to_line_id": a.to_line_id, "project_id": a.project_id,
                        "region_code": a.region_id, "amount": a.amount, "allocated_on": a.allocated_on})


@router.get("/spending", response=list[SpendingOut], summary="Spent vs allocated by region, line or project")
def spending(request: HttpRequest, by: str = "region", year: int | None = None, region: str = "") -> list[Any]:
    prefix = narrow_or_404(request.user, region).prefix or ""
    rows = selectors.spent_vs_allocated(request.user, by=by if by in ("region", "line", "project") else "region",
                                        year=year, region=prefix)
    return [{"key": r.key, "label": r.label, "allocated": r.allocated, "spent": r.spent, "share": r.share}
            for r in rows]


@router.get("/alerts", response=AlertsOut, summary="Projects behind schedule and with idle money")
def alerts(request: HttpRequest, days: int | None = None) -> dict[str, Any]:
    a = selectors.alerts(request.user, days=days)
    return {"behind_schedule": [_project(p) for p in a["behind"]], "idle_money": [_project(p) for p in a["idle"]]}


def _task(t: Any) -> dict[str, Any]:
    return {"id": t.pk, "plan": t.plan.code, "number": t.number, "title": t.title, "lead_units": t.lead_units,
            "co_units": t.co_units, "deadline": t.deadline, "progress": t.progress, "done_on": t.done_on,
            "indicators": t.indicators}


@router.get("/tasks", response=list[TaskOut], summary="Plan tasks: state overdue, at_risk, open, done or all")
def tasks(request: HttpRequest, state: str = "", unit: str = "", plan: str = "") -> list[dict[str, Any]]:
    qs = selectors.tasks(request.user, state=state, unit=unit)
    if plan:
        qs = qs.filter(plan__code=plan)
    return [_task(t) for t in qs[:2000]]


@router.post("/tasks/{int:pk}/reports", response={201: TaskOut}, summary="A lead unit reports a task's progress")
def report(request: HttpRequest, pk: int, data: ReportIn) -> Status:
    selectors.task(request.user, pk)
    services.report_progress(actor=request.user, task_id=pk, period=data.period, text=data.text,
                             progress=data.progress, figures=data.figures)
    return Status(201, _task(selectors.task(request.user, pk)))


@router.get("/targets", response=list[TargetOut], summary="The plans' numeric targets")
def targets(request: HttpRequest) -> list[Any]:
    return list(selectors.targets())
