"""The early-warning API under /api/v1/monitoring/: the alert queue of the caller's region ranked by risk, one
alert with its evidence, the visit / dismiss / include actions through the same services as the pages, risk
reports, and the flow statistics. Alerts outside the region answer 404; heads' names and reporters are masked
unless the role needs them, and each clear read is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from fupin.core.masking import Masker
from fupin.core.pagination import Page, PageQuery, offset_page
from fupin.core.scoping import scope_of
from fupin.monitoring import flows as flow_stats
from fupin.monitoring import selectors, services
from fupin.monitoring.models import Alert, RiskReport
from fupin.monitoring.rules import RULES

router = Router()


class AlertOut(Schema):
    id: int
    rule: str
    rule_name: str
    household_id: int
    household_number: str
    head_name: str
    village_code: str
    township_code: str
    cadre: str
    severity: str
    points: int
    household_risk_score: int
    state: str
    active: bool
    deadline: dt.date
    evidence: dict[str, Any]
    created_at: dt.datetime


class AlertDetail(AlertOut):
    explanation: str
    proposed_risk: str
    reopened: int
    visit_note: str
    visited_at: dt.datetime | None
    reason: str
    resolved_by: str
    resolved_at: dt.datetime | None
    case_id: int | None


class AlertQuery(PageQuery):
    state: str = "open"
    rule: str = ""
    region: str = ""
    household: int | None = Field(None, ge=1, le=2**63 - 1)


class NoteIn(Schema):
    note: str


class ReasonIn(Schema):
    reason: str


class RiskReportIn(Schema):
    household_id: int
    kind: str
    occurred_on: dt.date
    description: str
    source: str
    reporter: str = ""
    loss: Decimal | None = None


class ReportOut(Schema):
    id: int
    household_id: int
    village_code: str
    kind: str
    occurred_on: dt.date
    description: str
    loss: Decimal | None
    source: str
    reporter: str
    recorded_at: dt.datetime
    alert_id: int | None


class FlowRow(Schema):
    kind: str
    label: str
    households: int
    persons: int


class RiskRow(Schema):
    risk: str
    label: str
    households: int
    persons: int


class MoveRow(Schema):
    before: str
    after: str
    households: int
    persons: int


class AlertFlowRow(Schema):
    rule: str
    raised: int
    included: int
    dismissed: int


class FlowsOut(Schema):
    start: dt.date
    end: dt.date
    region: str
    relief_definition: str
    flows: list[FlowRow]
    by_cause: list[dict[str, Any]]
    by_risk: list[RiskRow]
    moves: list[MoveRow]
    alerts: list[AlertFlowRow]


class FlowQuery(Schema):
    start: dt.date | None = None
    end: dt.date | None = None
    region: str = ""


def _row(a: Any, masker: Masker) -> dict[str, Any]:
    spec = RULES.get(a.rule)
    return {
        "id": a.pk, "rule": a.rule, "rule_name": spec.name if spec else a.rule, "household_id": a.household_id,
        "household_number": a.household.number, "head_name": masker.name(getattr(a, "head_name", None) or ""),
        "village_code": a.region_code, "township_code": a.township_code, "cadre": a.cadre.name if a.cadre else "",
        "severity": a.severity, "points": a.points, "household_risk_score": getattr(a, "risk_score", 0) or 0,
        "state": a.state, "active": a.active, "deadline": a.deadline, "evidence": a.evidence,
        "created_at": a.created_at,
    }


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    masker = Masker(request.user)
    a = _one(request, pk)
    masker.reveal(obj=a, summary=f"API alert {a.pk} of household {a.household.number}")
    spec = RULES.get(a.rule)
    return {**_row(a, masker), "explanation": spec.explanation if spec else "", "proposed_risk": spec.risk if spec else "",
            "reopened": a.reopened, "visit_note": a.visit_note, "visited_at": a.visited_at, "reason": a.reason,
            "resolved_by": a.resolved_by.username if a.resolved_by else "", "resolved_at": a.resolved_at,
            "case_id": a.case_id}


def _one(request: HttpRequest, pk: int) -> Any:
    from django.http import Http404

    a = selectors.alerts(request.user, state="all").select_related("resolved_by").filter(pk=pk).first()
    if a is None:
        raise Http404
    return a


@router.get("/alerts", response=Page[AlertOut], summary="Alerts of the caller's region, highest risk first")
def alerts(request: HttpRequest, q: Query[AlertQuery]) -> dict[str, Any]:
    masker = Masker(request.user)
    out = offset_page(selectors.alerts(request.user, state=q.state, rule=q.rule, region=q.region,
                                       household=q.household), q, lambda a: _row(a, masker))
    rows = out["results"]
    masker.reveal(object_type="monitoring.alert", region_code=q.region or scope_of(request.user).prefix or "",
                  summary=f"API alert list page {q.page} ({len(rows)} heads' names)",
                  detail={"alerts": [r["id"] for r in rows]})
    return out


@router.get("/alerts/{pk}", response=AlertDetail, summary="One alert with its evidence (404 outside the region)")
def alert(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _detail(request, pk)


@router.post("/alerts/{pk}/visit", response=AlertDetail)
def visit(request: HttpRequest, pk: int, data: NoteIn) -> dict[str, Any]:
    services.check_actor(request.user)  # before the lookup: no existence probing
    services.visit(actor=request.user, alert_id=_one(request, pk).pk, note=data.note)
    return _detail(request, pk)


@router.post("/alerts/{pk}/dismiss", response=AlertDetail)
def dismiss(request: HttpRequest, pk: int, data: ReasonIn) -> dict[str, Any]:
    services.check_actor(request.user)  # before the lookup: no existence probing
    services.dismiss(actor=request.user, alert_id=_one(request, pk).pk, reason=data.reason)
    return _detail(request, pk)


@router.post("/alerts/{pk}/include", response=AlertDetail,
             summary="Include the household as a monitoring object: opens the lifecycle procedure")
def include(request: HttpRequest, pk: int, data: ReasonIn) -> dict[str, Any]:
    services.check_actor(request.user)  # before the lookup: no existence probing
    services.include(actor=request.user, alert_id=_one(request, pk).pk, reason=data.reason)
    return _detail(request, pk)


def _report(r: RiskReport, masker: Masker) -> dict[str, Any]:
    alert = Alert.objects.filter(household_id=r.household_id, rule=services.RULE_OF_REPORT[r.kind]).first()
    return {"id": r.pk, "household_id": r.household_id, "village_code": r.region_code, "kind": r.kind,
            "occurred_on": r.occurred_on, "description": masker.text(r.description), "loss": r.loss, "source": r.source,
            "reporter": masker.name(r.reporter), "recorded_at": r.recorded_at, "alert_id": alert.pk if alert else None}


@router.get("/reports", response=list[ReportOut], summary="Risk reports of the caller's region, newest first")
def reports(request: HttpRequest, kind: str = "", limit: int = 200) -> list[dict[str, Any]]:
    masker = Masker(request.user)
    rows = list(selectors.reports(request.user, kind=kind)[:min(max(limit, 1), 1000)])
    masker.reveal(object_type="monitoring.riskreport", region_code=scope_of(request.user).prefix or "",
                  summary=f"API risk reports ({len(rows)})",
                  detail={"reports": [r.pk for r in rows]})
    return [_report(r, masker) for r in rows]


@router.post("/reports", response={201: ReportOut}, summary="Report a risk; its warning rule runs at once")
def report(request: HttpRequest, data: RiskReportIn) -> Any:
    r = services.report_risk(actor=request.user, household_id=data.household_id, kind=data.kind,
                             occurred_on=data.occurred_on, description=data.description, source=data.source,
                             reporter=data.reporter, loss=data.loss)
    return Status(201, _report(r, Masker(request.user)))


@router.get("/flows", response=FlowsOut, summary="Flow statistics of a region and period (default: this year)")
def flows(request: HttpRequest, q: Query[FlowQuery]) -> dict[str, Any]:
    today = timezone.localdate()
    f = flow_stats.flows(request.user, start=q.start or today.replace(month=1, day=1), end=q.end or today,
                         region=q.region)
    return {"start": f.start, "end": f.end, "region": f.region, "relief_definition": flow_stats.RELIEF_DEFINITION,
            "flows": [dict(r, label=str(r["label"])) for r in f.by_kind],
            "by_cause": [{"kind": r["kind"], "main_cause": r["household__main_cause"], "households": r["households"]}
                         for r in f.by_cause],
            "by_risk": f.by_risk, "moves": f.moves, "alerts": f.alerts}
