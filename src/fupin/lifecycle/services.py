"""Writes of the lifecycle (R3): one function per act, keyword arguments, transactional, audited.

Every procedure (identification, exit, return to poverty, new poverty, monitoring object, risk
elimination) runs the same chain, each step by its role at its level, inside the actor's region:

    open_case (clerk) → review 民主评议 (clerk) → start_notice 公示 (clerk, default 7 days)
      → [objections recorded and resolved] → township_audit 乡镇审核 (township reviewer, after the notice
      ended with no open objection) → county_approval 县级审批 (county administrator) → applied to the dossier

A rejection at any step closes the case. Refusals raise ``LifecycleError`` (a ``ValidationError``)
or ``PermissionDenied`` with a message "中文 / English".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from fupin.core import audit, codes
from fupin.core.errors import error_text
from fupin.core.models import AuditEvent
from fupin.core.roles import Role
from fupin.core.scoping import scope_of
from fupin.lifecycle import evaluation
from fupin.lifecycle.models import (
    OPEN_STAGES,
    Case,
    FollowUp,
    Kind,
    Measure,
    MonitoringRecord,
    Notice,
    Objection,
    PovertyLine,
    Stage,
    Step,
)
from fupin.regions.models import CODE_LENGTHS, Level
from fupin.registry import history
from fupin.registry import services as registry_services
from fupin.registry.models import Cadre, Household, HouseholdVersion

NOTICE_DAYS = 7
MAX_RISKS = 5
MONITORING_FROM_YEAR = 2020  # the monitoring mechanism (防止返贫监测) dates from 2020

# Which household statuses a procedure may start from, and the status it gives on approval.
STARTS_FROM: dict[str, tuple[str, ...]] = {
    Kind.IDENTIFICATION: ("non_poor", "applicant"),
    Kind.NEW_POVERTY: ("non_poor", "applicant"),
    Kind.EXIT: evaluation.POOR_STATUSES,
    Kind.RETURN: ("exited",),
    Kind.MONITORING: ("exited", "non_poor"),
    Kind.ELIMINATION: ("monitored",),
    # 清退: a household found wrongly registered, whether still poor, exited or monitored.
    Kind.REMOVAL: (*evaluation.POOR_STATUSES, "exited", "monitored"),
}
RESULT_STATUS: dict[str, str] = {
    Kind.IDENTIFICATION: "poor",
    Kind.NEW_POVERTY: "newly_poor",
    Kind.EXIT: "exited",
    Kind.RETURN: "returned",
    Kind.MONITORING: "monitored",
    Kind.REMOVAL: "removed",
}
# 脱贫不稳定户 are exited households; 边缘易致贫户 were never registered; 突发严重困难户 may be either.
CATEGORY_STATUSES = {"01": ("exited",), "02": ("non_poor",), "03": ("exited", "non_poor")}

VILLAGE, TOWNSHIP, COUNTY = Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY
# Village steps are entered by the village clerk, or by a clerk of the township (乡镇扶贫专干) for its villages.
CLERK_LEVELS = (VILLAGE, TOWNSHIP)
# Who may open a case, by origin: the clerk applies; a confirmed doubt (数据比对核实) is opened by its verifier.
ORIGIN_VERIFICATION = "verification"
OPENERS: dict[str, dict[Role, tuple[Level, ...]]] = {
    "": {Role.CLERK: CLERK_LEVELS},
    ORIGIN_VERIFICATION: {Role.TOWNSHIP_REVIEWER: (TOWNSHIP,), Role.COUNTY_ADMIN: (COUNTY,)},
}


class LifecycleError(ValidationError):
    """An illegal step: the message says why, in Chinese and English."""


def today() -> dt.date:
    """The current local date; tests replace it to let a notice period pass."""
    return timezone.localdate()


def _level_of(user: Any) -> int | None:
    code = getattr(user, "region_id", None)
    if not code:
        return None
    for level, n in CODE_LENGTHS.items():
        if len(code) == n:
            return int(level)
    return None


def _check_actor(actor: Any, household: Household, allowed: Mapping[Role, tuple[Level, ...]], what: str) -> str:
    """The actor has one of the ``allowed`` roles, sits at that role's level, and the household lies in
    the actor's region. Returns the role used (recorded on the step)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("请先登录 / please log in")
    held = [r for r in allowed if actor.has_role(r)]
    if not held:
        names = "、".join(str(r.label) for r in allowed)
        raise PermissionDenied(
            f"{what}须由{names}办理 / {what}: only {', '.join(r.value for r in allowed)} may do this"
        )
    role = next((r for r in held if _level_of(actor) in allowed[r]), None)
    if role is None:
        levels = "/".join(Level(lv).name.lower() for r in held for lv in allowed[r])
        raise PermissionDenied(f"{what}须由{levels}级用户办理 / {what} is done at {levels} level")
    if not scope_of(actor).contains(household.village_id):
        raise PermissionDenied("该户不在您的管辖范围内 / this household is outside your region")
    return role.value


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise LifecycleError("请说明理由 / a reason is required")
    return reason[:500]


def _require_stage(case: Case, *stages: str) -> None:
    if case.stage not in stages:
        expected = "、".join(str(Stage(s).label) for s in stages)
        raise LifecycleError(
            f"当前环节为“{Stage(case.stage).label}”，不能办理此步骤 / the case is at stage “{case.stage}”, "
            f"this step needs stage {', '.join(stages)} ({expected})"
        )


def _lock(case: Case) -> Case:
    """Re-read the case under a row lock so that two reviewers cannot decide it at once."""
    return Case.objects.select_for_update(of=("self",)).select_related("household", "notice").get(pk=case.pk)


def _step(
    case: Case, *, action: str, actor: Any, role: str, reason: str, decision: str = "", evidence: str = "",
    evidence_file: str = "", stage_before: str = "", origin: str = "",
) -> Step:
    step = Step.objects.create(
        case=case, action=action, decision=decision, actor=actor, username=actor.username, role=role,
        reason=reason, evidence=evidence, evidence_file=evidence_file[:200], stage_before=stage_before,
        stage_after=case.stage, origin=origin,
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE if action == Step.Action.APPLY else AuditEvent.Action.UPDATE,
        obj=case.household,
        summary=f"lifecycle {case.kind} #{case.pk}: {action} {decision} — {reason}",
        detail={"case": case.pk, "kind": case.kind, "step": action, "decision": decision, "stage_before": stage_before,
                "stage_after": case.stage, "reason": reason, "evidence": evidence, "evidence_file": evidence_file,
                "origin": origin},
    )
    return step


def _set_status(household: Household, status: str, *, actor: Any, reason: str, **fields: Any) -> None:
    household.status = status
    for k, v in fields.items():
        setattr(household, k, v)
    household.save(update_fields=["status", *fields, "updated_at"])
    history.record_version(household, kind=HouseholdVersion.Kind.UPDATE, actor=actor, reason=reason)


def _move(case: Case, stage: str) -> str:
    before = case.stage
    case.stage = stage
    case.stage_since = timezone.now()
    if stage not in OPEN_STAGES:
        case.closed_at = case.stage_since
    case.save(update_fields=["stage", "stage_since", "closed_at"])
    return before


def _decide(
    case: Case, action: str, next_stage: str, *, approve: bool, actor: Any, role: str, reason: str,
    evidence: str, evidence_file: str,
) -> None:
    """A reviewer's decision: the case moves on to ``next_stage`` or is rejected (and closed), as a recorded step."""
    before = _move(case, next_stage if approve else Stage.REJECTED)
    _step(case, action=action, actor=actor, role=role, reason=reason, evidence=evidence, evidence_file=evidence_file,
          decision=Step.Decision.APPROVE if approve else Step.Decision.REJECT, stage_before=before)
    if not approve:
        _close_rejected(case, actor=actor, reason=reason)


def _close_rejected(case: Case, *, actor: Any, reason: str) -> None:
    """A rejected or withdrawn application leaves the household as it was before the case."""
    if case.household.status == "applicant" and case.previous_status:
        _set_status(case.household, case.previous_status, actor=actor, reason=f"申请未通过 / not approved: {reason}")


# --- opening ---------------------------------------------------------------------------------------------


@transaction.atomic
def open_case(
    *, actor: Any, household: Household, kind: str, reason: str, year: int | None = None, evidence: str = "",
    evidence_file: str = "", category: str = "", risks: Iterable[str] = (), elimination_method: str = "",
    origin: str = "",
) -> Case:
    """The application (申请), entered by the village clerk for the household. With
    ``origin="verification"`` the township reviewer or county administrator who confirmed a doubt of the data
    comparison opens it instead; the step records that origin."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    if origin not in OPENERS:
        raise LifecycleError(f"未知的来源“{origin}” / unknown origin {origin!r}")
    role = _check_actor(actor, household, OPENERS[origin], "申请 / application")
    reason = _require_reason(reason)
    if kind not in Kind.values:
        raise LifecycleError(f"未知的程序“{kind}” / unknown procedure {kind!r}")
    year = year or today().year
    if Case.objects.filter(household=household, stage__in=OPEN_STAGES).exists():
        raise LifecycleError("该户已有未办结的程序 / the household already has an open procedure")
    allowed = STARTS_FROM[kind]
    if household.status not in allowed:
        raise LifecycleError(
            f"户状态“{codes.label('household_status', household.status)}”不能办理此程序 / a household with status "
            f"{household.status!r} cannot start {kind} (allowed from: {', '.join(allowed)})"
        )
    risks = list(dict.fromkeys(risks))
    values: dict[str, Any] = {}
    if kind == Kind.EXIT:
        if household.identified_year >= year:
            raise LifecycleError(
                f"{household.identified_year} 年识别的户不能在 {year} 年脱贫 / a household identified in "
                f"{household.identified_year} cannot exit in {year}"
            )
        values["evaluation"] = _exit_evaluation_or_refuse(household, year)
    if kind == Kind.MONITORING:
        if year < MONITORING_FROM_YEAR:
            raise LifecycleError("监测对象自 2020 年起认定 / monitoring objects exist from 2020 on")
        if category not in codes.codes("monitoring_category"):
            raise LifecycleError("请选择监测对象类别 / choose the monitoring category")
        if household.status not in CATEGORY_STATUSES[category]:
            raise LifecycleError(
                f"“{codes.label('monitoring_category', category)}”不适用于该户状态 / this category does not apply "
                f"to a household with status {household.status!r}"
            )
        if not 1 <= len(risks) <= MAX_RISKS:
            raise LifecycleError("风险类型应为 1 至 5 项 / name one to five risks")
        unknown = [r for r in risks if r not in codes.codes("monitoring_risk")]
        if unknown:
            raise LifecycleError(f"未知的风险类型 {unknown} / unknown risk types {unknown}")
        values.update(category=category, risks=risks)
    if kind == Kind.ELIMINATION:
        if elimination_method not in codes.codes("risk_elimination"):
            raise LifecycleError("请选择风险消除方式（帮扶消除/自然消除） / choose how the risk was eliminated")
        if not MonitoringRecord.objects.filter(household=household, ended_on__isnull=True).exists():
            raise LifecycleError("该户没有在监测的风险 / the household has no open monitoring record")
        from fupin.quality.gates import elimination_problems  # the policy gate (R13.1), each unmet condition listed

        unmet = elimination_problems(household, method=elimination_method, as_of=today())
        if unmet:
            raise LifecycleError("不符合风险消除条件 / conditions for eliminating the risk not met: " + "; ".join(unmet))
        values["elimination_method"] = elimination_method
    case = Case.objects.create(
        household=household, kind=kind, year=year, reason=reason, evidence=evidence, opened_by=actor,
        previous_status=household.status, **values,
    )
    _step(case, action=Step.Action.APPLY, actor=actor, role=role, reason=reason, evidence=evidence,
          evidence_file=evidence_file, origin=origin)
    if kind in (Kind.IDENTIFICATION, Kind.NEW_POVERTY) and household.status != "applicant":
        _set_status(household, "applicant", actor=actor, reason=f"申请 / application: {reason}")
    return case


def _exit_evaluation_or_refuse(household: Household, year: int) -> dict[str, Any]:
    try:
        result = evaluation.evaluate_one(household, year)
    except evaluation.NoPovertyLine as exc:
        raise LifecycleError(str(exc)) from exc
    if not result.passes:
        raise LifecycleError("未达到脱贫标准 / exit criteria not met: " + "; ".join(result.unmet_labels))
    return result.as_json()


def register_applicant(
    *, actor: Any, village_code: str, number: str, data: Mapping[str, Any], members: list[Mapping[str, Any]],
    reason: str, kind: str = Kind.IDENTIFICATION, evidence: str = "", year: int | None = None,
) -> Case:
    """A household not yet in the registry applies: its dossier is created (through the registry's
    service) as a non-registered household, and the application is opened."""
    with transaction.atomic():
        household = registry_services.register_household(
            actor=actor, village_code=village_code, number=number,
            data={**data, "status": "non_poor", "identified_year": year or today().year},
            members=members, reason=reason,
        )
        return open_case(actor=actor, household=household, kind=kind, reason=reason, evidence=evidence, year=year)


# --- the chain --------------------------------------------------------------------------------------------


@transaction.atomic
def review(
    *, actor: Any, case: Case, approve: bool, reason: str, evidence: str = "", evidence_file: str = ""
) -> Case:
    """Village democratic review (民主评议): the clerk records the meeting's decision."""
    case = _lock(case)
    role = _check_actor(actor, case.household, {Role.CLERK: CLERK_LEVELS}, "民主评议 / democratic review")
    reason = _require_reason(reason)
    _require_stage(case, Stage.APPLIED)
    if not evidence.strip() and not evidence_file.strip():
        raise LifecycleError("请记录评议会议纪要或材料 / record the minutes or a document of the review")
    _decide(case, Step.Action.REVIEW, Stage.REVIEWED, approve=approve, actor=actor, role=role, reason=reason,
            evidence=evidence, evidence_file=evidence_file)
    return case


@transaction.atomic
def start_notice(
    *, actor: Any, cases: Sequence[Case], days: int = NOTICE_DAYS, starts_on: dt.date | None = None,
    reason: str = "村级公示 / village public notice",
) -> Notice:
    """Post the village's public notice (公示) for reviewed cases of one procedure in one village."""
    if not cases:
        raise LifecycleError("请选择公示的户 / choose the cases to publish")
    if days < NOTICE_DAYS:
        raise LifecycleError(f"公示期不少于 {NOTICE_DAYS} 天 / the notice runs at least {NOTICE_DAYS} days")
    locked = [_lock(c) for c in cases]
    villages = {c.household.village_id for c in locked}
    kinds = {c.kind for c in locked}
    if len(villages) != 1 or len(kinds) != 1:
        raise LifecycleError("一次公示限同一村、同一程序 / one notice covers one village and one procedure")
    roles = [_check_actor(actor, c.household, {Role.CLERK: CLERK_LEVELS}, "公示 / public notice") for c in locked]
    for c in locked:
        _require_stage(c, Stage.REVIEWED)
    starts_on = starts_on or today()
    if starts_on > today():
        raise LifecycleError("公示开始日期不能晚于今天 / the notice cannot start in the future")
    notice = Notice.objects.create(
        village_id=villages.pop(), kind=kinds.pop(), year=locked[0].year, starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=days - 1), created_by=actor,
    )
    for c in locked:
        c.notice = notice
        c.save(update_fields=["notice"])
        before = _move(c, Stage.NOTICE)
        _step(c, action=Step.Action.NOTICE, actor=actor, role=roles.pop(), reason=reason,
              evidence=f"公示 {notice.starts_on} – {notice.ends_on}", stage_before=before)
    return notice


@transaction.atomic
def record_objection(
    *, actor: Any, case: Case, content: str, objector: str = "", received_on: dt.date | None = None
) -> Objection:
    """An objection raised against a case in notice; it must be resolved before the case can proceed."""
    case = _lock(case)
    role = _check_actor(actor, case.household, {Role.CLERK: CLERK_LEVELS, Role.TOWNSHIP_REVIEWER: (TOWNSHIP,)},
                        "登记异议 / objection")
    _require_stage(case, Stage.NOTICE, Stage.AUDITED)
    content = _require_reason(content)
    objection = Objection.objects.create(
        case=case, received_on=received_on or today(), objector=objector[:100], content=content, recorded_by=actor,
    )
    _step(case, action=Step.Action.OBJECTION, actor=actor, role=role, reason=content,
          evidence=f"异议 #{objection.pk} {objector}", stage_before=case.stage)
    return objection


@transaction.atomic
def resolve_objection(*, actor: Any, objection: Objection, resolution: str, upheld: bool) -> Objection:
    """The township verifies the objection (乡镇核实). An upheld objection rejects the case."""
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    case = _lock(objection.case)
    role = _check_actor(actor, case.household, {Role.TOWNSHIP_REVIEWER: (TOWNSHIP,)}, "核实异议 / objection check")
    resolution = _require_reason(resolution)
    if not objection.is_open:
        raise LifecycleError("该异议已处理 / this objection is already resolved")
    objection.resolution, objection.upheld = resolution, upheld
    objection.resolved_by, objection.resolved_at = actor, timezone.now()
    objection.save()
    before = case.stage
    if upheld and case.is_open:
        _move(case, Stage.REJECTED)
    _step(case, action=Step.Action.RESOLUTION, actor=actor, role=role, reason=resolution,
          decision=Step.Decision.REJECT if upheld else Step.Decision.APPROVE,
          evidence=f"异议 #{objection.pk} {'成立' if upheld else '不成立'}", stage_before=before)
    if upheld:
        _close_rejected(case, actor=actor, reason=resolution)
    return objection


def _no_open_objection(case: Case) -> None:
    if case.objections.filter(resolved_at__isnull=True).exists():
        raise LifecycleError("公示异议尚未处理完毕 / an objection is still open; resolve it first")


def _not_own(case: Case, actor: Any, *actions: str) -> None:
    """Nobody decides on what they submitted or already decided at an earlier step."""
    earlier = case.steps.filter(action__in=[Step.Action.APPLY, *actions], actor=actor).exists()
    if earlier or case.opened_by_id == actor.pk:
        raise PermissionDenied("不能审批本人提交或经办的事项 / you cannot approve your own submission")


@transaction.atomic
def township_audit(
    *, actor: Any, case: Case, approve: bool, reason: str, evidence: str = "", evidence_file: str = ""
) -> Case:
    """Township audit (乡镇审核), after the notice period ended with every objection resolved."""
    case = _lock(case)
    role = _check_actor(actor, case.household, {Role.TOWNSHIP_REVIEWER: (TOWNSHIP,)}, "乡镇审核 / township audit")
    reason = _require_reason(reason)
    _require_stage(case, Stage.NOTICE)
    _not_own(case, actor, Step.Action.REVIEW, Step.Action.NOTICE)
    assert case.notice is not None
    if today() <= case.notice.ends_on:
        raise LifecycleError(
            f"公示期至 {case.notice.ends_on} 结束，期满后方可审核 / the notice runs until {case.notice.ends_on}; "
            "audit after it ended"
        )
    _no_open_objection(case)
    _decide(case, Step.Action.AUDIT, Stage.AUDITED, approve=approve, actor=actor, role=role, reason=reason,
            evidence=evidence, evidence_file=evidence_file)
    return case


@transaction.atomic
def county_approval(
    *, actor: Any, case: Case, approve: bool, reason: str, evidence: str = "", evidence_file: str = ""
) -> Case:
    """County approval (县级审批); an approval is applied to the household's dossier at once."""
    case = _lock(case)
    role = _check_actor(actor, case.household, {Role.COUNTY_ADMIN: (COUNTY,)}, "县级审批 / county approval")
    reason = _require_reason(reason)
    _require_stage(case, Stage.AUDITED)
    _not_own(case, actor, Step.Action.REVIEW, Step.Action.NOTICE, Step.Action.AUDIT)
    _no_open_objection(case)
    if approve and case.kind == Kind.EXIT:
        case.evaluation = _exit_evaluation_or_refuse(case.household, case.year)  # the dossier may have changed
        case.save(update_fields=["evaluation"])
    _decide(case, Step.Action.APPROVAL, Stage.APPROVED, approve=approve, actor=actor, role=role, reason=reason,
            evidence=evidence, evidence_file=evidence_file)
    if approve:
        _apply(case, actor=actor, reason=reason)
    return case


def _apply(case: Case, *, actor: Any, reason: str) -> None:
    """The approved procedure's effect on the dossier."""
    household = case.household
    why = f"{Kind(case.kind).label} #{case.pk}: {reason}"
    if case.kind in (Kind.IDENTIFICATION, Kind.NEW_POVERTY):
        _set_status(household, RESULT_STATUS[case.kind], actor=actor, reason=why, identified_year=case.year, exit_year=None)
    elif case.kind == Kind.EXIT:
        _set_status(household, "exited", actor=actor, reason=why, exit_year=case.year)
    elif case.kind == Kind.RETURN:
        _set_status(household, "returned", actor=actor, reason=why)
    elif case.kind == Kind.MONITORING:
        MonitoringRecord.objects.create(
            household=household, category=case.category, risks=case.risks, started_on=today(), included_by=case,
        )
        _set_status(household, "monitored", actor=actor, reason=why)
    elif case.kind == Kind.ELIMINATION:
        record = MonitoringRecord.objects.filter(household=household, ended_on__isnull=True).order_by("-id").first()
        previous = "exited"
        if record is not None:
            record.ended_on, record.elimination_method, record.eliminated_by = today(), case.elimination_method, case
            record.save()
            previous = record.included_by.previous_status or "exited"
        _set_status(household, previous, actor=actor, reason=why)
    elif case.kind == Kind.REMOVAL:
        # A removed household is no longer monitored either: its open monitoring record ends with the case.
        MonitoringRecord.objects.filter(household=household, ended_on__isnull=True).update(
            ended_on=today(), eliminated_by=case)
        _set_status(household, RESULT_STATUS[Kind.REMOVAL], actor=actor, reason=why)


@transaction.atomic
def withdraw(*, actor: Any, case: Case, reason: str) -> Case:
    """The applicant withdraws, or the village stops the case before the county decides."""
    case = _lock(case)
    role = _check_actor(actor, case.household, {Role.CLERK: CLERK_LEVELS}, "撤回 / withdrawal")
    reason = _require_reason(reason)
    _require_stage(case, *OPEN_STAGES)
    before = _move(case, Stage.WITHDRAWN)
    _step(case, action=Step.Action.WITHDRAW, actor=actor, role=role, reason=reason, stage_before=before)
    _close_rejected(case, actor=actor, reason=reason)
    return case


STEP_FUNCTIONS = {"review": review, "audit": township_audit, "approve": county_approval}


@dataclass
class BulkResult:
    case_id: int
    ok: bool
    message: str


def bulk_decide(*, actor: Any, step: str, case_ids: Sequence[int], approve: bool, reason: str) -> list[BulkResult]:
    """Decide a reviewed list: each case goes through the same service function, in its own transaction,
    so that one refusal does not undo the others."""
    fn = STEP_FUNCTIONS[step]
    results = []
    for case in Case.objects.filter(pk__in=list(case_ids)).order_by("pk"):
        try:
            kwargs: dict[str, Any] = {"actor": actor, "case": case, "approve": approve, "reason": reason}
            if step == "review":
                kwargs["evidence"] = reason
            fn(**kwargs)
            results.append(BulkResult(case.pk, True, ""))
        except (ValidationError, PermissionDenied) as exc:
            results.append(BulkResult(case.pk, False, error_text(exc)))
    missing = set(case_ids) - {r.case_id for r in results}
    results += [BulkResult(pk, False, "不存在 / no such case") for pk in sorted(missing)]
    return results


# --- assistance measures (R3.2) --------------------------------------------------------------------------

MEASURE_FIELDS = ("type", "description", "start_date", "end_date", "funds", "fund_source", "responsible", "cadre_id",
                  "result")
MEASURE_REQUIRED = ("type", "description", "start_date", "responsible")
MEASURE_MAX_LENGTHS = {"description": 300, "responsible": 100, "result": 300}
REQUIRED = "必填 / required"


def _measure_values(data: Mapping[str, Any], household: Household) -> dict[str, Any]:
    """The given measure fields checked and converted; errors by field, in Chinese and English."""
    values = {k: data[k] for k in MEASURE_FIELDS if k in data}
    errors: dict[str, str] = {}
    if "type" in values and values["type"] not in codes.codes("measure_type"):
        errors["type"] = "请选择帮扶措施类型 / choose the type of measure"
    if "fund_source" in values:
        values["fund_source"] = values["fund_source"] or ""
        if values["fund_source"] and values["fund_source"] not in codes.codes("fund_source"):
            errors["fund_source"] = "未知的资金来源 / unknown source of funds"
    if "funds" in values:
        try:
            values["funds"] = Decimal(str(values["funds"] or 0))
            if not values["funds"].is_finite():
                raise InvalidOperation
            if values["funds"] < 0:
                errors["funds"] = "资金不能为负数 / funds cannot be negative"
            elif values["funds"] >= Decimal("1e10"):
                errors["funds"] = "资金超出范围 / funds out of range"
        except InvalidOperation:
            errors["funds"] = "应为数字 / must be a number"
    for k in ("start_date", "end_date"):
        if isinstance(values.get(k), str):
            try:
                values[k] = dt.date.fromisoformat(values[k]) if values[k] else None
            except ValueError:
                errors[k] = "日期格式应为 YYYY-MM-DD / date as YYYY-MM-DD"
    for k, n in MEASURE_MAX_LENGTHS.items():
        if k in values:
            values[k] = str(values[k] or "").strip()
            if len(values[k]) > n:
                errors[k] = f"不超过 {n} 个字 / at most {n} characters"
    for k in MEASURE_REQUIRED:
        if k in values and not values[k]:
            errors.setdefault(k, REQUIRED)
    if "cadre_id" in values:
        cadre = values["cadre_id"]
        values["cadre_id"] = None if cadre in ("", None) else _measure_cadre(cadre, household, errors)
    if errors:
        raise ValidationError(errors)
    return values


def measure_cadres(household: Household) -> QuerySet[Cadre]:
    """The cadres who may be responsible for a measure of the household: those of its village or of a
    township, county, prefecture or province above it."""
    code = household.village_id
    return Cadre.objects.filter(region_id__in=[code[:n] for n in sorted(set(CODE_LENGTHS.values())) if n <= len(code)])


def _measure_cadre(value: Any, household: Household, errors: dict[str, str]) -> int | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = 0
    if not measure_cadres(household).filter(pk=pk).exists():
        errors["cadre_id"] = "该帮扶责任人不属于本户所在地区 / this cadre does not belong to the household's region"
        return None
    return pk


def check_measure_actor(actor: Any, household: Household) -> None:
    """Who may record and correct measures: the roles that write dossiers, inside their region."""
    registry_services.check_can_write(actor, household.village_id)


@transaction.atomic
def add_measure(*, actor: Any, household: Household, data: Mapping[str, Any]) -> Measure:
    check_measure_actor(actor, household)
    values = _measure_values(data, household)
    missing = {k: REQUIRED for k in MEASURE_REQUIRED if not values.get(k)}
    if missing:
        raise ValidationError(missing)
    _check_dates(values.get("start_date"), values.get("end_date"))
    measure = Measure.objects.create(household=household, created_by=actor, **values)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=measure,
                 summary=f"measure {measure.type} for {household.number}", detail={"funds": str(measure.funds)})
    return measure


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise ValidationError({"end_date": "结束日期早于开始日期 / the end is before the start"})


def _audit_value(v: Any) -> Any:
    return v if v is None or isinstance(v, (str, int)) else str(v)


@transaction.atomic
def update_measure(*, actor: Any, measure: Measure, **fields: Any) -> Measure:
    """Correct a measure or record its end date and result later: the same role, region and validation
    as ``add_measure``; only the changed fields are saved and audited, with their values before and after."""
    measure = Measure.objects.select_for_update(of=("self",)).select_related("household").get(pk=measure.pk)
    check_measure_actor(actor, measure.household)
    unknown = sorted(set(fields) - set(MEASURE_FIELDS))
    if unknown:
        raise ValidationError({k: "不能修改此项 / this field cannot be changed" for k in unknown})
    values = _measure_values(fields, measure.household)
    changed = {k: v for k, v in values.items() if getattr(measure, k) != v}
    _check_dates(values.get("start_date", measure.start_date), values.get("end_date", measure.end_date))
    if not changed:
        return measure
    before = {k: _audit_value(getattr(measure, k)) for k in changed}
    for k, v in changed.items():
        setattr(measure, k, v)
    measure.save(update_fields=[*changed, "updated_at"])
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=measure,
                 summary=f"measure {measure.pk} of {measure.household.number}: {', '.join(changed)}",
                 detail={"before": before, "after": {k: _audit_value(v) for k, v in changed.items()}})
    return measure


@transaction.atomic
def delete_measure(*, actor: Any, measure: Measure, reason: str) -> None:
    check_measure_actor(actor, measure.household)
    reason = _require_reason(reason)
    audit.record(actor=actor, action=AuditEvent.Action.DELETE, obj=measure, summary=f"measure {measure.pk}: {reason}",
                 detail={"type": measure.type, "description": measure.description, "funds": str(measure.funds)})
    measure.delete()


# --- post-exit tracking and poverty lines ------------------------------------------------------------------


@transaction.atomic
def record_follow_up(
    *, actor: Any, household: Household, stable: bool, note: str = "", visited_on: dt.date | None = None
) -> FollowUp:
    """A tracking visit of an exited household (脱贫不脱政策, 跟踪回访)."""
    role = _check_actor(actor, household, {Role.CLERK: CLERK_LEVELS}, "跟踪回访 / follow-up")
    if household.status not in ("exited", "monitored"):
        raise LifecycleError("仅对已脱贫户跟踪回访 / only exited households are followed up")
    visit = FollowUp.objects.create(household=household, visited_on=visited_on or today(), visitor=actor,
                                    stable=stable, note=note[:500])
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=visit,
                 summary=f"follow-up {household.number}: {'stable' if stable else 'at risk'}", detail={"role": role})
    return visit


@transaction.atomic
def set_poverty_line(
    *, actor: Any, year: int, standard: str, amount: Decimal | str, province: str = "", note: str = ""
) -> PovertyLine:
    """Administrators maintain the lines (the admin site writes through the same checks)."""
    if not (getattr(actor, "is_superuser", False) or actor.has_role(Role.SYSADMIN)):
        raise PermissionDenied("仅系统管理员可维护扶贫标准 / only system administrators maintain poverty lines")
    if standard not in PovertyLine.Standard.values:
        raise LifecycleError(f"未知的标准 {standard!r} / unknown standard")
    if (standard == PovertyLine.Standard.NATIONAL) != (province == ""):
        raise LifecycleError("省定标准须指定省份，国家标准不指定 / a provincial line names its province, the national one none")
    line, _ = PovertyLine.objects.update_or_create(
        year=year, standard=standard, province=province, defaults={"amount": Decimal(str(amount)), "note": note}
    )
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=line, summary=f"poverty line {line}")
    return line
