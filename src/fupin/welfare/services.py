"""Writes of the welfare platform: one function per business action, transactional and audited.

Money: the services lock the need or project row (``select_for_update``) before a disbursement so that two
concurrent disbursements cannot both pass the check; the database triggers and CHECK constraints
(``migrations/0002``) are the guarantee underneath.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.core import audit
from fupin.core.changes import mark_changed
from fupin.core.models import AuditEvent
from fupin.core.permissions import has_any_role, require_role, user_or_none
from fupin.core.roles import Role
from fupin.core.scoping import scope_of
from fupin.registry.models import Household, Member
from fupin.registry.statuses import REGISTERED_STATUSES
from fupin.welfare.identity import project
from fupin.welfare.models import (
    Commitment,
    Disbursement,
    Donation,
    Donor,
    Need,
    Pairing,
    Pledge,
    QuarterReport,
    WelfareProject,
)

PROPOSE_ROLES = (Role.CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN)
REVIEW_ROLES = (Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN)
LEDGER_ROLES = (Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN, Role.SYSADMIN)
PROJECT_ROLES = (Role.COUNTY_ADMIN, Role.SYSADMIN)
DONOR_ROLES = (Role.DONOR,)


class WelfareError(ValidationError):
    pass


def _in_scope(actor: Any, code: str) -> None:
    if not scope_of(actor).contains(code):
        raise PermissionDenied("不在您的辖区内 / outside your region")


def _personal_strings(household: Household) -> list[str]:
    rows = Member.objects.filter(household=household).values_list("name", "id_number")
    out = [s for row in rows for s in row if s]
    if household.phone:
        out.append(household.phone)
    out.append(household.number)
    return out


PHONE_OR_ID = re.compile(r"(?<!\d)(1[3-9]\d{9}|\d{17}[\dXx]|\d{15})(?!\d)")


def check_story(household: Household, story: str) -> None:
    """The public text names no member, no ID number, phone number or household number."""
    found = [s for s in _personal_strings(household) if s in story]
    if found or PHONE_OR_ID.search(story):
        raise WelfareError("公开说明中含有姓名、身份证号、电话或户编号，请删除后再提交 / the public description "
                           "contains a name, an ID number, a phone number or the household number: remove it")


@transaction.atomic
def propose_need(*, actor: Any, household: Household, kind: str, story: str, goal: Decimal, consent_by: str,
                 consent_on: dt.date, consent_method: str, show_surname: bool = True,
                 show_village: bool = True) -> Need:
    """A clerk proposes a need of a registered household of their region, with the household's recorded consent."""
    require_role(actor, PROPOSE_ROLES, system=True)
    if has_any_role(actor, PROPOSE_ROLES, system=False):
        _in_scope(actor, household.village_id)
    if household.status not in REGISTERED_STATUSES:
        raise WelfareError("只能为建档立卡户发布帮扶需求 / only registered households can have a need published")
    if goal <= 0:
        raise WelfareError("所需金额必须大于零 / the amount needed must be more than zero")
    if not consent_by.strip():
        raise WelfareError("请填写同意人 / say who in the household gave consent")
    if consent_on > timezone.localdate():
        raise WelfareError("同意日期不能晚于今天 / the consent date cannot be in the future")
    check_story(household, story)
    need = Need.objects.create(
        household=household, village_id=household.village_id, kind=kind, story=story.strip(), goal=goal,
        consent_by=consent_by.strip(), consent_on=consent_on, consent_method=consent_method,
        show_surname=show_surname, show_village=show_village, proposed_by=user_or_none(actor),
    )
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=need,
                 summary=f"提出帮扶需求 #{need.pk} / proposed welfare need #{need.pk}",
                 detail={"household": household.pk, "kind": kind, "goal": str(goal), "consent_method": consent_method})
    return need


@transaction.atomic
def review_need(*, actor: Any, need: Need, publish: bool, note: str = "") -> Need:
    """The township publishes the need (its public projection is drawn from the consent) or returns it."""
    require_role(actor, REVIEW_ROLES)
    need = Need.objects.select_for_update().get(pk=need.pk)
    if has_any_role(actor, REVIEW_ROLES, system=False):
        _in_scope(actor, need.village_id)
    if need.status != Need.Status.PROPOSED:
        raise WelfareError("只能审核待审核的需求 / only a proposed need can be reviewed")
    if need.consent_withdrawn_at:
        raise WelfareError("该户已撤回同意 / the household has withdrawn its consent")
    if publish:
        check_story(need.household, need.story)
        if project(need.household, show_surname=need.show_surname, show_village=need.show_village) is None:
            raise WelfareError("按农户同意公开的范围，该户可能被识别（所在地区户数过少或正在公示的名单过短），暂不能发布 / "
                               "within what the household agreed to show, the family could be identified (too few "
                               "households in the region, or a short public notice running there): it cannot be published now")
        need.status = Need.Status.PUBLISHED
        need.published_at = timezone.now()
    else:
        if not note.strip():
            raise WelfareError("退回时请说明原因 / say why the need is returned")
        need.status = Need.Status.REJECTED
    need.reviewed_by = user_or_none(actor)
    need.review_note = note.strip()[:200]
    need.save()
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=need,
                 summary=f"{'发布' if publish else '退回'}帮扶需求 #{need.pk} / "
                         f"{'published' if publish else 'returned'} welfare need #{need.pk}", detail={"note": note})
    mark_changed([need.village_id])
    return need


@transaction.atomic
def withdraw_consent(*, actor: Any, need: Need, note: str = "") -> Need:
    """The household withdraws its consent: the need leaves every public page at once (its ledger stays for the
    accounts, not for the public)."""
    require_role(actor, PROPOSE_ROLES)
    need = Need.objects.select_for_update().get(pk=need.pk)
    if has_any_role(actor, PROPOSE_ROLES, system=False):
        _in_scope(actor, need.village_id)
    if need.consent_withdrawn_at:
        return need
    need.consent_withdrawn_at = timezone.now()
    need.status = Need.Status.WITHDRAWN
    need.save()
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=need,
                 summary=f"撤回帮扶需求 #{need.pk} 的公开同意 / consent withdrawn for welfare need #{need.pk}",
                 detail={"note": note})
    mark_changed([need.village_id])
    return need


@transaction.atomic
def register_donor(*, actor: Any, display_name: str, kind: str = Donor.Kind.PERSON, anonymous: bool = False,
                   contact: str = "", user: Any = None, alliance_member: bool = False) -> Donor:
    """A donor registers (for itself, with its account) or is registered by a county or the administrator."""
    if user is not None and user is actor:
        require_role(actor, DONOR_ROLES)
    else:
        require_role(actor, PROJECT_ROLES)
    if not display_name.strip():
        raise WelfareError("请填写捐赠方名称 / give the donor's name")
    donor = Donor.objects.create(
        user=user, display_name=display_name.strip(), kind=kind, anonymous=anonymous, contact=contact.strip(),
        alliance_member=alliance_member, alliance_joined_on=timezone.localdate() if alliance_member else None,
    )
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=donor, summary=f"登记捐赠方 / donor {donor.pk}")
    return donor


def _public_target(need: Need | None, project: WelfareProject | None) -> None:
    if (need is None) == (project is None):
        raise WelfareError("请选择一个需求或一个项目 / choose one need or one project")
    if need is not None and not need.is_public:
        raise WelfareError("该需求未公开或已撤回 / this need is not public (not published or withdrawn)")
    if project is not None and project.status != WelfareProject.Status.PUBLISHED:
        raise WelfareError("该项目未发布 / this project is not published")


@transaction.atomic
def pledge(*, actor: Any, donor: Donor, need: Need | None = None, project: WelfareProject | None = None,
           amount: Decimal = Decimal(0), goods: str = "") -> Pledge:
    """A donor pledges money or goods to a public need or project (its own donor record only)."""
    require_role(actor, (*DONOR_ROLES, *PROJECT_ROLES))
    if has_any_role(actor, DONOR_ROLES, system=False) and donor.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("只能以自己的名义认捐 / you can pledge only in your own name")
    _public_target(need, project)
    if amount < 0 or (amount == 0 and not goods.strip()):
        raise WelfareError("请填写认捐金额或物品 / give an amount or the goods pledged")
    p = Pledge.objects.create(donor=donor, need=need, project=project, amount=amount, goods=goods.strip())
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=p, summary=f"认捐 / pledge {p.pk}",
                 detail={"amount": str(amount), "need": need and need.pk, "project": project and project.pk})
    return p


def _check_ledger_actor(actor: Any, need: Need | None, project: WelfareProject | None) -> None:
    if need is not None:
        require_role(actor, LEDGER_ROLES)
        if has_any_role(actor, LEDGER_ROLES, system=False):
            _in_scope(actor, need.village_id)
    elif project is not None:
        require_role(actor, PROJECT_ROLES)
        if has_any_role(actor, PROJECT_ROLES, system=False):
            _in_scope(actor, project.region_id)


@transaction.atomic
def record_donation(*, actor: Any, donor: Donor, amount: Decimal, channel: str, reference: str, received_on: dt.date,
                    need: Need | None = None, project: WelfareProject | None = None, link: str = "",
                    pledge: Pledge | None = None) -> Donation:
    """Money received outside fupin (a platform, a transfer) is entered with its reference; the ledger adds it."""
    _check_ledger_actor(actor, need, project)
    if (need is None) == (project is None):
        raise WelfareError("请选择一个需求或一个项目 / choose one need or one project")
    if amount <= 0:
        raise WelfareError("到账金额必须大于零 / the amount received must be more than zero")
    if not reference.strip():
        raise WelfareError("请填写转账或平台流水号 / give the transfer or platform reference")
    if need is not None and need.consent_withdrawn_at:
        raise WelfareError("该户已撤回同意 / the household has withdrawn its consent")
    d = Donation.objects.create(donor=donor, need=need, project=project, amount=amount, channel=channel,
                                reference=reference.strip(), link=link.strip(), received_on=received_on,
                                pledge=pledge, recorded_by=user_or_none(actor))
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=d,
                 summary=f"登记到账 {amount} 元 / donation of {amount} yuan recorded",
                 detail={"need": need and need.pk, "project": project and project.pk, "reference": reference})
    if need is not None:
        mark_changed([need.village_id])
    return d


@transaction.atomic
def disburse(*, actor: Any, amount: Decimal, paid_on: dt.date, purpose: str, evidence: str,
             need: Need | None = None, project: WelfareProject | None = None) -> Disbursement:
    """Pay out of what was received, with evidence. Never more than the balance: the row is locked, the balance
    checked, and the database refuses it anyway (CHECK disbursed <= received)."""
    _check_ledger_actor(actor, need, project)
    if (need is None) == (project is None):
        raise WelfareError("请选择一个需求或一个项目 / choose one need or one project")
    if amount <= 0:
        raise WelfareError("拨付金额必须大于零 / the amount disbursed must be more than zero")
    if not evidence.strip():
        raise WelfareError("请填写拨付凭证 / give the evidence (receipt or voucher number)")
    target: Need | WelfareProject
    if need is not None:
        target = Need.objects.select_for_update().get(pk=need.pk)
    else:
        assert project is not None
        target = WelfareProject.objects.select_for_update().get(pk=project.pk)
    if amount > target.balance:
        raise WelfareError(f"拨付金额 {amount} 元超过结余 {target.balance} 元 / the amount {amount} exceeds the "
                           f"balance of {target.balance} yuan received and not yet disbursed")
    try:
        with transaction.atomic():
            d = Disbursement.objects.create(need=need, project=project, amount=amount, paid_on=paid_on,
                                            purpose=purpose.strip(), evidence=evidence.strip(),
                                            recorded_by=user_or_none(actor))
    except IntegrityError as exc:  # the database's own check (another writer got there first)
        raise WelfareError("拨付金额超过已到账金额 / the disbursement exceeds what was received") from exc
    target.refresh_from_db()
    if isinstance(target, Need) and target.status == Need.Status.PUBLISHED and target.disbursed >= target.goal:
        target.status = Need.Status.MET
        target.met_at = timezone.now()
        target.save(update_fields=["status", "met_at"])
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=d,
                 summary=f"拨付 {amount} 元 / disbursed {amount} yuan",
                 detail={"need": need and need.pk, "project": project and project.pk, "evidence": evidence})
    if need is not None:
        mark_changed([need.village_id])
    return d


@transaction.atomic
def confirm_disbursement(*, actor: Any, disbursement: Disbursement, how: str) -> Disbursement:
    """The household confirms it received what was paid (recorded by the village or township)."""
    require_role(actor, PROPOSE_ROLES)
    d = Disbursement.objects.select_for_update(of=("self",)).select_related("need").get(pk=disbursement.pk)
    if d.need is None:
        raise WelfareError("项目拨付无需农户确认 / a project's disbursement has no household to confirm it")
    if has_any_role(actor, PROPOSE_ROLES, system=False):
        _in_scope(actor, d.need.village_id)
    if not how.strip():
        raise WelfareError("请说明确认方式 / say how the household confirmed")
    d.confirmed_at = timezone.now()
    d.confirmed_how = how.strip()[:100]
    d.save(update_fields=["confirmed_at", "confirmed_how"])
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=d,
                 summary=f"农户确认收到拨付 #{d.pk} / household confirmed disbursement #{d.pk}")
    return d


@transaction.atomic
def save_project(*, actor: Any, project: WelfareProject | None = None, **fields: Any) -> WelfareProject:
    require_role(actor, PROJECT_ROLES)
    region = fields.get("region") or (project.region if project else None)
    if region is None:
        raise WelfareError("请选择服务地区 / choose the region served")
    if has_any_role(actor, PROJECT_ROLES, system=False):
        _in_scope(actor, region.code)
    if project is None:
        project = WelfareProject(created_by=user_or_none(actor), **fields)
    else:
        for k, v in fields.items():
            setattr(project, k, v)
    if project.ends_on < project.starts_on:
        raise WelfareError("结束日期早于开始日期 / the project ends before it starts")
    project.save()
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=project,
                 summary=f"保存公益项目 {project.name} / saved welfare project")
    return project


@transaction.atomic
def publish_project(*, actor: Any, project: WelfareProject) -> WelfareProject:
    require_role(actor, PROJECT_ROLES)
    if has_any_role(actor, PROJECT_ROLES, system=False):
        _in_scope(actor, project.region_id)
    project.status = WelfareProject.Status.PUBLISHED
    project.published_at = project.published_at or timezone.now()
    project.save()
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=project,
                 summary=f"发布公益项目 {project.name} / published welfare project")
    return project


@transaction.atomic
def take_up_project(*, actor: Any, project: WelfareProject, donor: Donor) -> WelfareProject:
    """An enterprise takes up a project its county published (000 16)."""
    require_role(actor, (*DONOR_ROLES, *PROJECT_ROLES))
    if has_any_role(actor, DONOR_ROLES, system=False) and donor.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("只能以自己的名义认领 / you can take up a project only in your own name")
    project = WelfareProject.objects.select_for_update().get(pk=project.pk)
    if not project.published_by_county or project.status != WelfareProject.Status.PUBLISHED:
        raise WelfareError("该项目不接受认领 / this project is not open to be taken up")
    if project.taken_by_id:
        raise WelfareError("该项目已被认领 / this project has already been taken up")
    project.taken_by = donor
    project.save()
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=project,
                 summary=f"{donor.display_name} 认领公益项目 {project.name} / project taken up")
    return project


@transaction.atomic
def save_pairing(*, actor: Any, enterprise: Donor, region: Any, agreement: str, signed_on: dt.date,
                 commitments: dict[str, Decimal], year: int) -> Pairing:
    """An enterprise paired with a poor county or village, its agreement and the year's commitments."""
    require_role(actor, PROJECT_ROLES)
    if has_any_role(actor, PROJECT_ROLES, system=False):
        _in_scope(actor, region.code)
    if enterprise.kind != Donor.Kind.ENTERPRISE:
        raise WelfareError("结对帮扶的一方必须是企业 / only an enterprise can be paired")
    pairing, _created = Pairing.objects.update_or_create(
        enterprise=enterprise, region=region, defaults={"agreement": agreement, "signed_on": signed_on})
    for kind, target in commitments.items():
        if target and target > 0:
            Commitment.objects.update_or_create(pairing=pairing, kind=kind, year=year, defaults={"target": target})
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=pairing,
                 summary=f"结对帮扶 {enterprise.display_name} — {region.name} / pairing saved")
    mark_changed([region.code])
    return pairing


@transaction.atomic
def report_quarter(*, actor: Any, commitment: Commitment, quarter: int, achieved: Decimal, note: str = "") -> QuarterReport:
    require_role(actor, (*PROJECT_ROLES, *DONOR_ROLES))
    pairing = commitment.pairing
    if has_any_role(actor, DONOR_ROLES, system=False) and pairing.enterprise.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("只能填报本企业的结对 / you can report only your own enterprise's pairings")
    if has_any_role(actor, PROJECT_ROLES, system=False):
        _in_scope(actor, pairing.region_id)
    if quarter not in (1, 2, 3, 4):
        raise WelfareError("季度应为 1 至 4 / the quarter is 1 to 4")
    if achieved < 0:
        raise WelfareError("完成数不能为负 / the figure achieved cannot be negative")
    report, _created = QuarterReport.objects.update_or_create(
        commitment=commitment, quarter=quarter,
        defaults={"achieved": achieved, "note": note.strip()[:200], "submitted_by": user_or_none(actor)})
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=report,
                 summary=f"结对季度报告 第{quarter}季度 / quarterly pairing report Q{quarter}")
    return report
