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

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.core import audit
from fupin.core.changes import mark_changed
from fupin.core.models import AuditEvent
from fupin.core.permissions import has_any_role, require_role, user_or_none
from fupin.core.roles import Role
from fupin.core.scoping import scope_of
from fupin.core.tree import COUNTY, VILLAGE, in_subtree, level_of
from fupin.registry.models import Household, Member
from fupin.registry.statuses import REGISTERED_STATUSES
from fupin.welfare.identity import project
from fupin.welfare.models import (
    Commitment,
    ConsentMethod,
    Disbursement,
    Donation,
    Donor,
    Need,
    NeedKind,
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
    if kind not in NeedKind.values or consent_method not in ConsentMethod.values:
        raise WelfareError("需求类型或同意方式无效 / unknown need type or way of consent")
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


def _donor_account(username: str, password: str) -> Any:
    """A login of the role ``donor`` (no region: it sees no registry data, only the public projections)."""
    user_model = get_user_model()
    username = username.strip()
    if not username:
        raise WelfareError("请填写登录名 / give a user name")
    if not USERNAME.fullmatch(username):
        raise WelfareError("登录名只能包含字母、数字和 @ . + - _，最长 150 个字符 / a user name has letters, digits and "
                           "@ . + - _ only, at most 150 characters")
    if user_model.objects.filter(username__iexact=username).exists():
        raise WelfareError("该登录名已被使用，请换一个 / this user name is taken: choose another")
    validate_password(password, user_model(username=username))
    user = user_model.objects.create_user(username=username, password=password)
    user.groups.add(Group.objects.get_or_create(name=Role.DONOR.value)[0])
    return user


USERNAME = re.compile(r"[\w.@+-]{1,150}")


def _donor_fields(display_name: str, kind: str, contact: str) -> tuple[str, str]:
    if not display_name.strip():
        raise WelfareError("请填写捐赠方名称 / give the donor's name")
    if kind not in Donor.Kind.values:
        raise WelfareError("捐赠方类型无效 / unknown donor type")
    return display_name.strip()[:100], contact.strip()[:100]


def _manages_donor(actor: Any, donor: Donor) -> None:
    """Staff manage the donors their region registered; a nationwide administrator manages every donor."""
    require_role(actor, PROJECT_ROLES)
    if not has_any_role(actor, PROJECT_ROLES, system=False):
        return
    scope = scope_of(actor)
    if not (scope.is_nation or (donor.region_id and scope.contains(donor.region_id))):
        raise PermissionDenied("该捐赠方不是本辖区登记的 / this donor was not registered in your region")


@transaction.atomic
def register_donor(*, actor: Any, display_name: str, kind: str = Donor.Kind.PERSON, anonymous: bool = False,
                   contact: str = "", user: Any = None, alliance_member: bool = False, region: Any = None,
                   username: str = "", password: str = "") -> Donor:
    """A donor registers (for itself, with its account) or is registered by a county or the administrator — an
    enterprise or an organisation, optionally with a login (``username``, ``password``) so that it can take up
    projects and report its pairings' quarters itself."""
    if user is not None and user is actor:  # a netizen's own record: a person (enterprises are registered by staff)
        require_role(actor, DONOR_ROLES)
        region, kind, alliance_member, username = None, Donor.Kind.PERSON, False, ""
    else:
        require_role(actor, PROJECT_ROLES)
        if region is None and getattr(actor, "region_id", None):
            region = actor.region
        if region is not None and has_any_role(actor, PROJECT_ROLES, system=False):
            _in_scope(actor, region.code)
    display_name, contact = _donor_fields(display_name, kind, contact)
    if alliance_member and kind == Donor.Kind.PERSON:
        raise WelfareError("联盟成员应为企业或社会组织 / alliance members are enterprises or organisations")
    if username:
        user = _donor_account(username, password)
    donor = Donor.objects.create(
        user=user, display_name=display_name, kind=kind, anonymous=anonymous, contact=contact, region=region,
        alliance_member=alliance_member, alliance_joined_on=timezone.localdate() if alliance_member else None,
    )
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=donor,
                 summary=f"登记捐赠方 {donor.display_name} / donor {donor.pk} registered",
                 detail={"kind": kind, "account": user.username if user is not None else ""})
    return donor


@transaction.atomic
def sign_up_donor(*, username: str, password: str, display_name: str, anonymous: bool = False,
                  contact: str = "") -> Donor:
    """A netizen signs up on the portal: a login of the role ``donor`` and its donor record (a person). The
    account sees no personal data; it pledges to the public needs and projects."""
    display_name, contact = _donor_fields(display_name, Donor.Kind.PERSON, contact)
    user = _donor_account(username, password)
    donor = Donor.objects.create(user=user, display_name=display_name, kind=Donor.Kind.PERSON, anonymous=anonymous,
                                 contact=contact)
    audit.record(actor=user, action=AuditEvent.Action.CREATE, obj=donor,
                 summary=f"网友注册为捐赠人 / netizen signed up as donor {donor.pk}")
    return donor


@transaction.atomic
def update_donor(*, actor: Any, donor: Donor, display_name: str, kind: str, anonymous: bool = False,
                 contact: str = "") -> Donor:
    _manages_donor(actor, donor)
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    display_name, contact = _donor_fields(display_name, kind, contact)
    if kind == Donor.Kind.PERSON and donor.alliance_member:
        raise WelfareError("联盟成员应为企业或社会组织 / alliance members are enterprises or organisations")
    if kind != Donor.Kind.ENTERPRISE and donor.kind == Donor.Kind.ENTERPRISE and donor.pairings.exists():
        raise WelfareError("该企业有结对帮扶，不能改为其他类型 / this enterprise has pairings: its type cannot change")
    before = {"display_name": donor.display_name, "kind": donor.kind, "anonymous": donor.anonymous}
    donor.display_name, donor.kind, donor.anonymous, donor.contact = display_name, kind, anonymous, contact
    donor.save()
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=donor,
                 summary=f"修改捐赠方 {donor.display_name} / donor {donor.pk} changed", detail={"before": before})
    return donor


@transaction.atomic
def set_alliance(*, actor: Any, donor: Donor, member: bool, joined_on: dt.date | None = None) -> Donor:
    """Membership of the internet welfare alliance (网络公益扶贫联盟): joining (on a day) or leaving."""
    _manages_donor(actor, donor)
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    if member:
        if donor.kind == Donor.Kind.PERSON:
            raise WelfareError("联盟成员应为企业或社会组织 / alliance members are enterprises or organisations")
        joined_on = joined_on or donor.alliance_joined_on or timezone.localdate()
        if joined_on > timezone.localdate():
            raise WelfareError("加入日期不能晚于今天 / the day of joining cannot be in the future")
        donor.alliance_member, donor.alliance_joined_on = True, joined_on
    else:
        donor.alliance_member, donor.alliance_joined_on = False, None
    donor.save(update_fields=["alliance_member", "alliance_joined_on"])
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=donor,
                 summary=f"{donor.display_name} {'加入' if member else '退出'}网络公益扶贫联盟 / "
                         f"{'joined' if member else 'left'} the welfare alliance",
                 detail={"joined_on": str(joined_on) if member else None})
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


PROJECT_FIELDS = ("name", "organiser", "brand", "kind", "region", "goal", "starts_on", "ends_on",
                  "households_served", "villages_served", "description", "results", "published_by_county")


def _sync_counts(project: WelfareProject) -> None:
    """The counts follow the households and villages listed, when any are listed (the counts are what is public)."""
    households = project.served_households.count()
    villages = project.served_villages.count()
    changed = []
    if households and project.households_served != households:
        project.households_served = households
        changed.append("households_served")
    if villages and project.villages_served != villages:
        project.villages_served = villages
        changed.append("villages_served")
    if changed:
        project.save(update_fields=changed)


@transaction.atomic
def save_project(*, actor: Any, project: WelfareProject | None = None, **fields: Any) -> WelfareProject:
    """Create or change a welfare project of the actor's region: organiser, brand, type, goal, period, counts
    served and the results reported."""
    require_role(actor, PROJECT_ROLES)
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise WelfareError(f"未知字段 / unknown fields: {', '.join(sorted(unknown))}")
    region = fields.get("region") or (project.region if project else None)
    if region is None:
        raise WelfareError("请选择服务地区 / choose the region served")
    staff = has_any_role(actor, PROJECT_ROLES, system=False)
    if staff:
        _in_scope(actor, region.code)
        if project is not None:
            _in_scope(actor, project.region_id)
    if project is None:
        project = WelfareProject(created_by=user_or_none(actor), **fields)
    else:
        project = WelfareProject.objects.select_for_update().get(pk=project.pk)
        for k, v in fields.items():
            setattr(project, k, v)
    if not str(project.name).strip() or not str(project.organiser).strip():
        raise WelfareError("请填写项目名称和组织方 / give the project's name and organiser")
    if project.kind not in WelfareProject.Kind.values:
        raise WelfareError("项目类型无效 / unknown project type")
    if project.goal is None or project.goal <= 0:
        raise WelfareError("目标金额必须大于零 / the goal must be more than zero")
    if project.ends_on < project.starts_on:
        raise WelfareError("结束日期早于开始日期 / the project ends before it starts")
    if project.pk and project.taken_by_id and not project.published_by_county:
        raise WelfareError("该项目已被企业认领，不能取消县级发布 / the project was taken up by an enterprise: it stays a "
                           "county-published project")
    if project.pk and project.region_id != region.code and (
            project.served_households.exists() or project.served_villages.exists()):
        raise WelfareError("请先移除所列的服务对象，再更改服务地区 / remove the households and villages listed "
                           "before changing the region served")
    project.name, project.organiser, project.brand = (str(project.name).strip(), str(project.organiser).strip(),
                                                      str(project.brand).strip())
    project.save()
    _sync_counts(project)
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=project,
                 summary=f"保存公益项目 {project.name} / saved welfare project",
                 detail={k: str(getattr(v, "pk", v)) for k, v in fields.items() if k not in ("description", "results")})
    return project


@transaction.atomic
def serve(*, actor: Any, project: WelfareProject, household: Household | None = None, village: Any = None,
          remove: bool = False) -> WelfareProject:
    """List (or unlist) a registered household or a village the project serves, inside the project's region. The
    list stays with the county; the public sees only the counts."""
    require_role(actor, PROJECT_ROLES)
    if (household is None) == (village is None):
        raise WelfareError("请选择一户或一个村 / choose one household or one village")
    project = WelfareProject.objects.select_for_update().get(pk=project.pk)
    staff = has_any_role(actor, PROJECT_ROLES, system=False)
    if staff:
        _in_scope(actor, project.region_id)
    code = household.village_id if household is not None else village.code
    if not in_subtree(code, project.region_id):
        raise WelfareError("所选农户或村不在项目服务地区内 / the household or village is outside the project's region")
    if staff:
        _in_scope(actor, code)
    if household is not None:
        if remove:
            project.served_households.remove(household)
        else:
            if household.status not in REGISTERED_STATUSES:
                raise WelfareError("只能列入建档立卡户 / only registered households can be listed")
            project.served_households.add(household)
    else:
        if level_of(village.code) != VILLAGE:
            raise WelfareError("请选择到行政村 / choose a village")
        if remove:
            project.served_villages.remove(village)
        else:
            project.served_villages.add(village)
    _sync_counts(project)
    if remove and household is not None and not project.served_households.exists():
        project.households_served = 0
        project.save(update_fields=["households_served"])
    if remove and village is not None and not project.served_villages.exists():
        project.villages_served = 0
        project.save(update_fields=["villages_served"])
    what = f"农户 {household.pk}" if household is not None else f"村 {code}"
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=project,
                 summary=f"公益项目 {project.name} {'移除' if remove else '列入'}服务对象 {what} / served list changed",
                 detail={"household": household.pk if household is not None else None,
                         "village": village.code if village is not None else None, "remove": remove})
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
    staff = has_any_role(actor, PROJECT_ROLES, system=False)
    if not staff and has_any_role(actor, DONOR_ROLES, system=False) and donor.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("只能以自己的名义认领 / you can take up a project only in your own name")
    project = WelfareProject.objects.select_for_update().get(pk=project.pk)
    if staff:
        _in_scope(actor, project.region_id)
    if donor.kind != Donor.Kind.ENTERPRISE:
        raise WelfareError("只有企业可以认领县级发布的项目 / only an enterprise can take up a county's project")
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
    if level_of(region.code) not in (COUNTY, VILLAGE):
        raise WelfareError("结对对象应为县或行政村 / an enterprise is paired with a county or a village")
    if not agreement.strip():
        raise WelfareError("请填写结对协议 / give the pairing agreement")
    if signed_on > timezone.localdate():
        raise WelfareError("签约日期不能晚于今天 / the day of signing cannot be in the future")
    if not 2000 <= year <= 2100:
        raise WelfareError("承诺年度无效 / the year of the commitments is not valid")
    if any(v is not None and v < 0 for v in commitments.values()):
        raise WelfareError("承诺数不能为负 / a commitment cannot be negative")
    agreement = agreement.strip()[:200]
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
