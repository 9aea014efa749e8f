import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from fupin.core.apibody import AtLeastOne
from fupin.core.masking import Masker, mask_id_number
from fupin.core.pagination import Page, PageQuery, offset_page, seek_page
from fupin.core.scoping import get_scoped_or_404, scope_of
from fupin.registry import history, hooks, selectors, services
from fupin.registry.models import INCOME_FIELDS, Member
from fupin.registry.selectors import HouseholdFilter

router = Router()
INCOME_COMPONENTS = (*INCOME_FIELDS, "business_expense")


class HouseholdRow(Schema):
    id: int
    number: str
    village_code: str
    village_name: str
    head_name: str
    size: int
    status: str
    main_cause: str
    identified_year: int
    exit_year: int | None
    per_capita_income: Decimal | None
    income_year: int | None


class FilterIn(PageQuery):
    region: str = ""
    q: str = ""
    status: str = ""
    cause: str = ""
    sort: str = "number"
    after: str = Field("", description="keyset paging (sort=number only): the next_after of the previous page")


class HouseholdMemberOut(Schema):
    name: str
    id_number: str
    sex: str
    birth_date: date | None = Field(None, description="In clear only for roles that see ID numbers in clear")
    birth_year: int | None
    relation: str
    ethnicity: str
    education: str
    schooling: str
    health: str
    labour_skill: str
    has_medical_insurance: bool | None = Field(description="null: not collected (未采集)")


class IncomeOut(Schema):
    year: int
    household_size: int
    net_total: Decimal
    per_capita: Decimal


class HouseholdOut(Schema):
    id: int
    number: str
    village_code: str
    status: str
    standard: str
    attribute: str
    main_cause: str
    other_causes: list[str]
    identified_year: int
    exit_year: int | None
    housing_safety: str
    water_safe: bool | None = Field(description="null: not collected (未采集)")
    has_broadband: bool
    members: list[HouseholdMemberOut]
    incomes: list[IncomeOut]


@router.get("/", response=Page[HouseholdRow], summary="Households in the caller's region, filtered, sorted, paged")
def list_households(request: HttpRequest, filters: Query[FilterIn]) -> Any:
    f = HouseholdFilter.from_params(filters.dict())
    if filters.after and f.sort != "number":
        raise ValidationError({"after": ["after 只能用于按户编号排序 / after works with sort=number only"]})
    qs: Any = selectors.households(request.user, f)  # annotated with head_name, size, per_capita, income_year
    masker = Masker(request.user)

    def row(h: Any) -> dict[str, Any]:
        return {
            "id": h.id, "number": h.number, "village_code": h.village_id, "village_name": h.village.name,
            "head_name": masker.name(h.head_name or ""), "size": h.size or 0, "status": h.status,
            "main_cause": h.main_cause, "identified_year": h.identified_year, "exit_year": h.exit_year,
            "per_capita_income": h.per_capita, "income_year": h.income_year,
        }

    if f.sort == "number":
        out = seek_page(qs, filters, field="number", after=filters.after, convert=row)
    else:
        out = offset_page(qs, filters, row)
    rows = out["results"]
    masker.reveal(object_type="registry.household", region_code=f.region or scope_of(request.user).prefix or "",
                  summary=f"API household list page {out['page']} ({len(rows)} heads' names)",
                  detail={"numbers": [r["number"] for r in rows]})
    return out


@router.get("/{household_id}", response=HouseholdOut, summary="One household dossier (404 outside the caller's scope)")
def get_household(request: HttpRequest, household_id: int) -> Any:
    return _dossier(request, selectors.household_for(request.user, household_id))


def _dossier(request: HttpRequest, h: Any) -> dict[str, Any]:
    masker = Masker(request.user)
    members = list(selectors.members_of(h))
    masker.reveal(obj=h, summary=f"API dossier {h.number}", detail={"members": len(members)})
    return {
        "id": h.id, "number": h.number, "village_code": h.village_id, "status": h.status, "standard": h.standard,
        "attribute": h.attribute, "main_cause": h.main_cause, "other_causes": h.other_causes,
        "identified_year": h.identified_year, "exit_year": h.exit_year, "housing_safety": h.housing_safety,
        "water_safe": h.water_safe, "has_broadband": h.has_broadband,
        "members": [
            {
                "name": masker.name(m.name), "id_number": masker.id_number(m.id_number), "sex": m.sex,
                "birth_date": m.birth_date if masker.clear else None,
                "birth_year": m.birth_date.year if m.birth_date else None, "relation": m.relation, "ethnicity": m.ethnicity,
                "education": m.education, "schooling": m.schooling, "health": m.health,
                "labour_skill": m.labour_skill, "has_medical_insurance": m.has_medical_insurance,
            }
            for m in members
        ],
        "incomes": [
            {"year": i.year, "household_size": i.household_size, "net_total": i.net_total, "per_capita": i.per_capita}
            for i in selectors.incomes_of(h)
        ],
    }


class HouseholdMemberIn(Schema):
    name: str
    id_number: str
    relation: str
    ethnicity: str
    health: str
    id_type: str = "1"
    sex: str = ""
    birth_date: date | None = None
    political: str = ""
    education: str = ""
    schooling: str = ""
    disability_category: str = ""
    disability_grade: str = ""
    labour_skill: str = ""
    work_location: str = ""
    work_months: int = 0
    welfare_job_months: int = 0
    speaks_mandarin: bool = True
    has_medical_insurance: bool | None = Field(None, description="null or absent: not collected (未采集), never yes")
    has_serious_illness_insurance: bool = False
    has_pension_insurance: bool = False
    receives_dibao: bool = False
    receives_tekun: bool = False


class HouseholdFieldsIn(Schema):
    status: str | None = None
    standard: str | None = None
    attribute: str | None = None
    main_cause: str | None = None
    other_causes: list[str] | None = None
    phone: str | None = None
    identified_year: int | None = None
    exit_year: int | None = None
    housing_safety: str | None = None
    water_safe: bool | None = None
    water_difficult: bool | None = None
    has_broadband: bool | None = None
    has_living_power: bool | None = None
    cultivated_land: Decimal | None = None
    housing_area: Decimal | None = None


class HouseholdIn(HouseholdFieldsIn):
    number: str
    village_code: str
    members: list[HouseholdMemberIn]
    reason: str = ""


class HouseholdPatch(HouseholdFieldsIn):
    reason: str
    valid_from: date | None = None
    correction: bool = False


class MemberPatch(Schema):
    reason: str
    name: str | None = None
    relation: str | None = None
    education: str | None = None
    schooling: str | None = None
    health: str | None = None
    labour_skill: str | None = None
    work_location: str | None = None
    has_medical_insurance: bool | None = None
    has_pension_insurance: bool | None = None


class Reason(Schema):
    reason: str


class IncomeIn(AtLeastOne):
    """A year's income by component. The components left out count as 0, but at least one must be sent (0 where
    there was none): an empty body would record a zero income for the year by mistake."""

    ONE_OF = (*INCOME_COMPONENTS,)
    EMPTY_MESSAGE = "请至少填写一项收入（没有的填 0） / send at least one income component (0 where there was none)"

    household_size: int | None = None
    wage_welfare_job: Decimal = Decimal(0)
    wage_other: Decimal = Decimal(0)
    business: Decimal = Decimal(0)
    property_dividend: Decimal = Decimal(0)
    property_other: Decimal = Decimal(0)
    transfer_family_planning: Decimal = Decimal(0)
    transfer_dibao: Decimal = Decimal(0)
    transfer_tekun: Decimal = Decimal(0)
    transfer_pension: Decimal = Decimal(0)
    transfer_ecological: Decimal = Decimal(0)
    transfer_other: Decimal = Decimal(0)
    reward: Decimal = Decimal(0)
    business_expense: Decimal = Decimal(0)
    reason: str = ""


class VersionOut(Schema):
    valid_from: date
    kind: str
    username: str
    reason: str
    changes: list[dict[str, Any]]


class Errors(Schema):
    errors: dict[str, list[str]]


def _fields(data: HouseholdFieldsIn) -> dict[str, Any]:
    return {k: v for k, v in data.dict(exclude={"reason", "valid_from", "correction", "number", "village_code",
                                                 "members"}).items() if v is not None}


@router.post("/", response={201: HouseholdOut, 422: Errors, 403: Errors},
             summary="Register a household with its members (clerk, township reviewer, county administrator)")
def create_household(request: HttpRequest, payload: HouseholdIn) -> Any:
    h = services.register_household(
        actor=request.user, village_code=payload.village_code, number=payload.number, data=_fields(payload),
        members=[m.dict() for m in payload.members], reason=payload.reason,
    )
    return Status(201, _dossier(request, h))


@router.patch("/{household_id}", response={200: HouseholdOut, 422: Errors, 403: Errors},
              summary="Change household fields; `reason` is required and the change is kept in the history")
def patch_household(request: HttpRequest, household_id: int, payload: HouseholdPatch) -> Any:
    services.check_writer(request.user)  # before the lookup: no existence probing
    h = selectors.household_for(request.user, household_id)
    services.update_household(actor=request.user, household=h, data=_fields(payload), reason=payload.reason,
                              valid_from=payload.valid_from, correction=payload.correction)
    return _dossier(request, selectors.household_for(request.user, household_id))


@router.post("/{household_id}/members", response={201: HouseholdOut, 422: Errors, 403: Errors},
             summary="Add a member (the person must not be an active member of another household)")
def create_member(request: HttpRequest, household_id: int, payload: HouseholdMemberIn, reason: str = "") -> Any:
    services.check_writer(request.user)  # before the lookup: no existence probing
    h = selectors.household_for(request.user, household_id)
    services.add_member(actor=request.user, household=h, data=payload.dict(), reason=reason)
    return Status(201, _dossier(request, h))


@router.patch("/{household_id}/members/{member_id}", response={200: HouseholdOut, 422: Errors, 403: Errors},
              summary="Change a member; `reason` is required")
def patch_member(request: HttpRequest, household_id: int, member_id: int, payload: MemberPatch) -> Any:
    services.check_writer(request.user)  # before the lookup: no existence probing
    h = selectors.household_for(request.user, household_id)
    member = get_scoped_or_404(Member.objects.filter(household=h, is_active=True), request.user, pk=member_id)
    data = {k: v for k, v in payload.dict(exclude={"reason"}).items() if v is not None}
    services.update_member(actor=request.user, member=member, data=data, reason=payload.reason)
    return _dossier(request, h)


@router.post("/{household_id}/members/{member_id}/leave", response={200: HouseholdOut, 422: Errors, 403: Errors},
             summary="A member leaves the household (kept in the history); `reason` is required")
def member_leaves(request: HttpRequest, household_id: int, member_id: int, payload: Reason) -> Any:
    services.check_writer(request.user)  # before the lookup: no existence probing
    h = selectors.household_for(request.user, household_id)
    member = get_scoped_or_404(Member.objects.filter(household=h, is_active=True), request.user, pk=member_id)
    services.remove_member(actor=request.user, member=member, reason=payload.reason)
    return _dossier(request, h)


class WarningOut(Schema):
    rule: str
    name: str
    name_en: str
    severity: str
    record: str = Field(description="household:<id>, person:<member id> or monitoring:<id>")
    fields: list[str] = Field(description="fields of the record the warning is about (from its evidence)")


@router.get("/{household_id}/warnings", response=list[WarningOut],
            summary="Data-quality warnings of the saved household and its members (they never block a write)")
def get_warnings(request: HttpRequest, household_id: int) -> Any:
    h = selectors.household_for(request.user, household_id)
    out = []
    for w in hooks.warnings_for([h.pk]).get(h.pk, []):
        evidence = w.get("evidence") or {}
        if isinstance(evidence, str):
            evidence = json.loads(evidence)
        out.append({**{k: w.get(k, "") for k in ("rule", "name", "name_en", "severity", "record")},
                    "fields": sorted(evidence)})
    return out


class TransferIn(Schema):
    village_code: str = Field(description="12-digit code of the village the household moves to")
    reason: str


@router.post("/{household_id}/transfer", response={200: HouseholdOut, 422: Errors, 403: Errors},
             summary="Move a household to another village (county administrator; `reason` required; audited and kept "
                     "in the history). The only way a household number comes to stand in another village: an import "
                     "doing so is refused")
def transfer_household(request: HttpRequest, household_id: int, payload: TransferIn) -> Any:
    services.check_transferer(request.user)  # before the lookup: no existence probing
    h = selectors.household_for(request.user, household_id)
    services.transfer_household(actor=request.user, household=h, village_code=payload.village_code,
                                reason=payload.reason)
    return _dossier(request, selectors.household_for(request.user, household_id))


@router.put("/{household_id}/incomes/{year}", response={200: HouseholdOut, 422: Errors, 403: Errors},
            summary="Record a year's income by component; 人均纯收入 is computed")
def put_income(request: HttpRequest, household_id: int, year: int, payload: IncomeIn) -> Any:
    services.check_writer(request.user)  # before the lookup: no existence probing
    h = selectors.household_for(request.user, household_id)
    services.set_income(actor=request.user, household=h, year=year,
                        components=payload.dict(exclude={"reason"}), reason=payload.reason)
    return _dossier(request, h)


def _masked_change(change: dict[str, Any], masker: Masker) -> dict[str, Any]:
    """Member changes are keyed by ID number: hide it and the values for roles without need; household
    values (the phone) are masked by field."""
    parts = change["path"].split(".")
    if parts[0] != "members":
        field = parts[-1]
        return {**change, "old": masker.value(field, change.get("old")), "new": masker.value(field, change.get("new"))}
    parts[1] = mask_id_number(parts[1])
    return {"path": ".".join(parts), "old": "***", "new": "***"}


@router.get("/{household_id}/history", response=list[VersionOut],
            summary="The dossier's dated changes, newest first (personal values masked for roles without need)")
def get_history(request: HttpRequest, household_id: int) -> Any:
    h = selectors.household_for(request.user, household_id)
    masker = Masker(request.user)
    out = []
    for v in history.timeline(h):
        changes = v.changes
        if not masker.clear:
            changes = [_masked_change(c, masker) for c in changes]
        out.append({"valid_from": v.valid_from, "kind": v.kind, "username": v.username,
                    "reason": masker.text(v.reason), "changes": changes})
    masker.reveal(obj=h, summary=f"API history {h.number}", detail={"versions": len(out)})
    return out
