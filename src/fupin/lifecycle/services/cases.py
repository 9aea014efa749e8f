"""The procedures on a case (R3.1): opening, the chain of steps, withdrawal and bulk decisions.

    open_case (clerk) → review 民主评议 (clerk) → start_notice 公示 (clerk, 7 to 60 days, starting today or later)
      → [objections recorded and resolved] → township_audit 乡镇审核 (township reviewer, after the notice
      ended with no open objection) → county_approval 县级审批 (county administrator) → applied to the dossier"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.core import codes
from fupin.core.errors import error_text
from fupin.lifecycle import evaluation
from fupin.lifecycle.models import (
    OPEN_STAGES,
    Case,
    Kind,
    MonitoringRecord,
    Notice,
    Objection,
    Stage,
    Step,
)
from fupin.lifecycle.services import common
from fupin.lifecycle.services.common import (
    CATEGORY_STATUSES,
    MAX_RISKS,
    MONITORING_FROM_YEAR,
    NOTICE_DAYS,
    NOTICE_MAX_DAYS,
    NOTICE_MAX_LEAD_DAYS,
    OPENERS,
    RESULT_STATUS,
    STARTS_FROM,
    LifecycleError,
    _check_actor,
    _check_step,
    _close_rejected,
    _decide,
    _lock,
    _move,
    _require_reason,
    _require_stage,
    _set_status,
    _step,
)
from fupin.registry import services as registry_services
from fupin.registry.models import Household

# --- opening ---------------------------------------------------------------------------------------------


@transaction.atomic
def open_case(
    *, actor: Any, household: Household, kind: str, reason: str, year: int | None = None, evidence: str = "",
    evidence_file: str = "", category: str = "", risks: Iterable[str] = (), elimination_method: str = "",
    origin: str = "", income_reason: str = "",
) -> Case:
    """The application (申请), entered by the village clerk for the household. With
    ``origin="verification"`` the township reviewer or county administrator who confirmed a doubt of the data
    comparison opens it instead; the step records that origin. An inclusion (identification, new poverty,
    monitoring object) whose income is implausible (``lifecycle.gates.inclusion_doubts``: data quality's
    bounds) needs ``income_reason``, kept with the case's evidence."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    if origin not in OPENERS:
        raise LifecycleError(f"未知的来源“{origin}” / unknown origin {origin!r}")
    role = _check_actor(actor, household, OPENERS[origin], "申请 / application")
    reason = _require_reason(reason)
    if kind not in Kind.values:
        raise LifecycleError(f"未知的程序“{kind}” / unknown procedure {kind!r}")
    if not year:
        # an exit is judged against a poverty line: by default the last complete year that has one
        year = evaluation.default_year(common.today()) if kind == Kind.EXIT else common.today().year
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
        from fupin.lifecycle.gates import (
            elimination_problems,  # the policy gates (R13.1), each unmet condition
        )

        unmet = elimination_problems(household, method=elimination_method, as_of=common.today())
        if unmet:
            raise LifecycleError("不符合风险消除条件 / conditions for eliminating the risk not met: " + "; ".join(unmet))
        values["elimination_method"] = elimination_method
    if kind in (Kind.IDENTIFICATION, Kind.NEW_POVERTY, Kind.MONITORING):
        from fupin.lifecycle.gates import inclusion_doubts

        doubts = inclusion_doubts(household, kind=kind, year=year)
        if doubts and not income_reason.strip():
            raise LifecycleError("收入不合理，须说明纳入理由 / the income makes this inclusion implausible: state why "
                                 "the household is included (income_reason): " + "; ".join(doubts))
        if doubts:
            evidence = "\n".join(x for x in (evidence, f"收入不合理的说明 / why despite the income: {income_reason.strip()}"
                                               f"（{'; '.join(doubts)}）") if x)
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
            data={**data, "status": "non_poor", "identified_year": year or common.today().year},
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
    role = _check_step(actor, case.household, "review")
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
    reason: str = "村级公示",
) -> Notice:
    """Post the village's public notice (公示) for reviewed cases of one procedure in one village."""
    if not cases:
        raise LifecycleError("请选择公示的户 / choose the cases to publish")
    if days < NOTICE_DAYS:
        raise LifecycleError(f"公示期不少于 {NOTICE_DAYS} 天 / the notice runs at least {NOTICE_DAYS} days")
    if days > NOTICE_MAX_DAYS:
        raise LifecycleError(f"公示期不超过 {NOTICE_MAX_DAYS} 天 / the notice runs at most {NOTICE_MAX_DAYS} days")
    starts_on = starts_on or common.today()
    if starts_on < common.today():
        # A notice dated in the past would let the township audit at once: the 公示 would never have been seen.
        raise LifecycleError(f"公示开始日期不能早于今天（{common.today()}） / the notice cannot start before today ({common.today()})")
    if starts_on > common.today() + dt.timedelta(days=NOTICE_MAX_LEAD_DAYS):
        raise LifecycleError(f"公示开始日期不能晚于 {NOTICE_MAX_LEAD_DAYS} 天后 / the notice must start within "
                             f"{NOTICE_MAX_LEAD_DAYS} days")
    locked = [_lock(c) for c in cases]
    villages = {c.household.village_id for c in locked}
    kinds = {c.kind for c in locked}
    if len(villages) != 1 or len(kinds) != 1:
        raise LifecycleError("一次公示限同一村、同一程序 / one notice covers one village and one procedure")
    roles = [_check_step(actor, c.household, "notice") for c in locked]
    for c in locked:
        _require_stage(c, Stage.REVIEWED)
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
    role = _check_step(actor, case.household, "objection")
    _require_stage(case, Stage.NOTICE, Stage.AUDITED)
    content = _require_reason(content)
    objection = Objection.objects.create(
        case=case, received_on=received_on or common.today(), objector=objector[:100], content=content, recorded_by=actor,
    )
    _step(case, action=Step.Action.OBJECTION, actor=actor, role=role, reason=content,
          evidence=f"异议 #{objection.pk} {objector}", stage_before=case.stage)
    return objection


@transaction.atomic
def resolve_objection(*, actor: Any, objection: Objection, resolution: str, upheld: bool) -> Objection:
    """The township verifies the objection (乡镇核实). An upheld objection rejects the case."""
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    case = _lock(objection.case)
    role = _check_step(actor, case.household, "resolve")
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
    role = _check_step(actor, case.household, "audit")
    reason = _require_reason(reason)
    _require_stage(case, Stage.NOTICE)
    _not_own(case, actor, Step.Action.REVIEW, Step.Action.NOTICE)
    assert case.notice is not None
    if common.today() <= case.notice.ends_on:
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
    role = _check_step(actor, case.household, "approval")
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
            household=household, category=case.category, risks=case.risks, started_on=common.today(), included_by=case,
        )
        _set_status(household, "monitored", actor=actor, reason=why)
    elif case.kind == Kind.ELIMINATION:
        record = MonitoringRecord.objects.filter(household=household, ended_on__isnull=True).order_by("-id").first()
        previous = "exited"
        if record is not None:
            record.ended_on, record.elimination_method, record.eliminated_by = common.today(), case.elimination_method, case
            record.save()
            previous = record.included_by.previous_status or "exited"
        _set_status(household, previous, actor=actor, reason=why)
    elif case.kind == Kind.REMOVAL:
        # A removed household is no longer monitored either: its open monitoring record ends with the case.
        MonitoringRecord.objects.filter(household=household, ended_on__isnull=True).update(
            ended_on=common.today(), eliminated_by=case)
        _set_status(household, RESULT_STATUS[Kind.REMOVAL], actor=actor, reason=why)


@transaction.atomic
def withdraw(*, actor: Any, case: Case, reason: str) -> Case:
    """The applicant withdraws, or the village stops the case before the county decides."""
    case = _lock(case)
    role = _check_step(actor, case.household, "withdraw")
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
