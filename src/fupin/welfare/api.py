"""/api/v1/welfare: needs (propose, review, withdraw consent), pledges, donations, disbursements and the household's
confirmation, welfare projects (create, change, publish, take up, who they serve), pairings with their commitments
and quarterly reports, donors and the welfare alliance — through the same selectors and services as the pages.

Staff read their region (outside it an object answers 404) with the head's name masked unless the role needs it
(clear reads are audited). A donor (no region) reads needs only in their public form — the projection the household
agreed to, no household number, no name — and its own pledges, donations and pairings. Other roles are refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from fupin.core.masking import Masker
from fupin.core.pagination import Page, PageQuery, offset_page
from fupin.core.permissions import has_any_role
from fupin.core.roles import Role
from fupin.core.scoping import get_scoped_or_404, narrow_or_404
from fupin.core.tree import is_node_code
from fupin.regions.models import Region
from fupin.registry.models import Household, Member
from fupin.welfare import selectors, services
from fupin.welfare.models import (
    CommitmentKind,
    Disbursement,
    Donation,
    Donor,
    Need,
    Pairing,
    Pledge,
    WelfareProject,
)

router = Router()

STAFF_ROLES = (*services.PROPOSE_ROLES, *services.LEDGER_ROLES, Role.ANALYST)


def _money() -> Any:
    return Field(..., gt=0, max_digits=12, decimal_places=2)


def _is_staff(user: Any) -> bool:
    return has_any_role(user, STAFF_ROLES, system=False)


def _is_donor(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.DONOR))


def _staff_or_donor(user: Any) -> bool:
    """True for staff, False for a donor; any other role is refused."""
    if _is_staff(user):
        return True
    if _is_donor(user):
        return False
    raise PermissionDenied("没有权限 / not allowed for your role")


def _my_donor(user: Any) -> Donor:
    me = selectors.donor_of(user)
    if me is None:
        raise Http404
    return me


# --- needs ---------------------------------------------------------------------------------------------------


class LedgerLineOut(Schema):
    on: dt.date
    kind: str = Field(description="donation | disbursement")
    amount: Decimal
    who: str = Field(description="the donor's public name, or what a disbursement paid for")
    reference: str = Field(description="transfer reference, or evidence of a disbursement")
    confirmed: bool


class NeedOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    story: str
    goal: Decimal
    received: Decimal
    disbursed: Decimal
    published_at: dt.datetime | None
    public_label: str | None = Field(None, description="what the public sees of the family (list: donors only)")
    # staff only (null for a donor)
    village_code: str | None = None
    household_id: int | None = None
    household_number: str | None = None
    head_name: str | None = Field(None, description="masked unless the role needs names")
    consent_by: str | None = None
    consent_on: dt.date | None = None
    consent_method: str | None = None
    show_surname: bool | None = None
    show_village: bool | None = None
    consent_withdrawn_at: dt.datetime | None = None
    created_at: dt.datetime | None = None


class NeedDetail(NeedOut):
    ledger: list[LedgerLineOut]


def _line(line: selectors.LedgerLine) -> dict[str, Any]:
    return {"on": line.on, "kind": line.kind, "amount": line.amount, "who": line.who, "reference": line.reference,
            "confirmed": line.confirmed}


def _public_need(n: selectors.PublicNeed) -> dict[str, Any]:
    return {"id": n.pk, "kind": "", "kind_label": n.kind, "status": "met" if n.met else "published", "story": n.story,
            "goal": n.goal, "received": n.received, "disbursed": n.disbursed, "published_at": n.published_at,
            "public_label": n.where.label}


def _staff_need(n: Need, masker: Masker, heads: dict[int, str]) -> dict[str, Any]:
    return {"id": n.pk, "kind": n.kind, "kind_label": n.get_kind_display(), "status": n.status, "story": n.story,
            "goal": n.goal, "received": n.received, "disbursed": n.disbursed, "published_at": n.published_at,
            "village_code": n.village_id, "household_id": n.household_id, "household_number": n.household.number,
            "head_name": masker.name(heads.get(n.household_id, "")), "consent_by": masker.name(n.consent_by),
            "consent_on": n.consent_on, "consent_method": n.consent_method, "show_surname": n.show_surname,
            "show_village": n.show_village, "consent_withdrawn_at": n.consent_withdrawn_at, "created_at": n.created_at}


def _heads(household_ids: list[int]) -> dict[int, str]:
    return dict(Member.objects.filter(household_id__in=household_ids, relation="01", is_active=True)
                .values_list("household_id", "name"))


class NeedQuery(PageQuery):
    status: str = Field("", description="proposed | published | met | rejected | withdrawn (staff)")
    region: str = Field("", description="a division code inside the caller's region (staff)")


@router.get("/needs", response=Page[NeedOut],
            summary="Welfare needs: staff those of their region (names masked by role), a donor the public ones")
def needs(request: HttpRequest, q: Query[NeedQuery]) -> dict[str, Any]:
    if not _staff_or_donor(request.user):
        public = selectors.public_needs(limit=1000)
        return offset_page(public, q, _public_need)
    scope = narrow_or_404(request.user, q.region)
    qs = selectors.needs(request.user, status=q.status if q.status in Need.Status.values else "")
    qs = qs.filter(scope.q("village__code")).order_by("-created_at", "-pk")
    page = offset_page(qs, q)
    masker = Masker(request.user)
    rows = page["results"]
    heads = _heads([n.household_id for n in rows])
    if rows:
        masker.reveal(object_type="welfare.need", region_code=scope.prefix or "", summary="welfare needs (API)",
                      detail={"needs": [n.pk for n in rows]})
    page["results"] = [_staff_need(n, masker, heads) for n in rows]
    return page


def _need_detail(request: HttpRequest, need_id: int) -> dict[str, Any]:
    if not _staff_or_donor(request.user):
        public = selectors.public_need(need_id)
        if public is None:
            raise Http404
        return {**_public_need(public), "ledger": [_line(x) for x in public.ledger]}
    need = get_scoped_or_404(selectors.needs(request.user), request.user, pk=need_id)
    masker = Masker(request.user)
    masker.reveal(obj=need, summary=f"welfare need {need.pk} (API)")
    public = selectors.public_need(need.pk)
    return {**_staff_need(need, masker, _heads([need.household_id])),
            "public_label": public.where.label if public else None,
            "ledger": [_line(x) for x in selectors.ledger(need=need)]}


@router.get("/needs/{int:need_id}", response=NeedDetail, summary="A welfare need with its ledger")
def need(request: HttpRequest, need_id: int) -> dict[str, Any]:
    return _need_detail(request, need_id)


class NeedIn(Schema):
    household_id: int
    kind: str = Field(..., description="school | illness | housing | asset")
    story: str = Field(..., max_length=1000, description="shown to the public: no names, ID or phone numbers")
    goal: Decimal = _money()
    consent_by: str = Field(..., max_length=50)
    consent_on: dt.date
    consent_method: str = Field(..., description="signed | thumbprint | witnessed")
    show_surname: bool = True
    show_village: bool = True


@router.post("/needs", response={201: NeedDetail},
             summary="Propose a need of a registered household, with the household's recorded consent")
def propose(request: HttpRequest, body: NeedIn) -> Status:
    household = get_scoped_or_404(Household.objects.all(), request.user, pk=body.household_id)
    data = body.dict(exclude={"household_id"})
    n = services.propose_need(actor=request.user, household=household, **data)
    return Status(201, _need_detail(request, n.pk))


class ReviewIn(Schema):
    publish: bool
    note: str = Field("", max_length=200)


@router.post("/needs/{int:need_id}/review", response=NeedDetail,
             summary="The township publishes the need (its public projection) or returns it with a reason")
def review(request: HttpRequest, need_id: int, body: ReviewIn) -> dict[str, Any]:
    n = get_scoped_or_404(Need.objects.all(), request.user, pk=need_id)
    services.review_need(actor=request.user, need=n, publish=body.publish, note=body.note)
    return _need_detail(request, need_id)


class ConsentWithdrawIn(Schema):
    note: str = Field("", max_length=200)


@router.post("/needs/{int:need_id}/withdraw", response=NeedDetail,
             summary="The household withdraws its consent: the need leaves every public page at once")
def withdraw(request: HttpRequest, need_id: int, body: ConsentWithdrawIn) -> dict[str, Any]:
    n = get_scoped_or_404(Need.objects.all(), request.user, pk=need_id)
    services.withdraw_consent(actor=request.user, need=n, note=body.note)
    return _need_detail(request, need_id)


# --- targets of pledges and ledger entries -------------------------------------------------------------------


def _target(request: HttpRequest, need_id: int | None, project_id: int | None, *, public: bool
            ) -> tuple[Need | None, WelfareProject | None]:
    """The need or project an entry is for: as the public sees them for a donor, inside the region for staff."""
    if (need_id is None) == (project_id is None):
        raise services.WelfareError("请选择一个需求或一个项目 / choose one need or one project")
    if need_id is not None:
        if public:
            need = selectors.public_needs_qs().filter(pk=need_id).first()
            if need is None:
                raise Http404
            return need, None
        return get_scoped_or_404(Need.objects.all(), request.user, pk=need_id), None
    qs = selectors.public_projects() if public else selectors.projects(request.user)
    project = qs.filter(pk=int(project_id or 0)).first()
    if project is None:
        raise Http404
    return None, project


def _donor(request: HttpRequest, donor_id: int | None) -> Donor:
    """A donor acts in its own name; staff name the donor."""
    if _is_donor(request.user) and not _is_staff(request.user):
        return _my_donor(request.user)
    if donor_id is None:
        raise services.WelfareError("请选择捐赠方 / choose the donor")
    donor = Donor.objects.filter(pk=donor_id).first()
    if donor is None:
        raise Http404
    return donor


class EntryQuery(PageQuery):
    need_id: int | None = None
    project_id: int | None = None


def _filter_target(qs: Any, q: EntryQuery) -> Any:
    if q.need_id is not None:
        qs = qs.filter(need_id=q.need_id)
    if q.project_id is not None:
        qs = qs.filter(project_id=q.project_id)
    return qs


# --- pledges -------------------------------------------------------------------------------------------------


class PledgeOut(Schema):
    id: int
    donor_id: int
    donor_name: str
    need_id: int | None
    project_id: int | None
    amount: Decimal
    goods: str
    created_at: dt.datetime


def _pledge(p: Pledge) -> dict[str, Any]:
    return {"id": p.pk, "donor_id": p.donor_id, "donor_name": p.donor.public_name, "need_id": p.need_id,
            "project_id": p.project_id, "amount": p.amount, "goods": p.goods, "created_at": p.created_at}


@router.get("/pledges", response=Page[PledgeOut],
            summary="Pledges: a donor its own, staff those to the needs and projects of their region")
def pledges(request: HttpRequest, q: Query[EntryQuery]) -> dict[str, Any]:
    _staff_or_donor(request.user)
    return offset_page(_filter_target(selectors.pledges(request.user), q).order_by("-created_at", "-pk"), q, _pledge)


class PledgeIn(Schema):
    need_id: int | None = None
    project_id: int | None = None
    amount: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2)
    goods: str = Field("", max_length=200)
    donor_id: int | None = Field(None, description="staff only: the donor who pledged")


@router.post("/pledges", response={201: PledgeOut},
             summary="Pledge money or goods to a public need or project (a donor in its own name)")
def create_pledge(request: HttpRequest, body: PledgeIn) -> Status:
    staff = _staff_or_donor(request.user)
    need, project = _target(request, body.need_id, body.project_id, public=not staff)
    p = services.pledge(actor=request.user, donor=_donor(request, body.donor_id), need=need, project=project,
                        amount=body.amount, goods=body.goods)
    return Status(201, _pledge(p))


# --- donations and disbursements -----------------------------------------------------------------------------


class DonationOut(Schema):
    id: int
    donor_id: int
    donor_name: str
    need_id: int | None
    project_id: int | None
    pledge_id: int | None
    amount: Decimal
    channel: str
    reference: str
    link: str
    received_on: dt.date


def _donation(d: Donation) -> dict[str, Any]:
    return {"id": d.pk, "donor_id": d.donor_id, "donor_name": d.donor.public_name, "need_id": d.need_id,
            "project_id": d.project_id, "pledge_id": d.pledge_id, "amount": d.amount, "channel": d.channel,
            "reference": d.reference, "link": d.link, "received_on": d.received_on}


@router.get("/donations", response=Page[DonationOut],
            summary="Money received: a donor its own, staff that of the needs and projects of their region")
def donations(request: HttpRequest, q: Query[EntryQuery]) -> dict[str, Any]:
    _staff_or_donor(request.user)
    qs = _filter_target(selectors.donations(request.user), q).order_by("-received_on", "-pk")
    return offset_page(qs, q, _donation)


class DonationIn(Schema):
    donor_id: int
    need_id: int | None = None
    project_id: int | None = None
    pledge_id: int | None = None
    amount: Decimal = _money()
    channel: str = Field(..., description="platform | bank | goods | other")
    reference: str = Field(..., max_length=80, description="the transfer or fundraising platform's reference")
    link: str = Field("", max_length=200, description="the fundraising page")
    received_on: dt.date


@router.post("/donations", response={201: DonationOut},
             summary="Record money received outside fupin (a platform, a transfer) with its reference")
def create_donation(request: HttpRequest, body: DonationIn) -> Status:
    if not _is_staff(request.user):
        raise PermissionDenied("没有权限 / not allowed for your role")
    need, project = _target(request, body.need_id, body.project_id, public=False)
    donor = Donor.objects.filter(pk=body.donor_id).first()
    if donor is None:
        raise Http404
    if body.channel not in Donation.Channel.values:
        raise services.WelfareError("到账渠道无效 / unknown channel")
    pledge = None
    if body.pledge_id is not None:
        pledge = Pledge.objects.filter(pk=body.pledge_id, donor=donor, need=need, project=project).first()
        if pledge is None:
            raise services.WelfareError("认捐与捐赠方或对象不符 / the pledge is not this donor's for this need or project")
    d = services.record_donation(actor=request.user, donor=donor, need=need, project=project, amount=body.amount,
                                 channel=body.channel, reference=body.reference, link=body.link,
                                 received_on=body.received_on, pledge=pledge)
    return Status(201, _donation(Donation.objects.select_related("donor").get(pk=d.pk)))


class DisbursementOut(Schema):
    id: int
    need_id: int | None
    project_id: int | None
    amount: Decimal
    paid_on: dt.date
    purpose: str
    evidence: str
    confirmed_at: dt.datetime | None
    confirmed_how: str


def _disbursement(d: Disbursement) -> dict[str, Any]:
    return {"id": d.pk, "need_id": d.need_id, "project_id": d.project_id, "amount": d.amount, "paid_on": d.paid_on,
            "purpose": d.purpose, "evidence": d.evidence, "confirmed_at": d.confirmed_at,
            "confirmed_how": d.confirmed_how}


@router.get("/disbursements", response=Page[DisbursementOut],
            summary="Disbursements of the needs and projects of the caller's region")
def disbursements(request: HttpRequest, q: Query[EntryQuery]) -> dict[str, Any]:
    if not _is_staff(request.user):
        raise PermissionDenied("没有权限 / not allowed for your role")
    qs = _filter_target(selectors.disbursements(request.user), q).order_by("-paid_on", "-pk")
    return offset_page(qs, q, _disbursement)


class DisbursementIn(Schema):
    need_id: int | None = None
    project_id: int | None = None
    amount: Decimal = _money()
    paid_on: dt.date
    purpose: str = Field(..., max_length=200)
    evidence: str = Field(..., max_length=200, description="receipt or voucher number")


@router.post("/disbursements", response={201: DisbursementOut},
             summary="Pay out of what was received, with evidence (never more than the balance)")
def create_disbursement(request: HttpRequest, body: DisbursementIn) -> Status:
    if not _is_staff(request.user):
        raise PermissionDenied("没有权限 / not allowed for your role")
    need, project = _target(request, body.need_id, body.project_id, public=False)
    d = services.disburse(actor=request.user, need=need, project=project, amount=body.amount, paid_on=body.paid_on,
                          purpose=body.purpose, evidence=body.evidence)
    return Status(201, _disbursement(d))


class ConfirmIn(Schema):
    how: str = Field(..., max_length=100, description="how the household confirmed (signature, thumbprint …)")


@router.post("/disbursements/{int:disbursement_id}/confirm", response=DisbursementOut,
             summary="The household confirms it received a need's disbursement")
def confirm(request: HttpRequest, disbursement_id: int, body: ConfirmIn) -> dict[str, Any]:
    if not _is_staff(request.user):
        raise PermissionDenied("没有权限 / not allowed for your role")
    d = selectors.disbursements(request.user).filter(pk=disbursement_id).first()
    if d is None:
        raise Http404
    return _disbursement(services.confirm_disbursement(actor=request.user, disbursement=d, how=body.how))


# --- projects ------------------------------------------------------------------------------------------------


class WelfareProjectOut(Schema):
    id: int
    name: str
    organiser: str
    brand: str
    kind: str
    kind_label: str
    region_code: str
    region_name: str
    goal: Decimal
    received: Decimal
    disbursed: Decimal
    starts_on: dt.date
    ends_on: dt.date
    households_served: str = Field(description="as the public sees it: fewer than five is “<5”")
    villages_served: int
    description: str
    results: str
    status: str
    published_by_county: bool
    published_at: dt.datetime | None
    taken_by_id: int | None
    taken_by: str | None


class ServedHouseholdOut(Schema):
    household_id: int
    household_number: str
    head_name: str
    village_code: str


class WelfareProjectDetail(WelfareProjectOut):
    ledger: list[LedgerLineOut]
    households_served_exact: int | None = Field(None, description="staff only")
    served_households: list[ServedHouseholdOut] = Field([], description="the county only; never public")
    served_villages: list[str] = Field([], description="village codes; the county only; never public")


def _project(p: WelfareProject) -> dict[str, Any]:
    return {"id": p.pk, "name": p.name, "organiser": p.organiser, "brand": p.brand, "kind": p.kind,
            "kind_label": p.get_kind_display(), "region_code": p.region_id, "region_name": p.region.name,
            "goal": p.goal, "received": p.received, "disbursed": p.disbursed, "starts_on": p.starts_on,
            "ends_on": p.ends_on, "households_served": selectors.suppress(p.households_served),
            "villages_served": p.villages_served, "description": p.description, "results": p.results,
            "status": p.status, "published_by_county": p.published_by_county, "published_at": p.published_at,
            "taken_by_id": p.taken_by_id, "taken_by": p.taken_by.display_name if p.taken_by else None}


def _projects_for(user: Any) -> Any:
    return selectors.projects(user) if _is_staff(user) else selectors.public_projects()


class WelfareProjectQuery(PageQuery):
    status: str = Field("", description="draft | published | closed")
    open: bool = Field(False, description="only county projects still waiting for an enterprise")


@router.get("/projects", response=Page[WelfareProjectOut],
            summary="Welfare projects: staff those of their region, anyone else the published ones")
def projects(request: HttpRequest, q: Query[WelfareProjectQuery]) -> dict[str, Any]:
    qs = _projects_for(request.user)
    if q.status in WelfareProject.Status.values:
        qs = qs.filter(status=q.status)
    if q.open:
        qs = qs.filter(published_by_county=True, taken_by__isnull=True, status=WelfareProject.Status.PUBLISHED)
    return offset_page(qs.order_by("-starts_on", "pk"), q, _project)


def _project_detail(request: HttpRequest, project_id: int) -> dict[str, Any]:
    p = _projects_for(request.user).filter(pk=project_id).first()
    if p is None:
        raise Http404
    out = {**_project(p), "ledger": [_line(x) for x in selectors.ledger(project=p)]}
    if has_any_role(request.user, services.PROJECT_ROLES, system=False):
        masker = Masker(request.user)
        served = list(p.served_households.order_by("number")[:1000])
        heads = _heads([h.pk for h in served])
        if served:
            masker.reveal(obj=p, summary=f"welfare project {p.pk} households served (API)")
        out |= {"households_served_exact": p.households_served,
                "served_households": [{"household_id": h.pk, "household_number": h.number,
                                       "head_name": masker.name(heads.get(h.pk, "")), "village_code": h.village_id}
                                      for h in served],
                "served_villages": list(p.served_villages.order_by("code").values_list("code", flat=True))}
    return out


@router.get("/projects/{int:project_id}", response=WelfareProjectDetail, summary="A welfare project with its ledger")
def project(request: HttpRequest, project_id: int) -> dict[str, Any]:
    return _project_detail(request, project_id)


class WelfareProjectIn(Schema):
    name: str = Field(..., max_length=120)
    organiser: str = Field(..., max_length=120)
    brand: str = Field("", max_length=120)
    kind: str = Field(..., description="education | illness | goods | industry | other")
    region_code: str
    goal: Decimal = Field(..., gt=0, max_digits=14, decimal_places=2)
    starts_on: dt.date
    ends_on: dt.date
    households_served: int = Field(0, ge=0, le=10_000_000)
    villages_served: int = Field(0, ge=0, le=1_000_000)
    description: str = Field("", max_length=4000)
    results: str = Field("", max_length=4000)
    published_by_county: bool = False


def _project_fields(request: HttpRequest, body: WelfareProjectIn) -> dict[str, Any]:
    if not is_node_code(body.region_code):
        raise services.WelfareError("服务地区代码无效 / the region code is not valid")
    region = Region.objects.filter(code=body.region_code).first()  # the service checks it lies in the region
    if region is None:
        raise Http404
    return {**body.dict(exclude={"region_code"}), "region": region}


@router.post("/projects", response={201: WelfareProjectDetail}, summary="Create a welfare project (a draft)")
def create_project(request: HttpRequest, body: WelfareProjectIn) -> Status:
    p = services.save_project(actor=request.user, **_project_fields(request, body))
    return Status(201, _project_detail(request, p.pk))


def _my_project(request: HttpRequest, project_id: int) -> WelfareProject:
    if not has_any_role(request.user, services.PROJECT_ROLES, system=False):
        raise PermissionDenied("没有权限 / not allowed for your role")
    return get_scoped_or_404(selectors.projects(request.user), request.user, pk=project_id)


@router.put("/projects/{int:project_id}", response=WelfareProjectDetail, summary="Change a welfare project")
def update_project(request: HttpRequest, project_id: int, body: WelfareProjectIn) -> dict[str, Any]:
    p = _my_project(request, project_id)
    services.save_project(actor=request.user, project=p, **_project_fields(request, body))
    return _project_detail(request, project_id)


@router.post("/projects/{int:project_id}/publish", response=WelfareProjectDetail,
             summary="Publish a project (a county's project: open for enterprises to take up)")
def publish_project(request: HttpRequest, project_id: int) -> dict[str, Any]:
    services.publish_project(actor=request.user, project=_my_project(request, project_id))
    return _project_detail(request, project_id)


class TakeUpIn(Schema):
    donor_id: int | None = Field(None, description="staff only: the enterprise that takes the project up")


@router.post("/projects/{int:project_id}/take-up", response=WelfareProjectDetail,
             summary="An enterprise takes up a project its county published (itself, or recorded by the county)")
def take_up(request: HttpRequest, project_id: int, body: TakeUpIn) -> dict[str, Any]:
    staff = has_any_role(request.user, services.PROJECT_ROLES, system=False)
    p: WelfareProject | None
    if staff:
        p = _my_project(request, project_id)
    elif _is_donor(request.user):
        p = selectors.public_projects().filter(pk=project_id).first()
    else:
        raise PermissionDenied("没有权限 / not allowed for your role")
    if p is None:
        raise Http404
    services.take_up_project(actor=request.user, project=p, donor=_donor(request, body.donor_id))
    return _project_detail(request, project_id)


class ServeIn(Schema):
    household_id: int | None = None
    village_code: str | None = None
    remove: bool = False


@router.post("/projects/{int:project_id}/served", response=WelfareProjectDetail,
             summary="List or unlist a household or a village the project serves (never public)")
def served(request: HttpRequest, project_id: int, body: ServeIn) -> dict[str, Any]:
    p = _my_project(request, project_id)
    household = village = None
    if body.household_id is not None:
        household = get_scoped_or_404(Household.objects.all(), request.user, pk=body.household_id)
    if body.village_code:
        village = Region.objects.filter(code=body.village_code).first() if is_node_code(body.village_code) else None
        if village is None:
            raise Http404
    services.serve(actor=request.user, project=p, household=household, village=village, remove=body.remove)
    return _project_detail(request, project_id)


# --- pairings ------------------------------------------------------------------------------------------------


class QuarterOut(Schema):
    quarter: int
    achieved: Decimal
    note: str
    submitted_at: dt.datetime


class CommitmentOut(Schema):
    id: int
    year: int
    kind: str
    kind_label: str
    target: Decimal
    achieved: Decimal
    quarters: list[QuarterOut]


class PairingOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    region_code: str
    region_name: str
    agreement: str
    signed_on: dt.date
    status: str
    published: bool


class PairingDetail(PairingOut):
    commitments: list[CommitmentOut]


def _pairing(p: Pairing) -> dict[str, Any]:
    return {"id": p.pk, "enterprise_id": p.enterprise_id, "enterprise": p.enterprise.display_name,
            "region_code": p.region_id, "region_name": p.region.name, "agreement": p.agreement,
            "signed_on": p.signed_on, "status": p.status, "published": p.published}


def _pairing_detail(p: Pairing) -> dict[str, Any]:
    rows = selectors.commitment_rows(p)
    return {**_pairing(p), "commitments": [
        {"id": r.commitment.pk, "year": r.commitment.year, "kind": r.commitment.kind,
         "kind_label": r.commitment.get_kind_display(), "target": r.commitment.target, "achieved": r.achieved,
         "quarters": [{"quarter": q.quarter, "achieved": q.achieved, "note": q.note, "submitted_at": q.submitted_at}
                      for _k, q in sorted(r.quarters.items())]} for r in rows]}


def _pairings_for(user: Any) -> Any:
    if _staff_or_donor(user):
        return selectors.pairings(user)
    return Pairing.objects.select_related("region", "enterprise").filter(enterprise=_my_donor(user))


class PairingQuery(PageQuery):
    status: str = Field("", description="active | ended")


@router.get("/pairings", response=Page[PairingOut],
            summary="Pairings: staff those of their region, an enterprise its own")
def pairings(request: HttpRequest, q: Query[PairingQuery]) -> dict[str, Any]:
    qs = _pairings_for(request.user)
    if q.status in Pairing.Status.values:
        qs = qs.filter(status=q.status)
    return offset_page(qs.order_by("region_id", "pk"), q, _pairing)


def _get_pairing(request: HttpRequest, pairing_id: int) -> Pairing:
    p = _pairings_for(request.user).filter(pk=pairing_id).first()
    if p is None:
        raise Http404
    return p


@router.get("/pairings/{int:pairing_id}", response=PairingDetail,
            summary="A pairing with its commitments and quarterly reports against them")
def pairing(request: HttpRequest, pairing_id: int) -> dict[str, Any]:
    return _pairing_detail(_get_pairing(request, pairing_id))


class PairingIn(Schema):
    enterprise_id: int
    region_code: str = Field(..., description="a poor county or village")
    agreement: str = Field(..., max_length=200)
    signed_on: dt.date
    year: int = Field(..., ge=2000, le=2100)
    commitments: dict[str, Decimal] = Field(
        ..., description="money | purchase | jobs | training → the year's target (yuan, persons, person-times)")


@router.post("/pairings", response={201: PairingDetail},
             summary="Pair an enterprise with a county or a village: agreement and the year's commitments "
                     "(the same pair again changes the agreement and that year's commitments)")
def save_pairing(request: HttpRequest, body: PairingIn) -> Status:
    enterprise = Donor.objects.filter(pk=body.enterprise_id).first()
    region = Region.objects.filter(code=body.region_code).first() if is_node_code(body.region_code) else None
    if enterprise is None or region is None:
        raise Http404
    unknown = set(body.commitments) - set(CommitmentKind.values)
    if unknown:
        raise services.WelfareError(f"未知承诺类型 / unknown commitment types: {', '.join(sorted(unknown))}")
    if any(v > Decimal("1e12") for v in body.commitments.values()):
        raise services.WelfareError("承诺数过大 / a commitment is too large")
    p = services.save_pairing(actor=request.user, enterprise=enterprise, region=region, agreement=body.agreement,
                              signed_on=body.signed_on, commitments=body.commitments, year=body.year)
    return Status(201, _pairing_detail(p))


class QuarterIn(Schema):
    commitment_id: int
    quarter: int = Field(..., ge=1, le=4)
    achieved: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)
    note: str = Field("", max_length=200)


@router.post("/pairings/{int:pairing_id}/reports", response=PairingDetail,
             summary="Report a quarter against one commitment (the county or the enterprise itself)")
def report_quarter(request: HttpRequest, pairing_id: int, body: QuarterIn) -> dict[str, Any]:
    p = _get_pairing(request, pairing_id)
    commitment = p.commitments.filter(pk=body.commitment_id).first()
    if commitment is None:
        raise Http404
    services.report_quarter(actor=request.user, commitment=commitment, quarter=body.quarter,
                            achieved=body.achieved, note=body.note)
    return _pairing_detail(p)


# --- donors and the alliance ---------------------------------------------------------------------------------


class DonorOut(Schema):
    id: int
    display_name: str
    kind: str
    anonymous: bool
    contact: str = Field(description="never public")
    region_code: str | None
    alliance_member: bool
    alliance_joined_on: dt.date | None
    username: str | None


def _donor_out(d: Donor) -> dict[str, Any]:
    return {"id": d.pk, "display_name": d.display_name, "kind": d.kind, "anonymous": d.anonymous,
            "contact": d.contact, "region_code": d.region_id, "alliance_member": d.alliance_member,
            "alliance_joined_on": d.alliance_joined_on, "username": d.user.username if d.user else None}


@router.get("/donor", response=DonorOut, summary="The caller's own donor record (a donor account)")
def my_donor(request: HttpRequest) -> dict[str, Any]:
    return _donor_out(_my_donor(request.user))


class DonorQuery(PageQuery):
    kind: str = Field("", description="person | enterprise | organisation")
    alliance: bool = Field(False, description="only members of the welfare alliance")


def _manager(user: Any) -> None:
    if not has_any_role(user, services.PROJECT_ROLES, system=False):
        raise PermissionDenied("没有权限 / not allowed for your role")


@router.get("/donors", response=Page[DonorOut],
            summary="Donors registered in the caller's region (every donor for a nationwide administrator)")
def donors(request: HttpRequest, q: Query[DonorQuery]) -> dict[str, Any]:
    _manager(request.user)
    qs = selectors.donors(request.user, kind=q.kind if q.kind in Donor.Kind.values else "")
    if q.alliance:
        qs = qs.filter(alliance_member=True)
    return offset_page(qs.order_by("display_name", "pk"), q, _donor_out)


class DonorIn(Schema):
    display_name: str = Field(..., max_length=100)
    kind: str = Field("enterprise", description="enterprise | organisation")
    anonymous: bool = False
    contact: str = Field("", max_length=100)
    alliance_member: bool = False
    username: str = Field("", max_length=150, description="optional: a login for the donor")
    password: str = Field("", max_length=128)


@router.post("/donors", response={201: DonorOut}, summary="Register an enterprise or an organisation")
def register_donor(request: HttpRequest, body: DonorIn) -> Status:
    _manager(request.user)
    if body.kind == Donor.Kind.PERSON:
        raise services.WelfareError("网友请在门户网站自行注册 / netizens sign up on the portal themselves")
    d = services.register_donor(actor=request.user, **body.dict())
    return Status(201, _donor_out(d))


class DonorChangeIn(Schema):
    display_name: str = Field(..., max_length=100)
    kind: str
    anonymous: bool = False
    contact: str = Field("", max_length=100)


def _managed_donor(request: HttpRequest, donor_id: int) -> Donor:
    _manager(request.user)
    return get_scoped_or_404(selectors.donors(request.user), request.user, pk=donor_id)


@router.put("/donors/{int:donor_id}", response=DonorOut, summary="Change a donor registered in the caller's region")
def update_donor(request: HttpRequest, donor_id: int, body: DonorChangeIn) -> dict[str, Any]:
    d = services.update_donor(actor=request.user, donor=_managed_donor(request, donor_id), **body.dict())
    return _donor_out(d)


class AllianceIn(Schema):
    member: bool
    joined_on: dt.date | None = None


@router.post("/donors/{int:donor_id}/alliance", response=DonorOut,
             summary="Membership of the internet welfare alliance (网络公益扶贫联盟): join on a day, or leave")
def alliance(request: HttpRequest, donor_id: int, body: AllianceIn) -> dict[str, Any]:
    d = services.set_alliance(actor=request.user, donor=_managed_donor(request, donor_id), member=body.member,
                              joined_on=body.joined_on)
    return _donor_out(d)
