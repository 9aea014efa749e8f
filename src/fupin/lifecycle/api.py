"""The lifecycle API under /api/v1/lifecycle/: cases of the caller's region and their steps, and one POST per
procedure step calling the same service functions as the pages. Refusals answer 422 (LifecycleError and
other validation errors, per field) or 403 (role, level, region); cases outside the region answer 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from fupin.core.apibody import AtLeastOne
from fupin.core.pagination import Page, PageQuery, offset_page
from fupin.lifecycle import selectors, services
from fupin.lifecycle.models import Case, Measure

router = Router()


class CaseStepOut(Schema):
    id: int
    action: str
    decision: str
    username: str
    role: str
    origin: str
    at: dt.datetime
    reason: str
    evidence: str
    evidence_file: str
    stage_before: str
    stage_after: str


class ObjectionOut(Schema):
    id: int
    received_on: dt.date
    objector: str
    content: str
    resolution: str
    upheld: bool | None
    resolved_at: dt.datetime | None


class CaseOut(Schema):
    id: int
    household_id: int
    household_number: str
    village_code: str
    kind: str
    stage: str
    year: int
    reason: str
    evidence: str
    category: str
    risks: list[str]
    elimination_method: str
    notice_id: int | None
    opened_at: dt.datetime
    stage_since: dt.datetime
    closed_at: dt.datetime | None


class CaseDetail(CaseOut):
    steps: list[CaseStepOut]
    objections: list[ObjectionOut]


class CaseQuery(PageQuery):
    stage: str = ""
    kind: str = ""
    household: int | None = Field(None, ge=1, le=2**63 - 1)


class OpenIn(Schema):
    household_id: int
    kind: str
    reason: str
    year: int | None = None
    evidence: str = ""
    category: str = ""
    risks: list[str] = []
    elimination_method: str = ""
    income_reason: str = Field("", description="Required when the household's income makes an inclusion implausible")


class CaseDecisionIn(Schema):
    approve: bool
    reason: str
    evidence: str = ""


class NoticeIn(Schema):
    """An empty body is meaningful: the notice runs the standard 7 days from today."""

    days: int = Field(services.NOTICE_DAYS, description="7 to 60 days; default 7")
    starts_on: dt.date | None = Field(None, description="today or later (at most 30 days ahead); default today")


class ObjectionIn(Schema):
    content: str
    objector: str = ""
    received_on: dt.date | None = None


class ResolveIn(Schema):
    upheld: bool
    resolution: str


class WithdrawIn(Schema):
    reason: str


class MeasureOut(Schema):
    id: int
    household_id: int
    household_number: str
    type: str
    description: str
    start_date: dt.date
    end_date: dt.date | None
    funds: Decimal
    fund_source: str
    responsible: str
    cadre_id: int | None
    result: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_household_number(obj: Measure) -> str:
        return obj.household.number


class MeasurePatch(AtLeastOne):
    """The fields to change; those left out stay as they are. An empty body changes nothing and is refused."""

    EMPTY_MESSAGE = "请至少填写一项要修改的内容 / send at least one field to change"

    type: str | None = None
    description: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    funds: Decimal | None = None
    fund_source: str | None = None
    responsible: str | None = None
    cadre_id: int | None = None
    result: str | None = None


def _row(c: Case) -> dict[str, Any]:
    return {
        "id": c.pk, "household_id": c.household_id, "household_number": c.household.number,
        "village_code": c.household.village_id, "kind": c.kind, "stage": c.stage, "year": c.year, "reason": c.reason,
        "evidence": c.evidence, "category": c.category, "risks": list(c.risks), "elimination_method": c.elimination_method,
        "notice_id": c.notice_id, "opened_at": c.opened_at, "stage_since": c.stage_since, "closed_at": c.closed_at,
    }


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    c = selectors.case_for(request.user, pk)
    return {**_row(c), "steps": list(c.steps.all()), "objections": list(c.objections.all())}


@router.get("/cases", response=Page[CaseOut])
def cases(request: HttpRequest, q: Query[CaseQuery]) -> dict[str, Any]:
    return offset_page(selectors.cases(request.user, stage=q.stage, kind=q.kind, household=q.household), q, _row)


@router.get("/cases/{pk}", response=CaseDetail)
def case(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _detail(request, pk)


@router.post("/cases", response={201: CaseDetail})
def open_case(request: HttpRequest, data: OpenIn) -> Any:
    services.check_step_role(request.user, "open")  # before the lookup: no existence probing
    household = selectors.household_for(request.user, data.household_id)
    c = services.open_case(actor=request.user, household=household, kind=data.kind, reason=data.reason,
                           year=data.year, evidence=data.evidence, category=data.category, risks=data.risks,
                           elimination_method=data.elimination_method, income_reason=data.income_reason)
    return Status(201, _detail(request, c.pk))


@router.post("/cases/{pk}/review", response=CaseDetail)
def review(request: HttpRequest, pk: int, data: CaseDecisionIn) -> dict[str, Any]:
    services.check_step_role(request.user, "review")  # before the lookup: no existence probing
    services.review(actor=request.user, case=selectors.case_for(request.user, pk), approve=data.approve,
                    reason=data.reason, evidence=data.evidence)
    return _detail(request, pk)


@router.post("/cases/{pk}/notice", response=CaseDetail)
def notice(request: HttpRequest, pk: int, data: NoticeIn) -> dict[str, Any]:
    services.check_step_role(request.user, "notice")  # before the lookup: no existence probing
    services.start_notice(actor=request.user, cases=[selectors.case_for(request.user, pk)], days=data.days,
                          starts_on=data.starts_on)
    return _detail(request, pk)


@router.post("/cases/{pk}/objections", response={201: ObjectionOut})
def objection(request: HttpRequest, pk: int, data: ObjectionIn) -> Any:
    services.check_step_role(request.user, "objection")  # before the lookup: no existence probing
    o = services.record_objection(actor=request.user, case=selectors.case_for(request.user, pk), content=data.content,
                                  objector=data.objector, received_on=data.received_on)
    return Status(201, o)


@router.post("/objections/{pk}/resolve", response=ObjectionOut)
def resolve(request: HttpRequest, pk: int, data: ResolveIn) -> Any:
    services.check_step_role(request.user, "resolve")  # before the lookup: no existence probing
    return services.resolve_objection(actor=request.user, objection=selectors.objection_for(request.user, pk),
                                      resolution=data.resolution, upheld=data.upheld)


@router.post("/cases/{pk}/audit", response=CaseDetail)
def audit(request: HttpRequest, pk: int, data: CaseDecisionIn) -> dict[str, Any]:
    services.check_step_role(request.user, "audit")  # before the lookup: no existence probing
    services.township_audit(actor=request.user, case=selectors.case_for(request.user, pk), approve=data.approve,
                            reason=data.reason, evidence=data.evidence)
    return _detail(request, pk)


@router.post("/cases/{pk}/approval", response=CaseDetail)
def approval(request: HttpRequest, pk: int, data: CaseDecisionIn) -> dict[str, Any]:
    services.check_step_role(request.user, "approval")  # before the lookup: no existence probing
    services.county_approval(actor=request.user, case=selectors.case_for(request.user, pk), approve=data.approve,
                             reason=data.reason, evidence=data.evidence)
    return _detail(request, pk)


@router.post("/cases/{pk}/withdraw", response=CaseDetail)
def withdraw(request: HttpRequest, pk: int, data: WithdrawIn) -> dict[str, Any]:
    services.check_step_role(request.user, "withdraw")  # before the lookup: no existence probing
    services.withdraw(actor=request.user, case=selectors.case_for(request.user, pk), reason=data.reason)
    return _detail(request, pk)


@router.get("/measures/{pk}", response=MeasureOut)
def measure(request: HttpRequest, pk: int) -> Measure:
    return selectors.measure_for(request.user, pk)


@router.patch("/measures/{pk}", response=MeasureOut)
def update_measure(request: HttpRequest, pk: int, data: MeasurePatch) -> Measure:
    """Correct a measure or record its end date and result: only the fields sent change (``null`` clears
    the end date, the source of funds or the cadre); 404 outside the region, 403 for a role that cannot
    write dossiers (whether the measure exists or not), 422 per field; a body with no field is refused."""
    services.check_measure_writer(request.user)  # before the lookup: no existence probing
    return services.update_measure(actor=request.user, measure=selectors.measure_for(request.user, pk),
                                   **data.model_dump(exclude_unset=True))
