"""What every lifecycle service shares: the status rules of the procedures, the clock, the checks of actor,
stage and reason, and the step record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fupin.core import audit, permissions, tree
from fupin.core.changes import mark_changed
from fupin.core.models import AuditEvent
from fupin.core.roles import Role
from fupin.core.scoping import scope_of
from fupin.lifecycle import evaluation
from fupin.lifecycle.models import (
    OPEN_STAGES,
    Case,
    Kind,
    Stage,
    Step,
)
from fupin.regions.models import Level
from fupin.registry import history
from fupin.registry.models import Household, HouseholdVersion

NOTICE_DAYS = 7
NOTICE_MAX_DAYS = 60  # a longer notice is a mistake (and 10**9 days overflows the calendar)
NOTICE_MAX_LEAD_DAYS = 30  # a notice may be announced up to a month before it starts
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
# Who takes each step of the chain, at which level, and its name in the refusal.
STEP_ROLES: dict[str, tuple[dict[Role, tuple[Level, ...]], str]] = {
    "open": (OPENERS[""], "申请 / application"),
    "review": ({Role.CLERK: CLERK_LEVELS}, "民主评议 / democratic review"),
    "notice": ({Role.CLERK: CLERK_LEVELS}, "公示 / public notice"),
    "objection": ({Role.CLERK: CLERK_LEVELS, Role.TOWNSHIP_REVIEWER: (TOWNSHIP,)}, "登记异议 / objection"),
    "resolve": ({Role.TOWNSHIP_REVIEWER: (TOWNSHIP,)}, "核实异议 / objection check"),
    "audit": ({Role.TOWNSHIP_REVIEWER: (TOWNSHIP,)}, "乡镇审核 / township audit"),
    "approval": ({Role.COUNTY_ADMIN: (COUNTY,)}, "县级审批 / county approval"),
    "withdraw": ({Role.CLERK: CLERK_LEVELS}, "撤回 / withdrawal"),
    "follow_up": ({Role.CLERK: CLERK_LEVELS}, "跟踪回访 / follow-up"),
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
    level = tree.LEVELS.get(len(code))
    return level or None


def _check_role(actor: Any, allowed: Mapping[Role, tuple[Level, ...]], what: str) -> Role:
    """The actor has one of the ``allowed`` roles and sits at that role's level (the household is not looked at)."""
    if not permissions.is_user(actor):
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
    return role


def check_step_role(actor: Any, step: str) -> None:
    """The role part of a step (``STEP_ROLES``), checked by the views before the case or household is looked up:
    a role that may never take the step is refused (403) whether the object exists or not, inside or outside its
    region, so the answer tells it nothing (issue 20: no existence probing). The service checks again, with the
    region."""
    allowed, what = STEP_ROLES[step]
    _check_role(actor, allowed, what)


def _check_actor(actor: Any, household: Household, allowed: Mapping[Role, tuple[Level, ...]], what: str) -> str:
    """The actor has one of the ``allowed`` roles, sits at that role's level, and the household lies in
    the actor's region. Returns the role used (recorded on the step)."""
    role = _check_role(actor, allowed, what)
    if not scope_of(actor).contains(household.village_id):
        raise PermissionDenied("该户不在您的管辖范围内 / this household is outside your region")
    return role.value


def _check_step(actor: Any, household: Household, step: str) -> str:
    allowed, what = STEP_ROLES[step]
    return _check_actor(actor, household, allowed, what)


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
    mark_changed((), households=[household.pk])  # status, monitoring records (every decision passes here)


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
