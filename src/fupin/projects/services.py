"""Writes of projects, funds and the action plan (R10): one function per act, keyword arguments, transactional,
audited. Refusals raise ``ProjectError`` (a ``ValidationError``) or ``PermissionDenied``, "中文 / English".

Money flows down the tree: a fund line (year, level, source) holds its own funds plus what higher lines allocate to
it, and allocates onwards to a lower region's line, to a sub-line of its own, or to a project. ``allocate`` locks
the giving line's row and refuses an allocation that would take out more than the line holds, so two finance
officers allocating from one line at once cannot overdraw it. A project goes

    register 入库 → approve 审批 → start_notice 公示 (≥ 7 days) → start_implementation 实施 → accept 验收
      → evaluate 绩效

and money is paid out of it (``record_disbursement``, ``uploads``) while it is implemented or after acceptance.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from fupin.core import audit
from fupin.core.models import AuditEvent
from fupin.core.roles import Role
from fupin.core.scoping import scope_of
from fupin.projects.models import (
    LEVEL_CODE_LENGTH,
    Allocation,
    Beneficiary,
    Disbursement,
    FundLevel,
    FundLine,
    FundSource,
    Meeting,
    Plan,
    PlanLevel,
    ProgressReport,
    Project,
    ProjectNotice,
    ProjectStep,
    ProjectType,
    ProjectVillage,
    Stage,
    Task,
)
from fupin.regions.models import Level, Region
from fupin.targets.models import AREA_TYPES, REGION_FLAGS, Target, TargetRevision

DATA_DIR = Path(__file__).resolve().parent / "data"
NOTICE_DAYS = 7
MAX_NOTICE_DAYS = 60
CENT = Decimal("0.01")

FUND_ROLES = (Role.FINANCE, Role.SYSADMIN)
PROJECT_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER, Role.SYSADMIN)
APPROVAL_ROLES = (Role.COUNTY_ADMIN, Role.SYSADMIN)
ACCEPTANCE_ROLES = (Role.COUNTY_ADMIN, Role.FINANCE, Role.SYSADMIN)
EVALUATION_ROLES = (Role.FINANCE, Role.SYSADMIN)
PLAN_ROLES = (Role.COUNTY_ADMIN, Role.SYSADMIN)
REPORT_ROLES = (Role.LEAD_UNIT, Role.SYSADMIN)
TARGET_ROLES = (Role.SYSADMIN,)

# Which stage each step needs, and the stage it leads to.
STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "approve": ((Stage.REGISTERED,), Stage.APPROVED),
    "reject": ((Stage.REGISTERED, Stage.APPROVED), Stage.REJECTED),
    "notice": ((Stage.APPROVED,), Stage.NOTICE),
    "implement": ((Stage.NOTICE,), Stage.IMPLEMENTING),
    "accept": ((Stage.IMPLEMENTING,), Stage.ACCEPTED),
    "evaluate": ((Stage.ACCEPTED,), Stage.EVALUATED),
}
SPENDING_STAGES = (Stage.IMPLEMENTING, Stage.ACCEPTED, Stage.EVALUATED)
FUNDABLE_STAGES = (Stage.REGISTERED, Stage.APPROVED, Stage.NOTICE, Stage.IMPLEMENTING)


class ProjectError(ValidationError):
    """An illegal act: the message says why, in Chinese and English."""


def today() -> dt.date:
    """The current local date; tests replace it to let a notice period pass."""
    return timezone.localdate()


def _require(actor: Any, roles: Sequence[Role], what: str) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("请先登录 / please log in")
    if actor.is_superuser or actor.has_role(*roles):
        return
    names = "、".join(str(r.label) for r in roles)
    raise PermissionDenied(f"{what}须由{names}办理 / {what}: only {', '.join(r.value for r in roles)} may do this")


def _require_scope(actor: Any, code: str | None, what: str) -> None:
    scope = scope_of(actor)
    if code is None or code == "":
        if not scope.is_nation:
            raise PermissionDenied(f"{what}：仅全国用户可办理 / {what}: nationwide users only")
    elif not scope.contains(code):
        raise PermissionDenied(f"{what}：不在您的管辖范围内 / {what}: outside your region")


def _amount(value: Any, what: str = "金额 / amount") -> Decimal:
    try:
        d = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError) as exc:
        raise ProjectError(f"{what}不是有效数字 / {what} is not a number") from exc
    if d <= 0:
        raise ProjectError(f"{what}须大于零 / {what} must be positive")
    return d


def _text(value: str, what: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ProjectError(f"请填写{what} / {what} is required")
    return value[:limit]


def _region(code: str, what: str = "地区 / region") -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ProjectError(f"{what}代码 {code} 不存在 / no region with code {code}")
    return region


# ---------------------------------------------------------------- fund lines and allocations

def line_totals(line: FundLine) -> tuple[Decimal, Decimal]:
    """(what the line holds: own funds + received, what it has allocated onwards)."""
    received = Allocation.objects.filter(to_line=line).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    out = Allocation.objects.filter(source=line).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return line.own_amount + received, out


@transaction.atomic
def create_fund_line(
    *, actor: Any, code: str, year: int, level: str, source: str, name: str, region_code: str = "",
    own_amount: Any = 0, parent_id: int | None = None, document: str = "",
) -> FundLine:
    """A fund line of a year at one level; the central line has no region, the others the region of their level
    (province, city, county). A sub-line (``parent_id``) belongs to a line of the same year, region and source."""
    _require(actor, FUND_ROLES, "资金线 / fund line")
    code = _text(code, "资金线编号 / line number", 60)
    name = _text(name, "名称 / name", 200)
    if level not in FundLevel.values:
        raise ProjectError(f"级别 {level} 无效 / unknown level {level}")
    if source not in FundSource.values:
        raise ProjectError(f"资金来源 {source} 无效 / unknown source {source}")
    if not 2000 <= int(year) <= 2100:
        raise ProjectError("年度无效 / the year is out of range")
    want = LEVEL_CODE_LENGTH[FundLevel(level)]
    region: Region | None = None
    if want:
        region = _region(region_code)
        if len(region.code) != want:
            raise ProjectError(f"{FundLevel(level).label}资金线须挂在相应级别的地区 / a {level} line belongs to a "
                               f"region of that level")
    elif region_code:
        raise ProjectError("中央资金线不挂地区 / a central line has no region")
    _require_scope(actor, region.code if region else None, "资金线 / fund line")
    try:
        own = Decimal(str(own_amount or 0)).quantize(CENT)
    except InvalidOperation as exc:
        raise ProjectError("金额不是有效数字 / the amount is not a number") from exc
    if own < 0:
        raise ProjectError("金额不能为负 / the amount cannot be negative")
    parent = None
    if parent_id is not None:
        parent = FundLine.objects.filter(pk=parent_id).first()
        if parent is None or parent.year != int(year) or parent.region_id != (region.code if region else None) \
                or parent.source != source:
            raise ProjectError("子项须属于同年度、同地区、同来源的资金线 / a sub-line belongs to a line of the same "
                               "year, region and source")
    if FundLine.objects.filter(code=code).exists():
        raise ProjectError(f"资金线编号 {code} 已存在 / line number {code} exists")
    line = FundLine.objects.create(code=code, year=year, level=level, source=source, name=name, region=region,
                                   parent=parent, own_amount=own, document=document[:100], created_by=actor)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=line,
                 summary=f"fund line {code} {name}: {own} yuan", detail={"year": year, "source": source})
    return line


def _check_receiver(source: FundLine, to_line: FundLine | None, project: Project | None) -> str:
    """The receiving region's code; refuses a receiver the line may not fund."""
    if to_line is not None:
        if to_line.pk == source.pk:
            raise ProjectError("不能拨给自身 / a line cannot allocate to itself")
        if to_line.year != source.year or to_line.source != source.source:
            raise ProjectError("只能拨给同年度、同来源的资金线 / allocate to a line of the same year and source")
        if to_line.parent_id == source.pk:
            return to_line.region_id or ""
        above = source.region_id or ""
        below = to_line.region_id or ""
        if not below or not below.startswith(above) or len(below) <= len(above):
            raise ProjectError("只能拨给下级地区的资金线或本线子项 / allocate to a line of a lower region or to a "
                               "sub-line of this line")
        return below
    assert project is not None
    if project.stage not in FUNDABLE_STAGES:
        raise ProjectError(f"项目处于“{Stage(project.stage).label}”，不能再安排资金 / a project at stage "
                           f"{project.stage} takes no new funds")
    if not project.region_id.startswith(source.region_id or ""):
        raise ProjectError("项目不在该资金线的地区内 / the project lies outside the line's region")
    return project.region_id


@transaction.atomic
def allocate(
    *, actor: Any, source_id: int, amount: Any, allocated_on: dt.date | None = None, to_line_id: int | None = None,
    project_id: int | None = None, document: str = "",
) -> Allocation:
    """Allocate from a line to a lower line or a project; never more than the line still holds."""
    _require(actor, FUND_ROLES, "资金分配 / allocation")
    if (to_line_id is None) == (project_id is None):
        raise ProjectError("请指定接收的资金线或项目（二选一）/ name either a receiving line or a project")
    amount = _amount(amount)
    # The row lock serialises allocations from one line: the second waits and then sees the first's sum.
    source = FundLine.objects.select_for_update(of=("self",)).filter(pk=source_id).order_by().first()
    if source is None:
        raise ProjectError("资金线不存在 / no such fund line")
    _require_scope(actor, source.region_id, "资金分配 / allocation")
    to_line = FundLine.objects.filter(pk=to_line_id).first() if to_line_id is not None else None
    project = Project.objects.filter(pk=project_id).first() if project_id is not None else None
    if (to_line_id is not None and to_line is None) or (project_id is not None and project is None):
        raise ProjectError("接收方不存在 / no such receiver")
    region = _check_receiver(source, to_line, project)
    held, out = line_totals(source)
    if out + amount > held:
        raise ProjectError(f"超出资金线余额：可分配 {held - out} 元，本次 {amount} 元 / exceeds what the line holds: "
                           f"{held - out} yuan left, {amount} asked")
    if not region:
        raise ProjectError("接收方没有地区 / the receiver has no region")
    alloc = Allocation.objects.create(source=source, to_line=to_line, project=project, region_id=region,
                                      amount=amount, allocated_on=allocated_on or today(), document=document[:100],
                                      created_by=actor)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=alloc,
                 summary=f"allocation {amount} yuan from {source.code} to "
                         f"{to_line.code if to_line else project.code if project else ''}",
                 detail={"source": source.pk, "to_line": to_line_id, "project": project_id, "amount": str(amount)})
    return alloc


# ---------------------------------------------------------------- the project library and its procedure

@transaction.atomic
def register_project(
    *, actor: Any, code: str, name: str, year: int, type: str, lead_unit: str, region_code: str, budget: Any,
    planned_start: dt.date, planned_end: dt.date, description: str = "", synthetic: bool = False,
) -> Project:
    """入库: a county or township enters a project of its region into the library."""
    _require(actor, PROJECT_ROLES, "项目入库 / project registration")
    code = _text(code, "项目编号 / project number", 40)
    name = _text(name, "项目名称 / project name", 200)
    lead_unit = _text(lead_unit, "牵头单位 / lead unit", 100)
    if type not in ProjectType.values:
        raise ProjectError(f"项目类型 {type} 无效 / unknown project type {type}")
    region = _region(region_code)
    if region.level < Level.COUNTY:
        raise ProjectError("项目须落在县、乡或村 / a project lies in a county, township or village")
    _require_scope(actor, region.code, "项目入库 / project registration")
    try:
        budget_d = Decimal(str(budget)).quantize(CENT)
    except InvalidOperation as exc:
        raise ProjectError("预算不是有效数字 / the budget is not a number") from exc
    if budget_d < 0:
        raise ProjectError("预算不能为负 / the budget cannot be negative")
    if planned_end < planned_start:
        raise ProjectError("计划完工不能早于开工 / the planned completion precedes the start")
    if Project.objects.filter(code=code).exists():
        raise ProjectError(f"项目编号 {code} 已存在 / project number {code} exists")
    project = Project.objects.create(
        code=code, name=name, year=year, type=type, lead_unit=lead_unit, region=region, budget=budget_d,
        planned_start=planned_start, planned_end=planned_end, description=description, synthetic=synthetic,
        created_by=actor)
    _step(project, action="register", actor=actor, before="", note=name)
    return project


def _step(project: Project, *, action: str, actor: Any, before: str, note: str = "") -> ProjectStep:
    step = ProjectStep.objects.create(project=project, action=action, actor=actor, username=actor.username,
                                      stage_before=before, stage_after=project.stage, note=note[:500])
    audit.record(actor=actor, action=AuditEvent.Action.CREATE if action == "register" else AuditEvent.Action.UPDATE,
                 obj=project, summary=f"project {project.code}: {action} {before} → {project.stage} {note}"[:300],
                 detail={"step": action, "stage_before": before, "stage_after": project.stage, "note": note})
    return step


def _lock_project(actor: Any, project_id: int, what: str) -> Project:
    project = Project.objects.select_for_update(of=("self",)).filter(pk=project_id).order_by().first()
    if project is None:
        raise ProjectError("项目不存在 / no such project")
    _require_scope(actor, project.region_id, what)
    return project


def _advance(actor: Any, project_id: int, action: str, roles: Sequence[Role], what: str, note: str = "",
             **fields: Any) -> Project:
    _require(actor, roles, what)
    project = _lock_project(actor, project_id, what)
    allowed, after = STEPS[action]
    if project.stage not in allowed:
        raise ProjectError(f"项目处于“{Stage(project.stage).label}”，不能办理{what} / the project is at stage "
                           f"“{project.stage}”; this step needs {', '.join(allowed)}")
    before = project.stage
    project.stage = after
    project.stage_since = timezone.now()
    for k, v in fields.items():
        setattr(project, k, v)
    project.save(update_fields=["stage", "stage_since", *fields])
    _step(project, action=action, actor=actor, before=before, note=note)
    return project


def _county_or_above(actor: Any, what: str) -> None:
    code = getattr(actor, "region_id", None) or ""
    if len(code) > 6:
        raise PermissionDenied(f"{what}须由县级及以上办理 / {what} is done at county level or above")


@transaction.atomic
def approve(*, actor: Any, project_id: int, approve: bool = True, note: str = "") -> Project:
    """审批: the county approves the project, or rejects it (with a reason)."""
    what = "项目审批 / approval"
    _county_or_above(actor, what)
    if not approve:
        return _advance(actor, project_id, "reject", APPROVAL_ROLES, what, _text(note, "理由 / reason", 500))
    return _advance(actor, project_id, "approve", APPROVAL_ROLES, what, note)


@transaction.atomic
def start_notice(*, actor: Any, project_id: int, days: int = NOTICE_DAYS, text: str = "",
                 starts_on: dt.date | None = None) -> ProjectNotice:
    """公示: the approved project is posted on the public notices page for ``days`` days (7–60)."""
    what = "项目公示 / project notice"
    if not NOTICE_DAYS <= days <= MAX_NOTICE_DAYS:
        raise ProjectError(f"公示期为 {NOTICE_DAYS}–{MAX_NOTICE_DAYS} 天 / a notice runs {NOTICE_DAYS}–"
                           f"{MAX_NOTICE_DAYS} days")
    starts_on = starts_on or today()
    if starts_on < today():
        raise ProjectError("公示开始日期不能早于今天 / the notice cannot start in the past")
    _county_or_above(actor, what)
    project = _advance(actor, project_id, "notice", APPROVAL_ROLES, what, f"{starts_on} +{days}")
    body = text.strip() or (
        f"{project.name}（{project.get_type_display()}），牵头单位：{project.lead_unit}，"
        f"预算 {project.budget} 元，计划 {project.planned_start} 至 {project.planned_end}。{project.description}")
    return ProjectNotice.objects.create(project=project, kind=ProjectNotice.Kind.PROJECT, starts_on=starts_on,
                                        ends_on=starts_on + dt.timedelta(days=days - 1), text=body, created_by=actor)


@transaction.atomic
def start_implementation(*, actor: Any, project_id: int, note: str = "") -> Project:
    """实施: after the notice period ended without objection."""
    project = Project.objects.filter(pk=project_id).first()
    if project is not None:
        notice = project.notices.filter(kind=ProjectNotice.Kind.PROJECT).order_by("-ends_on").first()
        if notice is not None and notice.ends_on >= today():
            raise ProjectError(f"公示期至 {notice.ends_on} 结束后方可实施 / implementation starts after the notice "
                               f"ends on {notice.ends_on}")
    return _advance(actor, project_id, "implement", APPROVAL_ROLES, "项目实施 / implementation", note)


@transaction.atomic
def accept(*, actor: Any, project_id: int, accepted_on: dt.date | None = None, note: str = "") -> Project:
    """验收: the completed project is accepted."""
    accepted_on = accepted_on or today()
    if accepted_on > today():
        raise ProjectError("验收日期不能晚于今天 / the acceptance date cannot lie in the future")
    return _advance(actor, project_id, "accept", ACCEPTANCE_ROLES, "项目验收 / acceptance", note,
                    accepted_on=accepted_on)


@transaction.atomic
def evaluate(*, actor: Any, project_id: int, rating: str, note: str = "") -> Project:
    """绩效: the performance review after acceptance (优, 良, 中, 差)."""
    rating = _text(rating, "绩效等级 / rating", 20)
    return _advance(actor, project_id, "evaluate", EVALUATION_ROLES, "绩效评价 / performance review",
                    note or rating, performance=rating)


@transaction.atomic
def publish_fund_notice(*, actor: Any, project_id: int, days: int = NOTICE_DAYS) -> ProjectNotice:
    """资金使用公示: the project's funds allocated and paid out, posted on the public notices page."""
    what = "资金公示 / fund-use notice"
    _require(actor, ACCEPTANCE_ROLES, what)
    project = _lock_project(actor, project_id, what)
    if project.stage not in SPENDING_STAGES:
        raise ProjectError("项目实施后方可公示资金使用 / funds are published once the project is implemented")
    if not NOTICE_DAYS <= days <= MAX_NOTICE_DAYS:
        raise ProjectError(f"公示期为 {NOTICE_DAYS}–{MAX_NOTICE_DAYS} 天 / a notice runs {NOTICE_DAYS}–"
                           f"{MAX_NOTICE_DAYS} days")
    allocated = project.allocations.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    spent = project.disbursements.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    text = (f"{project.name}：到位资金 {allocated} 元，已支出 {spent} 元，结余 {allocated - spent} 元。"
            f"受益户 {project.beneficiaries.count()} 户。")
    notice = ProjectNotice.objects.create(project=project, kind=ProjectNotice.Kind.FUNDS, starts_on=today(),
                                          ends_on=today() + dt.timedelta(days=days - 1), text=text, created_by=actor)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=project, summary=f"fund-use notice {project.code}")
    return notice


def _household(actor: Any, household_id: int, project: Project) -> Any:
    from fupin.registry.models import Household

    household = Household.objects.filter(pk=household_id).first()
    if household is None:
        raise ProjectError("该户不存在 / no such household")
    _require_scope(actor, household.village_id, "受益户 / beneficiary")
    county = project.region_id[:6]
    if not household.village_id.startswith(county):
        raise ProjectError("受益户须在项目所在县 / a beneficiary lives in the project's county")
    return household


@transaction.atomic
def add_beneficiary(*, actor: Any, project_id: int, household_id: int, benefit: str, amount: Any = 0) -> Beneficiary:
    """A household the project reaches, and how it benefits."""
    what = "受益户 / beneficiary"
    _require(actor, PROJECT_ROLES, what)
    project = _lock_project(actor, project_id, what)
    if project.stage == Stage.REJECTED:
        raise ProjectError("项目已否决 / the project was rejected")
    household = _household(actor, household_id, project)
    benefit = _text(benefit, "受益方式 / how it benefits", 200)
    row, created = Beneficiary.objects.update_or_create(
        project=project, household=household,
        defaults={"benefit": benefit, "amount": Decimal(str(amount or 0)).quantize(CENT)})
    audit.record(actor=actor, action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, obj=household,
                 summary=f"project {project.code} beneficiary: {benefit}", detail={"project": project.pk})
    return row


@transaction.atomic
def add_village(*, actor: Any, project_id: int, village_code: str, benefit: str = "") -> ProjectVillage:
    what = "受益村 / beneficiary village"
    _require(actor, PROJECT_ROLES, what)
    project = _lock_project(actor, project_id, what)
    village = _region(village_code, "村 / village")
    if village.level != Level.VILLAGE or not village.code.startswith(project.region_id[:6]):
        raise ProjectError("受益村须为项目所在县的村 / a beneficiary village is a village of the project's county")
    _require_scope(actor, village.code, what)
    row, _created = ProjectVillage.objects.update_or_create(project=project, village=village,
                                                           defaults={"benefit": benefit[:200]})
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=project,
                 summary=f"project {project.code} village {village.code}")
    return row


@transaction.atomic
def link_measure(*, actor: Any, measure_id: int, project_id: int | None) -> Any:
    """An assistance measure names the project it comes from (or none); the household becomes the project's
    beneficiary with the measure's description as how it benefits."""
    from fupin.lifecycle.models import Measure

    what = "帮扶措施关联项目 / measure's project"
    _require(actor, PROJECT_ROLES, what)
    measure = Measure.objects.select_related("household").filter(pk=measure_id).first()
    if measure is None:
        raise ProjectError("帮扶措施不存在 / no such measure")
    _require_scope(actor, measure.household.village_id, what)
    project = None
    if project_id is not None:
        project = _lock_project(actor, project_id, what)
        _household(actor, measure.household_id, project)
        Beneficiary.objects.get_or_create(project=project, household=measure.household,
                                          defaults={"benefit": measure.description[:200], "amount": measure.funds})
    measure.project = project
    measure.save(update_fields=["project", "updated_at"])
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=measure.household,
                 summary=f"measure {measure.pk} project {project.code if project else '—'}",
                 detail={"measure": measure.pk, "project": project_id})
    return measure


# ---------------------------------------------------------------- spending

def allocated_to_project(project_id: int, line_id: int) -> Decimal:
    return Allocation.objects.filter(project_id=project_id, source_id=line_id).aggregate(
        s=Sum("amount"))["s"] or Decimal(0)


@transaction.atomic
def record_disbursement(
    *, actor: Any, project_id: int, line_id: int, voucher: str, paid_on: dt.date, amount: Any, payee: str,
) -> Disbursement:
    """A payment out of the money a line allocated to a project: never more than it allocated."""
    what = "资金支出 / disbursement"
    _require(actor, FUND_ROLES, what)
    project = _lock_project(actor, project_id, what)
    if project.stage not in SPENDING_STAGES:
        raise ProjectError("项目实施后方可支出 / money is paid out once the project is implemented")
    voucher = _text(voucher, "凭证号 / voucher number", 40)
    payee = _text(payee, "收款人 / payee", 200)
    amount = _amount(amount)
    if paid_on > today():
        raise ProjectError("支出日期不能晚于今天 / the payment date cannot lie in the future")
    allocated = allocated_to_project(project.pk, line_id)
    if allocated == 0:
        raise ProjectError("该资金线未向此项目安排资金 / this line allocated nothing to the project")
    spent = Disbursement.objects.filter(project=project, line_id=line_id).aggregate(s=Sum("amount"))["s"] or 0
    if spent + amount > allocated:
        raise ProjectError(f"超出到位资金：剩余 {allocated - spent} 元 / exceeds the allocated funds: "
                           f"{allocated - spent} yuan left")
    if Disbursement.objects.filter(project=project, voucher=voucher).exists():
        raise ProjectError(f"凭证号 {voucher} 已登记 / voucher {voucher} is already recorded")
    row = Disbursement.objects.create(project=project, line_id=line_id, region_id=project.region_id, voucher=voucher,
                                      paid_on=paid_on, amount=amount, payee=payee)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=row,
                 summary=f"disbursement {voucher} {amount} yuan, project {project.code}")
    return row


# ---------------------------------------------------------------- the action plan

def _units(value: Iterable[str] | str) -> list[str]:
    if isinstance(value, str):
        value = value.replace("，", "、").replace(",", "、").split("、")
    return [u.strip() for u in value if u and u.strip()]


def _plan_scope(actor: Any, plan: Plan, what: str) -> None:
    _require_scope(actor, plan.region_id, what)


@transaction.atomic
def report_progress(
    *, actor: Any, task_id: int, period: str, text: str, progress: int, figures: dict[str, Any] | None = None,
    attachment: Any = None,
) -> ProgressReport:
    """A lead unit reports a task's progress; 100 % marks it done today."""
    what = "进展报告 / progress report"
    _require(actor, REPORT_ROLES, what)
    task = Task.objects.select_for_update(of=("self",)).select_related("plan").filter(pk=task_id).order_by().first()
    if task is None:
        raise ProjectError("任务不存在 / no such task")
    unit = (getattr(actor, "organisation", "") or "").strip()
    if not actor.is_superuser and not actor.has_role(Role.SYSADMIN):
        if unit not in task.lead_units:
            raise PermissionDenied("仅牵头单位可报告进展 / only a lead unit of the task reports its progress")
        # A unit reports on the plans of its region and on national plans (which have no region).
        if task.plan.region_id and not scope_of(actor).contains(task.plan.region_id):
            raise PermissionDenied("该任务不在您的管辖范围内 / this task is outside your region")
    if task.done_on is not None:
        raise ProjectError("任务已完成 / the task is done")
    if not 0 <= int(progress) <= 100:
        raise ProjectError("进度须在 0–100 之间 / progress lies between 0 and 100")
    report = ProgressReport.objects.create(
        task=task, period=_text(period, "报告期 / period", 20), text=_text(text, "进展情况 / progress", 5000),
        figures=figures or {}, progress=int(progress), unit=unit or actor.username, reported_by=actor)
    if attachment is not None:
        report.attachment.save(getattr(attachment, "name", "attachment"), attachment, save=True)
    task.progress = int(progress)
    task.last_report_on = today()
    if task.progress == 100:
        task.done_on = today()
    task.save(update_fields=["progress", "last_report_on", "done_on"])
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=task.plan, object_type="projects.task",
                 object_id=str(task.pk), summary=f"task {task.plan.code} {task.number}: {progress}%")
    return report


@transaction.atomic
def hold_meeting(
    *, actor: Any, plan_id: int, held_on: dt.date, title: str, minutes: str = "",
    decisions: Sequence[dict[str, Any]] = (),
) -> Meeting:
    """A dispatch meeting (调度会); each decision (text, lead units, co-operating units, deadline) becomes a task."""
    what = "调度会 / dispatch meeting"
    _require(actor, PLAN_ROLES, what)
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise ProjectError("计划不存在 / no such plan")
    _plan_scope(actor, plan, what)
    meeting = Meeting.objects.create(plan=plan, held_on=held_on, title=_text(title, "会议名称 / title", 200),
                                     minutes=minutes, created_by=actor)
    for i, d in enumerate(decisions, 1):
        text = _text(d.get("text", ""), "决定事项 / decision", 5000)
        lead = _units(d.get("lead_units", ""))
        if not lead:
            raise ProjectError(f"第 {i} 项决定没有牵头单位 / decision {i} has no lead unit")
        deadline = d.get("deadline")
        if not isinstance(deadline, dt.date):
            raise ProjectError(f"第 {i} 项决定没有完成时限 / decision {i} has no deadline")
        Task.objects.create(plan=plan, number=f"M{meeting.pk}-{i}", title=text[:60], text=text, lead_units=lead,
                            co_units=_units(d.get("co_units", "")), deadline=deadline, meeting=meeting)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=plan, object_type="projects.meeting",
                 object_id=str(meeting.pk), summary=f"dispatch meeting {title}: {len(decisions)} decisions")
    return meeting


@transaction.atomic
def load_plans(*, actor: Any = None, path: Path | None = None) -> dict[str, int]:
    """The seeds' plans and targets (``data/plans.json``), loaded or brought up to date by plan code and task
    number. Idempotent; reports of tasks are kept."""
    data = json.loads((path or DATA_DIR / "plans.json").read_text(encoding="utf-8"))
    counts = {"plans": 0, "tasks": 0, "targets": 0}
    targets: dict[str, Target] = {}
    for t in data.get("targets", []):
        target, _created = Target.objects.get_or_create(code=t["code"], defaults={
            k: t[k] for k in ("title", "indicator", "value", "unit", "year", "scope_prefix", "area_type", "source",
                              "strict") if k in t})
        targets[target.code] = target
        counts["targets"] += 1
    for p in data["plans"]:
        region = Region.objects.filter(code=p["region"]).first() if p.get("region") else None
        if p.get("region") and region is None:
            continue  # the plan's region is not loaded (tests load a small tree)
        if p["level"] not in PlanLevel.values:
            raise ProjectError(f"plan {p['code']}: unknown level {p['level']}")
        plan, _created = Plan.objects.update_or_create(code=p["code"], defaults={
            "title": p["title"], "level": p["level"], "region": region, "issued_by": p.get("issued_by", ""),
            "start_year": p["start_year"], "end_year": p["end_year"], "source": p.get("source", "")})
        counts["plans"] += 1
        for t in p["tasks"]:
            task, _created = Task.objects.update_or_create(plan=plan, number=str(t["number"]), defaults={
                "title": t["title"], "text": t["text"], "lead_units": _units(t["lead_units"]),
                "co_units": _units(t.get("co_units", [])), "deadline": dt.date.fromisoformat(t["deadline"]),
                "indicators": t.get("indicators", [])})
            task.targets.set([targets[c] for c in t.get("targets", []) if c in targets])
            counts["tasks"] += 1
    audit.record(actor=actor, action=AuditEvent.Action.BULK, object_type="projects.plan",
                 summary=f"plans loaded: {counts}")
    return counts


# ---------------------------------------------------------------- targets

TARGET_FIELDS = ("title", "indicator", "value", "unit", "strict", "year", "scope_prefix", "area_type", "source")


def _target_state(t: Target) -> dict[str, Any]:
    return {f: str(getattr(t, f)) if f == "value" else getattr(t, f) for f in TARGET_FIELDS}


@transaction.atomic
def update_target(*, actor: Any, target_id: int, reason: str, **changes: Any) -> Target:
    """Edit a target; what it was, who changed it and why are kept (``TargetRevision``)."""
    _require(actor, TARGET_ROLES, "修改目标 / target edit")
    reason = _text(reason, "修改理由 / reason", 300)
    target = Target.objects.select_for_update().filter(pk=target_id).order_by().first()
    if target is None:
        raise ProjectError("目标不存在 / no such target")
    unknown = set(changes) - set(TARGET_FIELDS)
    if unknown:
        raise ProjectError(f"未知字段 / unknown fields: {', '.join(sorted(unknown))}")
    before = _target_state(target)
    for k, v in changes.items():
        setattr(target, k, v)
    if "value" in changes:
        try:
            target.value = Decimal(str(changes["value"]))
        except InvalidOperation as exc:
            raise ProjectError("目标值不是有效数字 / the value is not a number") from exc
        if target.value < 0 or (target.unit == Target.Unit.PERCENT and target.value > 100):
            raise ProjectError("目标值超出范围 / the value is out of range")
    if target.unit not in Target.Unit.values:
        raise ProjectError("单位无效 / unknown unit")
    if target.area_type and target.area_type not in (*REGION_FLAGS, *AREA_TYPES):
        raise ProjectError("适用范围类型无效 / unknown area type")
    target.updated_at = timezone.now()
    target.save()
    after = _target_state(target)
    TargetRevision.objects.create(target=target, before=before, after=after, reason=reason, username=actor.username)
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=target, summary=f"target {target.code}: {reason}",
                 detail={"before": before, "after": after})
    return target
